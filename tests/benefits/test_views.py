"""The calculator and the guided special-case pages: scope, bad input, and one engine for all."""
import datetime as dt
import io
import json
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command

from benefits import inputs
from enrollment import services as registry
from enrollment.models import AuditEntry, Enrollment, Person, PersonGroup, Scheme, School
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = ["newborn", "student", "welfare", "transfer", "exit", "repair", "relative", "hardship"]


def enroll(actor, person, year, paid_on, **kw):
    return registry.enrollment_record(actor=actor, person=person, year=year, paid_on=paid_on,
                                      amount_paid=Decimal("400"), **kw)


def special_url(person, kind):
    return f"/benefits/persons/{person.pk}/special/?category={kind}"


# --- calculator ------------------------------------------------------------------------------


def test_calculator_needs_login(client):
    assert client.get("/benefits/calculator/").status_code == 302


def test_blank_calculator_renders(as_user, village_clerk):
    response = as_user(village_clerk).get("/benefits/calculator/")
    assert response.status_code == 200
    assert "政策计算器" in response.content.decode()


def test_calculator_prefills_from_the_persons_history(as_user, village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))
    response = as_user(village_clerk).get(f"/benefits/calculator/?person={person.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["h2025"] == "resident"
    assert form.initial["birth_date"] == "1980-05-01"
    assert response.context["result"] is not None


def test_neighbours_person_is_404_in_the_calculator(as_user, neighbour_clerk, make_person):
    person = make_person(factories.GRID)
    client = as_user(neighbour_clerk)
    assert client.get(f"/benefits/calculator/?person={person.pk}").status_code == 404
    assert client.get("/benefits/calculator/?person=abc").status_code == 404


def calc_params(**over):
    params = {"profile": "hunan", "year": 2027, "paid_on": "2026-11-20",
              "birth_date": "1980-05-01", "category": "general", "group": "",
              "repair_years": 1, "h2026": "gap", "h2025": "resident"}
    params.update(over)
    return params


def test_calculator_writes_nothing(as_user, village_clerk, make_person):
    make_person()
    before = (Enrollment.objects.count(), AuditEntry.objects.count(), Person.objects.count())
    response = as_user(village_clerk).get("/benefits/calculator/", calc_params())
    assert response.context["result"]["repair_due"] == "420.00"
    assert (Enrollment.objects.count(), AuditEntry.objects.count(),
            Person.objects.count()) == before


def test_calculator_year_without_standards_is_a_field_error(as_user, village_clerk):
    response = as_user(village_clerk).get("/benefits/calculator/",
                                          calc_params(year=2031, paid_on="2026-11-20"))
    assert "尚未设置缴费标准" in response.context["form"].errors["year"][0]
    assert response.context["result"] is None


def test_calculator_payment_before_birth_is_a_field_error(as_user, village_clerk):
    response = as_user(village_clerk).get("/benefits/calculator/",
                                          calc_params(birth_date="2026-12-01", year=2027,
                                                      repair_years=0))
    assert "早于出生日期" in response.context["form"].errors["paid_on"][0]


def test_calculator_repair_more_than_gap_is_a_field_error(as_user, village_clerk):
    response = as_user(village_clerk).get("/benefits/calculator/", calc_params(repair_years=3))
    assert "修复年数不能超过断缴年数" in response.context["form"].errors["repair_years"][0]


# --- the same case through the form, the calculator and policy_case ----------------------------

FIELDS = ["amount_due", "subsidy", "repair_due", "benefit_start", "benefit_end",
          "in_concentrated_period"]


def test_registration_form_calculator_and_policy_case_agree(as_user, village_clerk, make_person,
                                                            capsys):
    person = make_person()
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))  # 2026 is a gap
    client = as_user(village_clerk)
    response = client.post(f"/persons/{person.pk}/enroll/", {
        "year": 2027, "scheme": "resident", "paid_on": "2026-11-20", "amount_paid": "860",
        "channel": "individual", "repair_years": 1})
    assert response.status_code == 302, response.context["form"].errors
    stored = Enrollment.objects.get(person=person, year=2027)

    calc = client.get("/benefits/calculator/", calc_params()).context["result"]

    case = inputs.case_for_enrollment(stored)
    old = sys.stdin
    sys.stdin = io.StringIO(json.dumps(case))
    try:
        call_command("policy_case", "-")
    finally:
        sys.stdin = old
    command = json.loads(capsys.readouterr().out)

    from_form = {
        "amount_due": f"{stored.amount_due:.2f}", "subsidy": f"{stored.subsidy:.2f}",
        "repair_due": f"{stored.repair_due:.2f}",
        "benefit_start": stored.benefit_start.isoformat(),
        "benefit_end": stored.benefit_end.isoformat(),
        "in_concentrated_period": stored.in_concentrated_period,
        "waiting": {"fixed": stored.waiting_fixed, "variable": stored.waiting_variable,
                    "repaired": stored.waiting_repaired, "total": stored.waiting_months},
        "effective_cap": stored.effective_cap, "rules": stored.rule_ids,
        "explanation": stored.explanation,
    }
    for result in (calc, command):
        assert {k: result[k] for k in FIELDS} == {k: from_form[k] for k in FIELDS}
        assert result["waiting"] == from_form["waiting"]
        assert result["catastrophic"]["effective_cap"] == from_form["effective_cap"]
        assert result["rules"] == from_form["rules"]
        assert result["explanation"] == from_form["explanation"]
    assert from_form["repair_due"] == "420.00" and from_form["waiting"]["total"] == 3


