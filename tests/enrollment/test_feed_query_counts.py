"""The payment and employee feeds read the policy (profile, year standards, the region's
profile) and the pooling region once per batch, not once per row: a batch of 20 rows costs
the one door's own work per row and nothing more."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from enrollment.exchange.base import Context, feed
from tests import factories
from tests.enrollment.feedkit import TODAY, rows

pytestmark = pytest.mark.django_db

POLICY_TABLES = ('"benefits_policyprofile"', '"benefits_yearstandard"',
                 '"benefits_contributiontier"', '"benefits_poolingregionprofile"')
# Queries a row costs in the one door whatever the batch (its scope check, the person's own
# enrollments, the writes, the audit, the receipt, their savepoints); before the policy was
# read once per batch, a payment row cost 37 and an employee row 18.
PER_ROW = {"tax_payments": 27, "employee": 17}


def payment(person):
    return {"证件号码": person.id_number, "姓名": person.name, "缴费年度": "2027",
            "缴费金额": "440.00", "缴费日期": "2026-11-10", "缴费渠道": "微信", "票据号": ""}


def cover(person):
    return {"证件号码": person.id_number, "姓名": person.name, "单位名称": "长沙星沙机械有限公司",
            "统一社会信用代码": "91430121MA4L16JQ38", "年度": "2026", "参保起始月": "2026-03",
            "参保终止月": "", "缴费月数": "6"}


def _apply(kind, user, row_of, n):
    """(all queries, policy queries) of applying a checked batch of `n` new persons' rows."""
    people = [factories.make_person(birth_date=dt.date(1960 + i, 1 + i % 12, 1))
              for i in range(n)]
    ctx = Context(actor=user, today=TODAY, source="测试")
    checked, problems = feed(kind).check_rows(rows(*[row_of(p) for p in people]), ctx)
    assert not problems and len(checked) == n
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        outcome = feed(kind).apply(checked, ctx)
    assert outcome.created == n
    policy = [q for q in queries.captured_queries
              if any(table in q["sql"] for table in POLICY_TABLES)]
    return len(queries), len(policy)


@pytest.mark.parametrize("kind, row_of", [("tax_payments", payment), ("employee", cover)])
def test_a_row_costs_the_one_doors_own_queries_and_the_policy_is_read_once(
        kind, row_of, village_clerk, shipped_policies):
    few, few_policy = _apply(kind, village_clerk, row_of, 5)
    many, many_policy = _apply(kind, village_clerk, row_of, 20)
    assert many_policy == few_policy
    assert (many - few) / 15 <= PER_ROW[kind], (few, many)
