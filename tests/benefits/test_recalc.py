"""The January recalculation: statuses per person-year, idempotent and resumable jobs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from benefits.models import PolicyProfile, PoolingRegionProfile, YearStandard
from benefits.models import (
    ClaimSummary,
    JobStatus,
    PersonYearStatus,
    RecalcChunk,
    RecalcJob,
)
from benefits.recalc import services
from benefits.rules import Claim, Enrollment as RulesEnrollment, Person as RulesPerson, determine
from benefits.rules.errors import CaseError
from enrollment.models import Enrollment, EnrollmentStatus, Scheme
from tests import factories

pytestmark = pytest.mark.django_db

HUNAN_COUNTY = factories.COUNTY  # under the demo city, mapped to hunan by the data migration
SHANXI_COUNTY = factories.OTHER_COUNTY  # mapped to shanxi by `policies`
YEAR = 2029


# --- helpers shared by the recalculation tests -------------------------------------------------


def ensure_policies(last_year: int = 2031) -> None:
    """Standards for every year the tests use, and a shanxi county beside the hunan one."""
    for profile in PolicyProfile.objects.filter(code__in=["hunan", "shanxi"]):
        latest = profile.standards.order_by("-year").first()
        for year in range(2024, last_year + 1):
            YearStandard.objects.get_or_create(profile=profile, year=year, defaults={
                "individual": latest.individual + 10 * (year - latest.year),
                "subsidy": latest.subsidy, "catastrophic_cap": latest.catastrophic_cap,
                "concentrated_start": dt.date(year - 1, 9, 1),
                "concentrated_end": dt.date(year - 1, 12, 31), "hardship": latest.hardship})
    PoolingRegionProfile.objects.update_or_create(
        region_id=SHANXI_COUNTY, defaults={"profile": PolicyProfile.objects.get(code="shanxi")})
    # The shipped mapping of the demo city (a transactional test's flush may have removed it).
    PoolingRegionProfile.objects.get_or_create(
        region_id=factories.CITY, defaults={"profile": PolicyProfile.objects.get(code="hunan")})


def rules_standards(code: str) -> dict:
    return {s.year: s.to_rules() for s in YearStandard.objects.filter(profile__code=code)}


def rules_profile(code: str):
    return PolicyProfile.objects.get(code=code).to_rules()


def add_year(person, year: int, status: str, county: str) -> None:
    """Record one history year as the registry would: resident (on time), resident_late,
    employee:N, awaiting (unpaid, counts as a gap) or gap (nothing)."""
    if status == "resident":
        Enrollment.objects.create(person=person, year=year, pooling_region_id=county,
                                  status=EnrollmentStatus.ACTIVE,
                                  paid_on=dt.date(year - 1, 10, 15), in_concentrated_period=True)
    elif status == "resident_late":
        Enrollment.objects.create(person=person, year=year, pooling_region_id=county,
                                  status=EnrollmentStatus.ACTIVE, paid_on=dt.date(year, 4, 10))
    elif status.startswith("employee:"):
        months = int(status.split(":")[1])
        Enrollment.objects.create(person=person, year=year, scheme=Scheme.EMPLOYEE,
                                  pooling_region_id=county, status=EnrollmentStatus.STOPPED,
                                  cover_start=dt.date(year, 13 - months, 1),
                                  cover_end=dt.date(year, 12, 20))
    elif status == "awaiting":
        Enrollment.objects.create(person=person, year=year, pooling_region_id=county,
                                  status=EnrollmentStatus.AWAITING_PAYMENT)


def history_for_rules(statuses: dict[int, str]) -> dict[int, str]:
    return {y: s for y, s in statuses.items() if s not in ("gap", "awaiting")}


def enroll_current(person, year: int, paid_on: dt.date, county: str, repair_years: int = 0):
    return Enrollment.objects.create(person=person, year=year, pooling_region_id=county,
                                     status=EnrollmentStatus.ACTIVE, paid_on=paid_on,
                                     repair_years=repair_years)


def expected_values(code: str, year: int, person, statuses, claims, paid_on, repair_years=0,
                    group=None):
    """The pure engine's answer, as the columns of PersonYearStatus."""
    try:
        d = determine(rules_profile(code), year,
                      RulesPerson(birth_date=person.birth_date, group=group),
                      history_for_rules(statuses),
                      RulesEnrollment(paid_on=paid_on, repair_years=repair_years),
                      {y: Claim(fund_paid=p, used_incentive=u) for y, (p, u) in claims.items()},
                      rules_standards(code))
    except CaseError as exc:
        return {"error": f"{exc.field}：{exc.message}"}
    cat = d.catastrophic
    return {
        "error": "", "profile_code": code, "gap_years": d.gap_years,
        "continuity_years": d.continuity_years, "continuity_bonus": cat.continuity_bonus,
        "zero_claim_credit": cat.zero_claim_bonus, "gap_penalty": cat.gap_penalty,
        "effective_cap": cat.effective_cap, "in_concentrated_period": d.in_concentrated_period,
        "amount_due": d.amount_due, "subsidy": d.subsidy, "repair_due": d.repair_due,
        "waiting_months": d.waiting.total, "waiting_fixed": d.waiting.fixed,
        "waiting_variable": d.waiting.variable, "waiting_repaired": d.waiting.repaired,
        "benefit_start": d.benefit_start, "benefit_end": d.benefit_end, "rule_ids": d.rules,
    }