# --- special-case pages: reachable, scoped ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_special_case_page_opens_for_the_clerk(as_user, village_clerk, make_person, kind):
    person = make_person()
    response = as_user(village_clerk).get(special_url(person, kind))
    assert response.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_neighbour_clerk_gets_404_on_each_special_case(as_user, neighbour_clerk, make_person,
                                                       kind):
    person = make_person(factories.GRID)
    client = as_user(neighbour_clerk)
    assert client.get(special_url(person, kind)).status_code == 404
    assert client.post(special_url(person, kind), {"year": 2026}).status_code == 404
    assert not Enrollment.objects.exists()


def test_neighbour_cannot_use_someone_elses_family_for_a_newborn(as_user, neighbour_clerk,
                                                                make_person):
    parent = make_person(factories.GRID)
    assert as_user(neighbour_clerk).get(
        f"/benefits/newborn/?parent={parent.pk}").status_code == 404


def test_city_leader_cannot_register_special_cases(as_user, city_leader, make_person):
    person = make_person()
    client = as_user(city_leader)
    assert client.get(special_url(person, "repair")).status_code == 403
    assert client.get("/benefits/newborn/").status_code == 403
    assert client.get(f"/benefits/calculator/?person={person.pk}").status_code == 200


def test_unknown_category_is_404(as_user, village_clerk, make_person):
    assert as_user(village_clerk).get(special_url(make_person(), "lottery")).status_code == 404


def test_person_page_links_the_special_cases_and_calculator(as_user, village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person, 2026, dt.date(2026, 3, 15))
    text = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    for kind in KINDS[1:]:
        assert f"?category={kind}" in text
    assert f"/benefits/newborn/?parent={person.pk}" in text
    assert f"/benefits/calculator/?person={person.pk}" in text
    assert "测算依据" in text and "R-DUE-LATE" in text


# --- newborn ------------------------------------------------------------------------------------


