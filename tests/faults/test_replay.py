"""Replayed and double-submitted writes are idempotent: each write form carries a single-use
token, the second POST of the same token writes nothing and is sent to the first one's result
with "该表单已提交，请勿重复提交" (a department file's confirmation too); and the one
door refuses a second employee enrollment for the same person and months."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from core.models import SubmittedForm
from core.once import REPLAY_MESSAGE
from enrollment import services
from enrollment.models import Enrollment, Person
from tests import factories
from tests.benefits.test_views import newborn_post
from tests.enrollment.exchange.conftest import xlsx_bytes
from tests.enrollment.test_views import VALID_ID, registration

pytestmark = pytest.mark.django_db

ELSEWHERE_HEADER = ["证件号码", "姓名", "年度", "险种", "参保地区划代码", "参保地名称"]


def token_in(response) -> str:
    match = re.search(r'name="form_token"\s+value="([^"]+)"', response.content.decode())
    assert match, "the form carries no single-use token"
    return match.group(1)


def post_twice(client, url, data):
    token = token_in(client.get(url))
    first = client.post(url, {**data, "form_token": token})
    second = client.post(url, {**data, "form_token": token}, follow=True)
    return first, second


def said_replay(response) -> bool:
    return REPLAY_MESSAGE in response.content.decode()


def test_person_registration_posted_twice_creates_one_file(as_user, village_clerk):
    first, second = post_twice(as_user(village_clerk), "/persons/new/", registration())
    assert first.status_code == 302
    assert Person.objects.filter(id_number=VALID_ID).count() == 1
    assert said_replay(second)
    assert second.redirect_chain[-1][0] == first["Location"]  # the result of the first


def test_enrollment_posted_twice_records_one_payment(as_user, village_clerk, make_person):
    person = make_person()
    first, second = post_twice(as_user(village_clerk), f"/persons/{person.pk}/enroll/", {
        "year": 2027, "scheme": "employee", "paid_on": "2026-11-20", "amount_paid": "400",
        "cover_start": "2027-01-01", "cover_end": "2027-06-30", "channel": "individual",
        "repair_years": 0})
    assert first.status_code == 302, first.context["form"].errors
    assert Enrollment.objects.filter(person=person, year=2027).count() == 1
    assert said_replay(second)


def test_newborn_posted_twice_registers_once(as_user, village_clerk):
    first, second = post_twice(as_user(village_clerk), "/benefits/newborn/", newborn_post())
    assert first.status_code == 302
    baby = Person.objects.get(birth_cert_number="R430000123")
    assert baby.enrollments.count() == 1
    assert said_replay(second)


def test_batch_collection_posted_twice_records_once(as_user, village_clerk, make_person):
    from tests.enrollment.test_batch import PARAMS

    people = [make_person(name=f"代收{i}") for i in range(2)]
    client = as_user(village_clerk)
    page = client.get("/enrollments/batch/", PARAMS)
    url = "/enrollments/batch/?" + "&".join(f"{k}={v}" for k, v in PARAMS.items())
    data = {**PARAMS, "person": [p.pk for p in people], "form_token": token_in(page)}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data, follow=True)
    assert Enrollment.objects.filter(person__in=people, year=PARAMS["year"]).count() == 2
    assert said_replay(second)


def _elsewhere_preview(client, person, scheme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enrollment.models import FeedImport

    upload = SimpleUploadedFile("异地.xlsx", xlsx_bytes(ELSEWHERE_HEADER, [
        [person.id_number, person.name, 2026, scheme, factories.OTHER_COUNTY, ""]]))
    client.post("/exchange/elsewhere/", {"file": upload})
    imp = FeedImport.objects.latest("pk")
    return client.get(f"/exchange/imports/{imp.pk}/"), f"/exchange/imports/{imp.pk}/confirm/"


@pytest.mark.parametrize("scheme", ["职工", "居民"])
def test_feed_confirm_posted_three_times_applies_once(as_user, township_officer, make_person,
                                                      scheme, settings, tmp_path,
                                                      django_capture_on_commit_callbacks):
    settings.UPLOAD_STAGING_DIR = tmp_path / "staged"
    person = make_person()
    client = as_user(township_officer)
    preview, url = _elsewhere_preview(client, person, scheme)
    data = {"mode": "all", "form_token": token_in(preview)}
    with django_capture_on_commit_callbacks(execute=True):
        responses = [client.post(url, data, follow=True) for _ in range(3)]
    assert all(r.status_code == 200 for r in responses)
    assert Enrollment.objects.filter(person=person, year=2026, elsewhere=True).count() == 1
    assert said_replay(responses[1]) and said_replay(responses[2])


def test_a_form_sent_back_with_errors_gives_its_token_back(as_user, village_clerk):
    client = as_user(village_clerk)
    token = token_in(client.get("/persons/new/"))
    bad = client.post("/persons/new/", {**registration(id_number="123"), "form_token": token})
    assert bad.status_code == 200 and not SubmittedForm.objects.exists()
    good = client.post("/persons/new/", {**registration(), "form_token": token})
    assert good.status_code == 302  # corrected and resent with the same page's token
    assert Person.objects.filter(id_number=VALID_ID).count() == 1


def test_a_forged_token_is_refused(as_user, village_clerk):
    response = as_user(village_clerk).post(
        "/persons/new/", {**registration(), "form_token": "made-up"}, follow=True)
    assert "页面已过期" in response.content.decode()
    assert not Person.objects.filter(id_number=VALID_ID).exists()


def test_one_door_refuses_a_second_employee_enrollment_for_the_same_months(village_clerk,
                                                                          make_person):
    person = make_person()
    kwargs = dict(actor=village_clerk, person=person, year=2026, scheme="employee",
                  elsewhere=True, pooling_region_id=None, cover_start=dt.date(2026, 1, 1),
                  confirmed=True)
    kwargs.pop("pooling_region_id")
    services.enrollment_record(**kwargs)
    with pytest.raises(ValidationError) as refused:
        services.enrollment_record(**kwargs)
    assert "已有职工医保参保登记" in str(refused.value.message_dict["cover_start"])
    later = dict(kwargs, cover_start=dt.date(2026, 7, 1))
    with pytest.raises(ValidationError):
        services.enrollment_record(**later)  # open-ended cover overlaps any later month
    assert Enrollment.objects.filter(person=person, scheme="employee").count() == 1


def test_one_door_allows_employee_cover_for_other_months(village_clerk, make_person):
    person = make_person()
    base = dict(actor=village_clerk, person=person, year=2026, scheme="employee",
                elsewhere=True, confirmed=True)
    services.enrollment_record(**base, cover_start=dt.date(2026, 1, 1),
                               cover_end=dt.date(2026, 5, 31))
    services.enrollment_record(**base, cover_start=dt.date(2026, 6, 1))
    assert Enrollment.objects.filter(person=person, scheme="employee").count() == 2
