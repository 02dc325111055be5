"""The answer before saving: the 参保登记 form's preview endpoint shows what the one door would
store (amounts, waiting period, benefit dates, cap, the case found, refusals), writes nothing,
and is scoped exactly like the form."""
import datetime as dt
import re

import pytest

from enrollment import services
from enrollment.models import AuditEntry, Enrollment, Person, Scheme
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


def snapshot():
    return (list(Enrollment.objects.order_by("pk").values()), AuditEntry.objects.count(),
            Person.objects.count())


def fields(**extra):
    return {"year": 2027, "scheme": "resident", "paid_on": "2026-11-10",
            "channel": "individual", "repair_years": 0, **extra}


def field(html, name):
    match = re.search(rf'data-field="{name}">([^<]+)<', html)
    assert match, f"no {name} in the preview"
    return match.group(1).strip()


def test_preview_shows_what_the_one_door_would_store_and_writes_nothing(
        as_user, village_clerk, make_person):
    person = make_person()
    client = as_user(village_clerk)
    before = snapshot()
    response = client.post(f"/persons/{person.pk}/enroll/preview/", fields())
    assert response.status_code == 200
    html = response.content.decode()
    assert snapshot() == before, "the preview wrote something"
    plan = services.enrollment_preview(actor=village_clerk, person=person, year=2027,
                                       paid_on=dt.date(2026, 11, 10), channel="individual")
    e = plan.enrollment
    assert field(html, "amount_due") == f"{e.amount_due}元"
    assert field(html, "subsidy") == f"{e.subsidy}元"
    assert field(html, "total") == f"{e.amount_due + e.repair_due}元"
    assert field(html, "effective_cap") == f"{plan.determination['catastrophic']['effective_cap']}元"
    assert f"{e.benefit_start:%Y-%m-%d} 至 {e.benefit_end:%Y-%m-%d}" in html
    assert plan.found_case["reason"] in html
    # Rule ids sit behind the toggle, not on every line.
    rules = "、".join(plan.determination["rules"])
    assert re.search(r"<details[^>]*><summary[^>]*>政策条款编号</summary>\s*<span[^>]*>"
                     + re.escape(rules), html)
    for line in plan.determination["explanation"]:
        assert line in html


def test_preview_offers_the_repair_of_gap_years(as_user, village_clerk, make_person):
    person = make_person()
    Enrollment.objects.create(person=person, year=2024, pooling_region_id=factories.COUNTY,
                              status="active", paid_on=dt.date(2023, 10, 10))
    html = as_user(village_clerk).post(f"/persons/{person.pk}/enroll/preview/",
                                       fields()).content.decode()
    option = field(html, "repair_option") if 'data-field="repair_option"' in html else ""
    repaired = services.enrollment_preview(actor=village_clerk, person=person, year=2027,
                                           paid_on=dt.date(2026, 11, 10), repair_years=2)
    assert repaired.ok
    assert "可选补缴" in option and f"{repaired.enrollment.repair_due}元" in option


def test_preview_shows_the_refusal_before_saving(as_user, village_clerk, make_person):
    person = make_person()
    services.enrollment_record(actor=village_clerk, person=person, year=2027,
                               paid_on=dt.date(2026, 11, 1))
    before = snapshot()
    html = as_user(village_clerk).post(f"/persons/{person.pk}/enroll/preview/",
                                       fields()).content.decode()
    assert 'data-preview="refused"' in html
    assert "2027年已有城乡居民医保参保登记" in html
    assert snapshot() == before


def test_preview_shows_overlapping_employee_cover(as_user, village_clerk, make_person):
    person = make_person()
    Enrollment.objects.create(person=person, year=2026, scheme=Scheme.EMPLOYEE,
                              status="active", pooling_region_id=factories.COUNTY,
                              cover_start=dt.date(2020, 1, 1), channel="employer")
    html = as_user(village_clerk).post(f"/persons/{person.pk}/enroll/preview/",
                                       fields()).content.decode()
    assert "重叠" in html and "职工医保转居民医保" in html


def test_preview_shows_the_form_errors_in_chinese(as_user, village_clerk, make_person):
    person = make_person(birth_date=dt.date(2026, 6, 1))
    html = as_user(village_clerk).post(f"/persons/{person.pk}/enroll/preview/",
                                       fields(paid_on="2026-05-01")).content.decode()
    assert "缴费日期" in html and "出生日期" in html


def test_neighbour_cannot_preview_and_leader_may_not(as_user, neighbour_clerk, city_leader,
                                                     make_person):
    person = make_person()
    assert as_user(neighbour_clerk).post(f"/persons/{person.pk}/enroll/preview/",
                                         fields()).status_code == 404
    assert as_user(city_leader).post(f"/persons/{person.pk}/enroll/preview/",
                                     fields()).status_code == 403


def test_preview_is_post_only(as_user, village_clerk, make_person):
    person = make_person()
    assert as_user(village_clerk).get(f"/persons/{person.pk}/enroll/preview/").status_code == 405


def test_preview_button_without_javascript_renders_the_same_and_saves_nothing(
        as_user, village_clerk, make_person):
    person = make_person()
    client = as_user(village_clerk)
    fragment = client.post(f"/persons/{person.pk}/enroll/preview/", fields()).content.decode()
    page = client.post(f"/persons/{person.pk}/enroll/", fields(preview="预览")).content.decode()
    assert not Enrollment.objects.exists()
    assert field(page, "total") == field(fragment, "total")
    assert 'data-preview-url="/persons/%d/enroll/preview/"' % person.pk in page
    assert "<script>" not in page and "onclick" not in page


def test_case_override_without_reason_is_refused_in_the_preview(as_user, village_clerk,
                                                                make_person):
    baby = make_person(birth_date=dt.date(2026, 10, 20))
    client = as_user(village_clerk)
    html = client.post(f"/persons/{baby.pk}/enroll/preview/",
                       fields(year=2026, case_category="general")).content.decode()
    assert "原因" in html and 'data-preview="refused"' in html
    response = client.post(f"/persons/{baby.pk}/enroll/", fields(
        year=2026, case_category="general", override_reason="出生证明日期有误，已核实"))
    assert response.status_code == 302
    e = Enrollment.objects.get(person=baby)
    assert e.case_details["category"] == "general"
    assert e.case_details["override_reason"] == "出生证明日期有误，已核实"