def newborn_post(**over):
    data = {"p-name": "张小宝", "p-sex": "M", "p-birth_date": "2026-10-20",
            "p-birth_cert_number": "r430000123", "p-residence_region": factories.GRID,
            "paid_on": "2026-11-20", "channel": "individual", "newborn_next_year_only": "on"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_newborn_born_in_october_pays_only_next_year(as_user, village_clerk, make_person):
    parent = make_person()
    response = as_user(village_clerk).post(f"/benefits/newborn/?parent={parent.pk}",
                                           newborn_post())
    assert response.status_code == 302
    baby = Person.objects.get(birth_cert_number="R430000123")
    assert baby.id_number is None and baby.id_type == "birth_cert"
    e = baby.enrollments.get()
    assert e.year == 2027 and e.amount_due == Decimal("440.00")
    assert e.benefit_start == dt.date(2027, 1, 1) and e.waiting_months == 0
    assert e.case_details["category"] == "newborn" and "R-NB-OCT" in e.rule_ids


def test_newborn_within_90_days_is_covered_from_birth(as_user, village_clerk):
    response = as_user(village_clerk).post("/benefits/newborn/", newborn_post(**{
        "p-birth_date": "2026-09-01", "paid_on": "2026-11-01", "newborn_next_year_only": None}))
    assert response.status_code == 302
    e = Person.objects.get(birth_cert_number="R430000123").enrollments.get()
    assert e.year == 2026 and e.benefit_start == dt.date(2026, 9, 1)
    assert e.amount_due == Decimal("420.00") and e.amount_paid == Decimal("420.00")


def test_existing_birth_certificate_reuses_the_file(as_user, village_clerk):
    client = as_user(village_clerk)
    client.post("/benefits/newborn/", newborn_post(**{"p-birth_date": "2026-09-01",
                                                     "paid_on": "2026-11-01",
                                                     "newborn_next_year_only": None}))
    response = client.post("/benefits/newborn/", newborn_post(**{
        "p-birth_date": "2026-09-01", "paid_on": "2026-11-02", "newborn_next_year_only": None}))
    assert response.status_code == 200
    assert "已有城乡居民医保参保登记" in str(response.context["form"].errors["year"])
    assert Person.objects.filter(birth_cert_number="R430000123").count() == 1


def test_newborn_paid_before_birth_writes_nothing(as_user, village_clerk):
    response = as_user(village_clerk).post("/benefits/newborn/", newborn_post(
        paid_on="2026-10-01"))
    assert response.status_code == 200
    assert "早于出生日期" in response.context["form"].errors["paid_on"][0]
    assert not Person.objects.filter(birth_cert_number="R430000123").exists()


def test_newborn_next_year_option_before_october_is_refused(as_user, village_clerk):
    response = as_user(village_clerk).post("/benefits/newborn/", newborn_post(**{
        "p-birth_date": "2026-09-01", "paid_on": "2026-11-01"}))
    assert response.status_code == 200
    assert "不能选择只缴纳次年" in response.context["form"].errors["newborn_next_year_only"][0]
    assert not Person.objects.filter(birth_cert_number="R430000123").exists()
    assert not Enrollment.objects.exists()


# --- the other special cases ------------------------------------------------------------------


def test_student_enrolls_once_through_the_school(as_user, village_clerk, make_person):
    school = School.objects.create(code="S1", name="湖南某学院", kind=School.Kind.COLLEGE,
                                   region_id=factories.VILLAGE)
    person = make_person(birth_date=dt.date(2008, 3, 1))
    enroll(village_clerk, person, 2026, dt.date(2025, 10, 1))
    client = as_user(village_clerk)
    post = {"year": 2027, "paid_on": "2026-09-20", "school": school.pk, "first_at_school": "on"}
    assert client.post(special_url(person, "student"), post).status_code == 302
    e = Enrollment.objects.get(person=person, year=2027)
    assert e.channel == "school_batch" and e.benefit_start == dt.date(2026, 9, 1)
    assert e.case_details["school"] == "S1"
    again = client.post(special_url(person, "student"), post)
    assert "学生每年只能通过学校参保一次" in again.context["form"].errors["year"][0]
    home = client.post(f"/persons/{person.pk}/enroll/", {
        "year": 2027, "scheme": "resident", "paid_on": "2026-10-01", "amount_paid": "440",
        "channel": "individual", "repair_years": 0})
    assert "已有城乡居民医保参保登记" in home.context["form"].errors["year"][0]
    assert Enrollment.objects.filter(person=person, year=2027).count() == 1


def test_student_needs_a_school(as_user, village_clerk, make_person):
    person = make_person(birth_date=dt.date(2008, 3, 1))
    response = as_user(village_clerk).post(special_url(person, "student"),
                                           {"year": 2027, "paid_on": "2026-09-20"})
    assert "school" in response.context["form"].errors


def test_welfare_child_is_covered_from_entry(as_user, village_clerk, make_person):
    child = make_person(birth_date=dt.date(2015, 6, 1))
    client = as_user(village_clerk)
    missing = client.post(special_url(child, "welfare"), {"year": 2026, "paid_on": "2026-05-06"})
    assert "welfare_entry_on" in missing.context["form"].errors
    response = client.post(special_url(child, "welfare"), {
        "year": 2026, "paid_on": "2026-05-06", "welfare_entry_on": "2026-04-10"})
    assert response.status_code == 302
    e = child.enrollments.get()
    assert e.benefit_start == dt.date(2026, 4, 10) and e.waiting_months == 0


def test_employee_to_resident_within_3_months(as_user, village_clerk, make_person):
    person = make_person(birth_date=dt.date(1975, 1, 9))
    Enrollment.objects.create(person=person, year=2025, scheme=Scheme.EMPLOYEE,
                              pooling_region_id=factories.COUNTY, status="active",
                              cover_start=dt.date(2025, 1, 1), cover_end=dt.date(2025, 12, 31))
    response = as_user(village_clerk).post(special_url(person, "transfer"), {
        "year": 2026, "paid_on": "2026-06-20", "employee_ended_on": "2026-05-01"})
    assert response.status_code == 302
    e = person.enrollments.get(scheme=Scheme.RESIDENT)
    assert e.benefit_start == dt.date(2026, 5, 1) and e.amount_due == Decimal("420.00")
    assert "R-EMP-3M" in e.rule_ids


def test_exit_needs_a_reason(as_user, village_clerk, make_person):
    person = make_person()
    client = as_user(village_clerk)
    bad = client.post(special_url(person, "exit"), {"year": 2026, "paid_on": "2026-05-10",
                                                    "exited_on": "2026-03-01"})
    assert "exit_reason" in bad.context["form"].errors
    ok = client.post(special_url(person, "exit"), {"year": 2026, "paid_on": "2026-05-10",
                                                   "exited_on": "2026-03-01",
                                                   "exit_reason": "veteran"})
    assert ok.status_code == 302
    e = person.enrollments.get()
    assert e.case_details["exit_reason"] == "veteran"
    assert e.case_details["category"] == "exit_other_scheme"


def test_repair_more_years_than_the_gap_writes_nothing(as_user, village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))
    response = as_user(village_clerk).post(special_url(person, "repair"), {
        "year": 2027, "paid_on": "2026-11-20", "repair_years": 2, "channel": "individual"})
    assert response.status_code == 200
    assert "修复年数不能超过断缴年数" in response.context["form"].errors["repair_years"][0]
    assert not Enrollment.objects.filter(year=2027).exists()
    ok = as_user(village_clerk).post(special_url(person, "repair"), {
        "year": 2027, "paid_on": "2026-11-20", "repair_years": 1, "channel": "individual"})
    assert ok.status_code == 302
    e = Enrollment.objects.get(year=2027)
    assert e.repair_due == Decimal("420.00") and e.amount_paid == Decimal("860.00")


