"""Property: for random histories and claims, the bulk path (SQL on PostgreSQL, plain rows on
SQLite, memoised engine, set-based upsert) stores exactly what the pure rules give."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.models import ClaimSummary, PersonYearStatus
from benefits.recalc import compute, services
from enrollment.models import PersonGroup
from tests import factories
from tests.benefits.test_recalc import (
    HUNAN_COUNTY,
    SHANXI_COUNTY,
    add_year,
    enroll_current,
    ensure_policies,
    expected_values,
    stored_values,
)

pytestmark = pytest.mark.django_db

YEAR = 2029
HISTORY_YEARS = range(2023, YEAR)
STATUS = st.sampled_from(
    ["resident"] * 4 + ["resident_late", "gap", "awaiting", "employee:2", "employee:3",
                        "employee:7", "employee:12"])
CLAIM = st.one_of(
    st.none(),
    st.tuples(st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("1200.50")]),
              st.booleans()))
PAID_ON = st.one_of(
    st.dates(dt.date(YEAR - 1, 9, 1), dt.date(YEAR - 1, 12, 31)),  # inside the period
    st.dates(dt.date(YEAR - 1, 1, 1), dt.date(YEAR, 12, 31)),  # anywhere
)
BIRTH = st.one_of(
    st.dates(dt.date(1940, 1, 1), dt.date(2020, 12, 31)),
    st.dates(dt.date(2021, 1, 1), dt.date(YEAR, 6, 30)),  # born inside the counted years
)

person_case = st.fixed_dictionaries({
    "county": st.sampled_from([HUNAN_COUNTY, SHANXI_COUNTY]),
    "birth": BIRTH,
    "statuses": st.dictionaries(st.sampled_from(list(HISTORY_YEARS)), STATUS),
    "claims": st.dictionaries(st.sampled_from(list(HISTORY_YEARS) + [YEAR]), CLAIM),
    "paid_on": PAID_ON,
    "repair_years": st.sampled_from([0, 0, 0, 1, 2, 5]),
    "group": st.sampled_from([None, None, None, "low_income", "orphan", "disability"]),
})


@pytest.fixture
def policies(region_tree):
    ensure_policies()


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cases=st.lists(person_case, min_size=1, max_size=6))
def test_bulk_path_equals_the_pure_rules(policies, cases):
    compute._CALCULATORS.clear()  # each example starts cold; the cache is exercised within it
    with transaction.atomic():
        people = []
        for case in cases:
            grid = factories.GRID if case["county"] == HUNAN_COUNTY else factories.OTHER_GRID
            person = factories.make_person(grid, birth_date=case["birth"])
            statuses = {y: s for y, s in case["statuses"].items() if y >= case["birth"].year}
            for y, s in statuses.items():
                add_year(person, y, s, case["county"])
            claims = {}
            for y, claim in case["claims"].items():
                if claim is not None:
                    ClaimSummary.objects.create(person=person, year=y, fund_paid=claim[0],
                                                used_incentive=claim[1])
                    claims[y] = claim
            if case["group"]:
                PersonGroup.objects.create(person=person, group=case["group"],
                                           start_date=dt.date(2020, 1, 1))
            paid_on = max(case["paid_on"], case["birth"])
            enroll_current(person, YEAR, paid_on, case["county"], case["repair_years"])
            people.append((person, case, statuses, claims, paid_on))

        for county in (HUNAN_COUNTY, SHANXI_COUNTY):
            services.recalc_range(year=YEAR, region=county, id_from=0, id_to=10**12)

        for person, case, statuses, claims, paid_on in people:
            code = "hunan" if case["county"] == HUNAN_COUNTY else "shanxi"
            group = {"low_income": "low_income", "orphan": "special_hardship"}.get(case["group"])
            expected = expected_values(code, YEAR, person, statuses, claims, paid_on,
                                       case["repair_years"], group)
            row = PersonYearStatus.objects.get(person=person, year=YEAR)
            assert stored_values(row, expected) == expected, (case, row.error)
        transaction.set_rollback(True)
