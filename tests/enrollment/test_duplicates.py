"""Likely duplicates at registration: shown on the page with a link (in scope) or the no-oracle
sentence (elsewhere), saved only with a stated reason, which is audited."""
import datetime as dt
import io

import pytest
from django.core.management import call_command

from enrollment import idnumbers
from enrollment.models import AuditEntry, Household, Person
from tests import factories

pytestmark = pytest.mark.django_db

BIRTH = dt.date(2026, 1, 20)
BABY_ID = idnumbers.make_id("430121", BIRTH, 5, "F")


def baby(**overrides):
    data = {"id_type": "resident_id", "id_number": BABY_ID, "name": "周小宝", "sex": "",
            "birth_date": "", "phone": "", "hukou_region": factories.VILLAGE,
            "residence_region": factories.GRID, "address": "", "household_number": "H001",
            "relation_to_head": "child"}
    data.update(overrides)
    return data


@pytest.fixture
def birth_cert_file(make_person):
    household = Household.objects.create(number="H001", head_name="周大",
                                         region_id=factories.VILLAGE)
    return _birth_cert_only(make_person(factories.GRID, name="周小宝", sex="F", birth_date=BIRTH,
                                        id_type="birth_cert", birth_cert_number="R430001",
                                        household=household))


def _birth_cert_only(person):
    Person.objects.filter(pk=person.pk).update(id_number=None)  # the factory always gives one
    person.refresh_from_db()
    return person


def test_registration_page_shows_the_likely_duplicate_and_needs_a_reason(
        as_user, village_clerk, birth_cert_file):
    client = as_user(village_clerk)
    response = client.post("/persons/new/", baby())
    page = response.content.decode()
    assert response.status_code == 200 and Person.objects.count() == 1
    assert "疑似重复建档" in page and f"/persons/{birth_cert_file.pk}/" in page
    assert 'name="duplicate_reason"' in page and "<textarea" in page
    response = client.post("/persons/new/", baby(duplicate_reason="双胞胎中的另一人"))
    assert response.status_code == 302 and Person.objects.count() == 2
    twin = Person.objects.get(id_number=BABY_ID)
    entry = AuditEntry.objects.get(action="create", person=twin)
    assert "双胞胎中的另一人" in entry.detail and str(birth_cert_file.pk) in entry.detail


def test_a_likely_duplicate_elsewhere_is_said_without_where(as_user, village_clerk, make_person):
    # A birth-certificate file of the same child, living in another county, registered in the
    # same village of household registration as the new file.
    _birth_cert_only(make_person(factories.OTHER_GRID, hukou_code=factories.OTHER_VILLAGE,
                                 name="周小宝", sex="F", birth_date=BIRTH, id_type="birth_cert",
                                 birth_cert_number="R430009"))
    response = as_user(village_clerk).post(
        "/persons/new/", baby(household_number="", relation_to_head="",
                              hukou_region=factories.OTHER_VILLAGE))
    page = response.content.decode()
    warning = page[page.index('id="likely-duplicates"'):page.index('<div class="card">')]
    errors = str(response.context["form"].errors)
    assert Person.objects.count() == 1
    assert "已在其他地区登记，可申请转入" in warning
    for said in (warning, errors):
        assert "南塘村" not in said and "R430009" not in said and "/persons/" not in said


def test_register_person_names_no_region_for_a_duplicate_id_elsewhere(village_clerk,
                                                                      make_person):
    make_person(factories.OTHER_GRID, id_number=BABY_ID, sex="F", birth_date=BIRTH)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("register_person", "--as", "village_clerk", "--id-type", "resident_id",
                     "--number", BABY_ID, "--name", "周小宝", "--sex", "F",
                     "--birth-date", str(BIRTH), "--region", factories.GRID, stderr=err)
    line = err.getvalue()
    assert "可申请转入" in line and "南塘村" not in line and "浏阳" not in line