def stored_values(status: PersonYearStatus, keys) -> dict:
    return {k: getattr(status, k) for k in keys}


def snapshot(year: int) -> list[tuple]:
    """Every status row of a year, without the bookkeeping columns."""
    fields = [f.attname for f in PersonYearStatus._meta.concrete_fields
              if f.attname not in ("id", "job_id", "updated_at")]
    return sorted(PersonYearStatus.objects.filter(year=year).values_list(*fields))


@pytest.fixture
def policies(region_tree):
    ensure_policies()


def make_history(make_person, county, statuses, *, claims=None, birth=dt.date(1980, 5, 1),
                 paid_on=dt.date(YEAR - 1, 11, 1), repair_years=0):
    grid = factories.GRID if county == HUNAN_COUNTY else factories.OTHER_GRID
    person = make_person(grid, birth_date=birth)
    for y, s in statuses.items():
        add_year(person, y, s, county)
    for y, (paid, used) in (claims or {}).items():
        ClaimSummary.objects.create(person=person, year=y, fund_paid=paid, used_incentive=used)
    enroll_current(person, YEAR, paid_on, county, repair_years)
    return person


# --- the statuses ------------------------------------------------------------------------------


def test_continuous_zero_claim_person_gets_both_bonuses(policies, make_person):
    statuses = {2025: "resident", 2026: "resident", 2027: "resident", 2028: "resident"}
    person = make_history(make_person, HUNAN_COUNTY, statuses,
                          claims={2026: (Decimal("1200"), False)})
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))
    row = PersonYearStatus.objects.get(person=person, year=YEAR)
    # C(2029) = 5: bonus 5000; zero claims in 2025, 2027, 2028: 15000; cap 300000 + 20000.
    assert (row.continuity_years, row.gap_years) == (5, 0)
    assert row.continuity_bonus == Decimal("5000") and row.zero_claim_credit == Decimal("15000")
    assert row.effective_cap == Decimal("320000")
    assert row.waiting_months == 0 and row.benefit_start == dt.date(YEAR, 1, 1)
    assert "R-CAT-CONT" in row.rule_ids and "R-CAT-ZERO" in row.rule_ids
    assert row.error == ""


def test_shanxi_gap_lowers_the_cap_and_late_payment_waits(policies, make_person):
    statuses = {2025: "resident", 2026: "gap", 2027: "employee:6", 2028: "resident_late"}
    person = make_history(make_person, SHANXI_COUNTY, statuses, paid_on=dt.date(YEAR, 3, 15))
    services.recalc_range(year=YEAR, region=SHANXI_COUNTY, id_from=0, id_to=10**12)
    row = PersonYearStatus.objects.get(person=person, year=YEAR)
    expected = expected_values("shanxi", YEAR, person, statuses, {}, dt.date(YEAR, 3, 15))
    assert stored_values(row, expected) == expected
    assert row.gap_penalty == Decimal("3000") and row.profile_code == "shanxi"
    assert row.waiting_months == 3 and row.benefit_start == dt.date(YEAR, 6, 16)


def test_unpaid_and_other_year_enrollments_are_not_recalculated(policies, make_person):
    person = make_person(factories.GRID)
    add_year(person, YEAR, "awaiting", HUNAN_COUNTY)
    add_year(person, YEAR - 1, "resident", HUNAN_COUNTY)
    result = services.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    assert result.persons == 0 and not PersonYearStatus.objects.exists()


def test_missing_standards_is_recorded_as_the_reason(policies, make_person):
    YearStandard.objects.filter(profile__code="hunan", year=YEAR).delete()
    person = make_history(make_person, HUNAN_COUNTY, {2028: "resident"})
    services.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    row = PersonYearStatus.objects.get(person=person)
    assert row.error.startswith(f"standards.{YEAR}：") and row.effective_cap is None


