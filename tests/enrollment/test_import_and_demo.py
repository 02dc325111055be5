"""Person import (all or nothing, every bad row named), the demo seed and production checks."""
import datetime as dt
import os
import subprocess
import sys

import pytest
import tablib
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from enrollment import idnumbers
from enrollment.models import Enrollment, Person, User
from enrollment.resources import PersonResource
from tests import factories

pytestmark = pytest.mark.django_db


def dataset(rows):
    headers = ["id_type", "id_number", "birth_cert_number", "name", "sex", "birth_date",
               "phone", "户籍地代码", "常住地代码", "address", "life_status"]
    return tablib.Dataset(*rows, headers=headers)


def row(number, name="李四", birth="1990-03-04", sex="M", region=factories.GRID):
    return ["resident_id", number, "", name, sex, birth, "", factories.VILLAGE, region, "",
            "alive"]


def test_import_with_a_bad_row_writes_nothing_and_names_every_bad_row(village_clerk):
    good = idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    contradicting = idnumbers.make_id("430121", dt.date(1985, 1, 1), 18, "F")
    result = PersonResource(user=village_clerk).import_data(
        dataset([row(good), row(bad), row(contradicting, birth="1985-01-02", sex="F")]),
        dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    bad_rows = {r.number: r for r in result.invalid_rows}
    assert set(bad_rows) == {2, 3}
    assert "校验位" in str(bad_rows[2].error_dict)
    assert "出生日期与证件号码不符" in str(bad_rows[3].error_dict)
    assert not Person.objects.exists()


def test_import_refuses_rows_outside_the_clerks_region(village_clerk):
    number = idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")
    result = PersonResource(user=village_clerk).import_data(
        dataset([row(number, region=factories.NEIGHBOUR_GRID)]), dry_run=False,
        raise_errors=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not Person.objects.exists()


def test_valid_import_creates_people_with_initials(village_clerk):
    number = idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")
    result = PersonResource(user=village_clerk).import_data(dataset([row(number)]),
                                                            dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Person.objects.get(id_number=number).name_initials == "ls"


def test_seed_demo_builds_users_and_the_neighbours_cannot_see_each_other(client, settings):
    settings.DEBUG = True  # the test runner turns DEBUG off; seed_demo refuses that
    call_command("seed_demo", persons=400, stdout=open(os.devnull, "w"))
    for username in ["city_leader", "county_admin", "township_staff", "village_staff",
                     "village_staff_2", "grid_worker"]:
        # axes needs the request that every real login view passes to authenticate().
        assert client.login(username=username, password="canbao-demo",
                            request=HttpRequest()), username
    assert Enrollment.objects.filter(year=2025).exists()
    assert Person.objects.exclude(life_status="alive").exists()
    client.login(username="village_staff_2", password="canbao-demo", request=HttpRequest())
    theirs = Person.objects.filter(residence_region__pk__startswith="430121100002",
                                   hukou_region__pk__startswith="430121100002").first()
    assert client.get(f"/persons/{theirs.pk}/").status_code == 200
    client.login(username="village_staff", password="canbao-demo", request=HttpRequest())
    assert client.get(f"/persons/{theirs.pk}/").status_code == 404
    assert f"/persons/{theirs.pk}/" not in client.get(
        "/persons/", {"q": theirs.id_number}).content.decode()


def test_seed_demo_refuses_a_second_run_and_production(settings):
    settings.DEBUG = True
    call_command("seed_demo", persons=100, stdout=open(os.devnull, "w"))
    with pytest.raises(CommandError, match="已有人员"):
        call_command("seed_demo", persons=100)
    call_command("seed_demo", persons=100, if_empty=True, stdout=open(os.devnull, "w"))
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", persons=100)
    assert User.objects.filter(username="grid_worker").count() == 1


def test_check_deploy_is_clean_with_production_variables():
    env = dict(os.environ, DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="canbao.example.gov.cn",
               DJANGO_SECRET_KEY="k" * 20 + "-production-secret-key-9f8e7d6c5b4a3210zyxw",
               CANBAO_DATA_KEYS="1:" + "ab" * 16, CANBAO_DATA_KEY_ID="1",
               CANBAO_INDEX_KEY="cd" * 32)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                             "--fail-level", "WARNING"], env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