def test_relative_account_only_for_close_relatives(as_user, village_clerk, make_person):
    person = make_person()
    payer = make_person(name="李四")
    # The payer needs a live employee personal account (R-RELATIVES).
    Enrollment.objects.create(person=payer, year=2026, scheme="employee",
                              pooling_region_id="430121000000", status="active",
                              cover_start=dt.date(2020, 1, 1))
    client = as_user(village_clerk)
    bad = client.post(special_url(person, "relative"), {
        "year": 2027, "paid_on": "2026-11-20", "payer_id_number": payer.id_number,
        "payer_relation": "other"})
    assert "payer_relation" in bad.context["form"].errors
    assert not Enrollment.objects.filter(person=person).exists()
    ok = client.post(special_url(person, "relative"), {
        "year": 2027, "paid_on": "2026-11-20", "payer_id_number": payer.id_number,
        "payer_relation": "spouse"})
    assert ok.status_code == 302
    e = person.enrollments.get()
    assert e.channel == "relative_account" and e.payer == payer


def test_hardship_subsidy_comes_from_the_persons_group(as_user, village_clerk, make_person):
    person = make_person(birth_date=dt.date(1950, 7, 7))
    client = as_user(village_clerk)
    refused = client.post(special_url(person, "hardship"), {
        "year": 2027, "paid_on": "2026-11-20", "channel": "individual"})
    assert "不属于特困人员" in refused.context["form"].errors["paid_on"][0]
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2024, 1, 1))
    page = client.get(special_url(person, "hardship")).content.decode()
    assert "低保对象" in page
    ok = client.post(special_url(person, "hardship"), {
        "year": 2027, "paid_on": "2026-11-20", "channel": "individual"})
    assert ok.status_code == 302
    e = person.enrollments.get()
    assert e.subsidy == Decimal("220.00") and e.amount_due == Decimal("220.00")


def test_duplicate_is_refused_naming_the_existing_enrollment(as_user, village_clerk,
                                                             make_person):
    person = make_person()
    enroll(village_clerk, person, 2027, dt.date(2026, 10, 1))
    response = as_user(village_clerk).post(special_url(person, "repair"), {
        "year": 2027, "paid_on": "2026-11-20", "repair_years": 1, "channel": "individual"})
    errors = str(response.context["form"].errors)
    assert "已有城乡居民医保参保登记" in errors or "修复年数" in errors
    assert Enrollment.objects.filter(person=person, year=2027).count() == 1