def test_region_without_profile_is_recorded_as_the_reason(policies, make_person):
    PoolingRegionProfile.objects.all().delete()
    person = make_history(make_person, SHANXI_COUNTY, {2028: "resident"})
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))
    assert "尚未配置政策方案" in PersonYearStatus.objects.get(person=person).error



def test_claims_outside_resident_years_share_one_answer_and_a_used_incentive_still_resets(
        policies, make_person):
    # The cache key drops what the fund paid in a non-resident year; a used incentive there
    # still resets the zero-claim credit.
    from benefits.recalc import compute

    statuses = {2025: "resident", 2026: "resident", 2027: "employee:12", 2028: "resident"}
    cases = [{2027: (Decimal("800"), False)}, {}, {2027: (Decimal("800"), True)},
             {2027: (Decimal("0"), True)}, {2025: (Decimal("800"), False)}]
    people = [make_history(make_person, HUNAN_COUNTY, statuses, claims=c) for c in cases]
    compute._CALCULATORS.clear()
    services.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    for person, claims in zip(people, cases):
        row = PersonYearStatus.objects.get(person=person, year=YEAR)
        expected = expected_values("hunan", YEAR, person, statuses, claims,
                                   dt.date(YEAR - 1, 11, 1))
        assert stored_values(row, expected) == expected
    credits = [PersonYearStatus.objects.get(person=p, year=YEAR).zero_claim_credit
               for p in people]
    assert credits[0] == credits[1] and credits[2] == credits[3] < credits[0]


def test_a_history_year_without_standards_keeps_the_years_after_it(policies, make_person):
    # The periods are read by year subscript: a year missing in the middle falls back to the
    # stored flag and must not shift the years after it.
    from benefits.recalc import naive

    YearStandard.objects.filter(profile__code="hunan", year=2026).delete()
    statuses = {2025: "resident", 2026: "resident_late", 2027: "resident_late",
                2028: "resident"}
    flagged = make_history(make_person, HUNAN_COUNTY, statuses)
    Enrollment.objects.filter(person=flagged, year=2026).update(in_concentrated_period=True)
    make_history(make_person, HUNAN_COUNTY, statuses)
    services.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    bulk = snapshot(YEAR)
    PersonYearStatus.objects.all().delete()
    naive.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    assert snapshot(YEAR) == bulk and len(bulk) == 2

# --- the job -----------------------------------------------------------------------------------


def _people(make_person, n=6):
    people = []
    patterns = [
        {2025: "resident", 2026: "resident", 2027: "resident", 2028: "resident"},
        {2025: "gap", 2026: "resident_late", 2027: "employee:2", 2028: "resident"},
        {2026: "employee:8", 2028: "awaiting"},
    ]
    for i in range(n):
        county = HUNAN_COUNTY if i % 2 else SHANXI_COUNTY
        people.append(make_history(make_person, county, patterns[i % 3],
                                   claims={2027: (Decimal(i * 100), i == 4)}))
    return people


def test_command_prints_counts_and_a_second_run_changes_nothing(policies, make_person, capsys):
    _people(make_person)
    call_command("recalculate_benefits", year=YEAR)
    first = capsys.readouterr().out.strip()
    assert first.endswith("persons=6 changed=6")
    before = snapshot(YEAR)
    call_command("recalculate_benefits", year=YEAR)
    second = capsys.readouterr().out.strip()
    assert second.endswith("persons=6 changed=0")
    assert snapshot(YEAR) == before
    assert RecalcJob.objects.filter(status=JobStatus.DONE).count() == 2


def test_changed_counts_only_rows_whose_values_changed(policies, make_person, capsys):
    people = _people(make_person)
    call_command("recalculate_benefits", year=YEAR)
    ClaimSummary.objects.create(person=people[0], year=2028, fund_paid=Decimal("50"))
    Enrollment.objects.filter(person=people[1], year=YEAR).update(status=EnrollmentStatus.STOPPED)
    capsys.readouterr()
    call_command("recalculate_benefits", year=YEAR)
    # people[0] lost a zero-claim year; people[1]'s enrollment is gone, so its row is removed.
    assert capsys.readouterr().out.strip().endswith("persons=5 changed=2")
    assert not PersonYearStatus.objects.filter(person=people[1]).exists()


def test_region_option_limits_the_job(policies, make_person, capsys):
    _people(make_person)
    call_command("recalculate_benefits", year=YEAR, region=SHANXI_COUNTY)
    assert capsys.readouterr().out.strip().endswith("persons=3 changed=3")
    assert set(PersonYearStatus.objects.values_list("pooling_region_id", flat=True)) == {
        SHANXI_COUNTY}


