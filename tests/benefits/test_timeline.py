"""The person file tells the whole story: every year from the counting start to the next
coverage year, gap years as rows, the January recalculation's results (its cap, not the one
determined at registration), and 若今天缴费."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from benefits import inputs, timeline
from benefits.models import PersonYearStatus
from enrollment import services
from enrollment.models import Enrollment, Scheme
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


def resident(person, year, paid_on, **kw):
    return Enrollment.objects.create(person=person, year=year, scheme=Scheme.RESIDENT,
                                     status="active", pooling_region_id=factories.COUNTY,
                                     paid_on=paid_on, in_concentrated_period=True,
                                     amount_paid=Decimal("400"), **kw)


def rows(html):
    return dict(re.findall(r'data-year="(\d{4})" data-kind="(\w+)"', html))


def test_gap_year_has_a_row_of_its_own(as_user, village_clerk, make_person):
    person = make_person()
    resident(person, 2025, dt.date(2024, 11, 1))
    services.enrollment_record(actor=village_clerk, person=person, year=2027,
                               paid_on=dt.date(2026, 11, 10))
    html = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    counting = inputs.profile_for_region(person.residence_region_id).counting_start_year
    assert counting == 2025
    # From the counting start to the next coverage year (2027 in December 2026), newest first.
    assert rows(html) == {"2027": "resident", "2026": "gap", "2025": "resident"}
    assert list(rows(html)) == ["2027", "2026", "2025"]
    gap = html[html.index('data-year="2026"'):html.index('data-year="2025"')]
    assert "断缴" in gap and "text-bg-danger" in gap


def test_the_timeline_starts_at_birth_when_later_and_marks_the_open_year(village_clerk,
                                                                         make_person):
    baby = make_person(birth_date=dt.date(2026, 3, 1))
    years = timeline.person_timeline(village_clerk, baby)
    assert [(y.year, y.kind) for y in years] == [(2027, "open"), (2026, "gap")]


def test_page_shows_the_recalculated_cap_not_the_registration_one(as_user, village_clerk,
                                                                   make_person):
    person = make_person()
    resident(person, 2026, dt.date(2025, 11, 1), effective_cap=310000,
             rule_ids=["R-CAT-CONT"], explanation=["登记时测算"])
    PersonYearStatus.objects.create(
        person=person, year=2026, pooling_region_id=factories.COUNTY, continuity_years=2,
        continuity_bonus=Decimal("0"), zero_claim_credit=Decimal("0"),
        gap_penalty=Decimal("10000"), effective_cap=Decimal("300000"), gap_years=1,
        updated_at=timezone.now())
    html = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    year = html[html.index('data-year="2026"'):html.index('data-year="2025"')]
    assert 'data-field="cap">300000元</strong>' in year and "（1月重算）" in year
    assert "310000" not in html
    assert "断缴降额 −10000元" in year and "连续参保2年" in year


def test_without_a_recalculation_the_registration_cap_is_shown(as_user, village_clerk,
                                                               make_person):
    person = make_person()
    resident(person, 2026, dt.date(2025, 11, 1), effective_cap=310000)
    html = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    assert 'data-field="cap">310000元</strong>' in html and "（登记时测算）" in html


def test_employee_months_count_towards_the_year(village_clerk, make_person):
    person = make_person()
    Enrollment.objects.create(person=person, year=2025, scheme=Scheme.EMPLOYEE,
                              status="stopped", pooling_region_id=factories.COUNTY,
                              cover_start=dt.date(2024, 3, 1), cover_end=dt.date(2025, 8, 31),
                              channel="employer")
    Enrollment.objects.create(person=person, year=2026, scheme=Scheme.EMPLOYEE,
                              status="active", pooling_region_id=factories.COUNTY,
                              cover_start=dt.date(2026, 11, 1), channel="employer")
    years = {y.year: y for y in timeline.person_timeline(village_clerk, person)}
    assert (years[2025].kind, years[2025].employee_months) == ("employee", 8)
    # Two months are too few for a neutral year: still a gap, and it says why.
    assert (years[2026].kind, years[2026].employee_months) == ("gap", 2)
    assert "不足" in years[2026].label


def test_neighbour_gets_no_timeline(neighbour_clerk, make_person):
    person = make_person()
    resident(person, 2026, dt.date(2025, 11, 1))
    assert timeline.person_timeline(neighbour_clerk, person) == []


def test_if_paid_today_shows_the_same_preview(as_user, village_clerk, city_leader, make_person):
    person = make_person()
    html = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    plan = services.enrollment_preview(actor=village_clerk, person=person, year=2027,
                                       paid_on=dt.date(2026, 12, 1), channel="individual")
    e = plan.enrollment
    assert "若今天缴费" in html and "2027年度" in html
    assert f'data-field="total">{e.amount_due + e.repair_due}元<' in html
    assert not Enrollment.objects.exists()
    # A read-only leader sees the file without the panel (the preview asks for a clerk).
    assert "若今天缴费" not in as_user(city_leader).get(f"/persons/{person.pk}/").content.decode()


def test_if_paid_today_is_gone_once_the_year_is_covered(as_user, village_clerk, make_person):
    person = make_person()
    services.enrollment_record(actor=village_clerk, person=person, year=2027,
                               paid_on=dt.date(2026, 11, 10))
    assert "若今天缴费" not in as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()


def test_years_before_the_counting_start_are_not_gaps(village_clerk, make_person):
    person = make_person()
    resident(person, 2023, dt.date(2022, 10, 1))
    years = {y.year: y for y in timeline.person_timeline(village_clerk, person)}
    assert min(years) == 2023, "an earlier enrollment is never hidden"
    assert years[2024].kind == "before" and "不计断缴" in years[2024].label
    assert years[2025].kind == "gap" and years[2026].kind == "gap"
