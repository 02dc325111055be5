"""`manage.py wallet`: the contract others check from outside."""
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from enrollment.models import Enrollment, Household
from payments.models import Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc), tick=False)


def wallet(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("wallet", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def test_credit_pay_and_balance(village_clerk, make_person):
    person = make_person()
    pk = str(person.pk)
    assert wallet("--as", "village_clerk", "--person", pk, "credit", "--amount", "1000",
                  "--source", "charity", "--from", "长沙慈善总会") == (0, "balance=1000.00", "")
    code, out, err = wallet("--as", "village_clerk", "--person", pk, "pay", "--year", "2027",
                            "--paid-on", "2026-11-20")
    assert code == 0, err
    result = json.loads(out)
    e = Enrollment.objects.get(pk=result["enrollment"])
    assert e.channel == "wallet"
    assert Decimal(str(result["amount_due"])) == e.amount_due
    assert wallet("--as", "village_clerk", "--person", pk, "balance")[1] == \
        f"balance={1000 - e.amount_paid:.2f}"


def test_relative_credit_reads_the_relation_from_the_household(village_clerk, make_person):
    household = Household.objects.create(number="430121100001-0001", head_name="李强",
                                         region_id="430121100001")
    father = make_person(name="李强", household=household, relation_to_head="head")
    son = make_person(name="李小强", household=household, relation_to_head="child",
                      birth_date=dt.date(2010, 1, 1))
    wallet("--as", "village_clerk", "--person", str(father.pk), "credit", "--amount", "300",
           "--source", "individual", "--from", "李强本人")
    code, out, err = wallet("--as", "village_clerk", "--person", str(son.pk), "credit",
                            "--amount", "200", "--source", "relative", "--from", str(father.pk))
    assert (code, out) == (0, "balance=200.00"), err
    t = Transfer.objects.get(kind="relative")
    assert (t.relation, t.evidence) == ("parent", "户口簿（同一户）")


@pytest.mark.parametrize("args, words", [
    (["credit", "--amount", "-1", "--source", "charity", "--from", "某"],
     "金额（--amount）：必须大于0元"),
    (["credit", "--amount", "10", "--source", "relative", "--from", "999999"], "未找到档案"),
    (["pay", "--year", "2027", "--paid-on", "2026-11-20"], "余额0.00元，不足以缴纳"),
    (["pay", "--year", "20x7", "--paid-on", "2026-11-20"], "年份应为四位数字"),
])
def test_refusals_print_one_chinese_line_and_exit_2(village_clerk, make_person, args, words):
    person = make_person()
    before = Transfer.objects.count(), Enrollment.objects.count()
    code, out, err = wallet("--as", "village_clerk", "--person", str(person.pk), *args)
    assert code == 2 and words in err and "\n" not in err, err
    assert (Transfer.objects.count(), Enrollment.objects.count()) == before


def test_a_relative_the_register_does_not_settle_needs_relation_and_evidence(village_clerk,
                                                                            make_person):
    person, other = make_person(), make_person(name="王五")
    code, _, err = wallet("--as", "village_clerk", "--person", str(person.pk), "credit",
                          "--amount", "10", "--source", "relative", "--from", str(other.pk))
    assert code == 2 and "--relation" in err


def test_neighbour_clerk_is_refused(neighbour_clerk, make_person):
    person = make_person()
    code, _, err = wallet("--as", "neighbour_clerk", "--person", str(person.pk), "balance")
    assert code == 2 and "不在您的辖区内" in err