def test_large_regions_are_split_into_chunks_with_the_same_result(policies, make_person,
                                                                   monkeypatch):
    _people(make_person, n=10)
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))
    whole = snapshot(YEAR)
    PersonYearStatus.objects.all().delete()
    monkeypatch.setattr(services, "CHUNK_PERSONS", 2)
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))
    job = RecalcJob.objects.first()
    assert job.chunks_total >= 5 and job.chunks_done == job.chunks_total
    assert snapshot(YEAR) == whole


def test_a_failed_chunk_is_not_half_applied_and_a_resume_completes_it(
        policies, make_person, monkeypatch, capsys):
    _people(make_person, n=10)
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))
    reference = snapshot(YEAR)
    PersonYearStatus.objects.all().delete()

    monkeypatch.setattr(services, "CHUNK_PERSONS", 2)
    calls = {"n": 0}

    def crash_on_third_chunk(chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            # The chunk's rows are written at this point; the crash must roll them back.
            assert PersonYearStatus.objects.filter(pooling_region_id=chunk.pooling_region_id,
                                                   person_id__gte=chunk.id_from,
                                                   person_id__lte=chunk.id_to).exists()
            raise RuntimeError("worker lost")

    monkeypatch.setattr(services, "_fault_point", crash_on_third_chunk)
    with pytest.raises(Exception, match="--resume"):
        call_command("recalculate_benefits", year=YEAR)
    job = RecalcJob.objects.get(status=JobStatus.FAILED)
    failed = job.chunks.get(status=JobStatus.FAILED)
    assert "worker lost" in failed.error and job.chunks_failed == 1
    assert not PersonYearStatus.objects.filter(pooling_region_id=failed.pooling_region_id,
                                               person_id__gte=failed.id_from,
                                               person_id__lte=failed.id_to).exists()
    assert snapshot(YEAR) != reference

    monkeypatch.setattr(services, "_fault_point", lambda chunk: None)
    capsys.readouterr()
    call_command("recalculate_benefits", resume=job.pk)
    assert capsys.readouterr().out.strip().endswith("persons=10 changed=10")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.persons == 10
    assert snapshot(YEAR) == reference


def test_a_chunk_left_running_by_a_killed_worker_is_redone(policies, make_person):
    _people(make_person)
    job = services.job_start(actor=None, year=YEAR, enqueue=False)
    ids = services.job_plan(job_id=job.pk)
    # A worker took the first chunk and died: status running, nothing written.
    RecalcChunk.objects.filter(pk=ids[0]).update(status=JobStatus.RUNNING, attempts=1)
    for chunk_id in ids[1:]:
        services.chunk_run(chunk_id=chunk_id)
    assert RecalcJob.objects.get(pk=job.pk).status == JobStatus.RUNNING
    services.chunk_run(chunk_id=ids[0])  # the redelivered message
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.persons == 6
    assert RecalcChunk.objects.get(pk=ids[0]).attempts == 2
    services.chunk_run(chunk_id=ids[0])  # a duplicate delivery does nothing
    assert RecalcChunk.objects.get(pk=ids[0]).attempts == 2


def test_bulk_path_matches_the_naive_per_person_path(policies, make_person):
    from benefits.recalc import naive

    _people(make_person, n=9)
    for county in (HUNAN_COUNTY, SHANXI_COUNTY):
        services.recalc_range(year=YEAR, region=county, id_from=0, id_to=10**12)
    bulk = snapshot(YEAR)
    PersonYearStatus.objects.all().delete()
    for county in (HUNAN_COUNTY, SHANXI_COUNTY):
        naive.recalc_range(year=YEAR, region=county, id_from=0, id_to=10**12)
    assert snapshot(YEAR) == bulk


def test_schedule_exists_for_new_year_half_past_midnight_shanghai():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="benefits.recalc_scheduled")
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == ("30", "0", "1", "1")
    assert str(cron.timezone) == "Asia/Shanghai" and task.enabled


def test_scheduled_task_recalculates_the_current_year(policies, make_person, time_machine):
    time_machine.move_to(dt.datetime(YEAR, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    _people(make_person, n=3)
    from benefits.tasks import recalc_scheduled

    job_id = recalc_scheduled.delay().get()
    job = RecalcJob.objects.get(pk=job_id)
    assert job.year == YEAR and job.trigger == RecalcJob.Trigger.SCHEDULE
    assert job.status == JobStatus.DONE and job.persons == 3
