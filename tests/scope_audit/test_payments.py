"""The scope and input audit over the wallet pages and receipts (see __init__.py)."""
from __future__ import annotations

import pytest

from payments import services
from payments.models import Receipt, Transfer

from . import checks
from .common import HUGE, TODAY, Y, url_for

pytestmark = pytest.mark.django_db

PAGES = [
    ("wallet", "/payments/persons/{person}/wallet/"),
    ("wallet_reverse", "/payments/persons/{person}/wallet/reverse/"),
    ("wallet_statement", "/payments/persons/{person}/wallet/statement/"),
    ("receipt_print", "/payments/receipts/1/"),
    ("payer_list", "/payments/payers/"),
    ("payer_detail", "/payments/payers/1/"),
    ("payer_statement", "/payments/payers/1/statement/"),
]

NEIGHBOUR_404 = [
    ("get", "/payments/persons/{person}/wallet/", None),
    ("post", "/payments/persons/{person}/wallet/",
     {"action": "credit", "credit-source": "charity", "credit-sponsor": "某", "credit-amount": 5}),
    ("post", "/payments/persons/{person}/wallet/reverse/", {"transfer": 1, "reason": "x"}),
    ("get", "/payments/persons/{person}/wallet/statement/?format=xlsx", None),
]


@pytest.mark.parametrize("method,url,data", NEIGHBOUR_404,
                         ids=[f"{m}:{u}" for m, u, _ in NEIGHBOUR_404])
def test_neighbour_clerk_gets_404(as_user, neighbour_clerk, world, method, url, data):
    checks.neighbour_gets_404(as_user(neighbour_clerk), world, method, url, data)
    assert not Transfer.objects.exists()


def test_neighbour_cannot_print_our_receipt(as_user, neighbour_clerk, village_clerk, world):
    from enrollment import services as registry

    e = registry.enrollment_record(actor=village_clerk, person=world["person"], year=Y,
                                   paid_on=TODAY)
    receipt = Receipt.objects.get(enrollment=e)
    assert as_user(neighbour_clerk).get(f"/payments/receipts/{receipt.pk}/").status_code == 404
    assert as_user(village_clerk).get(f"/payments/receipts/{receipt.pk}/").status_code == 200


@pytest.mark.parametrize("url,data", [
    ("/payments/persons/{person}/wallet/",
     {"action": "credit", "credit-source": "charity", "credit-sponsor": "某", "credit-amount": 5}),
    ("/payments/persons/{person}/wallet/",
     {"action": "pay", "pay-year": Y, "pay-paid_on": TODAY.isoformat(), "pay-repair_years": 0}),
    ("/payments/persons/{person}/wallet/reverse/", {"transfer": 1, "reason": "x"}),
])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    checks.city_leader_cannot_post(as_user(city_leader), world, url, data)


def test_city_leader_reads_the_wallet(as_user, city_leader, world):
    checks.city_leader_reads(as_user(city_leader), world, "/payments/persons/{person}/wallet/")


@pytest.mark.parametrize("url", ["/payments/persons/{person}/wallet/",
                                 "/payments/persons/{person}/wallet/statement/",
                                 "/payments/persons/{person}/wallet/statement/?format=xlsx"])
def test_wallet_screens_mask_the_id_number(as_user, village_clerk, world, url):
    services.wallet_credit(actor=village_clerk, person=world["person"], amount="10",
                           source="charity", sponsor="某慈善会")
    checks.screen_shows_masked_id_numbers(as_user(village_clerk), world, url)


@pytest.mark.parametrize("url", [
    f"/payments/persons/{{person}}/wallet/?year={HUGE}",
    "/payments/persons/{person}/wallet/?year=abc",
    f"/payments/receipts/{HUGE}/",
])
def test_bad_query_parameters_never_give_a_500(as_user, village_clerk, world, url):
    checks.bad_query_never_gives_a_500(as_user(village_clerk), world, url)


@pytest.mark.parametrize("data,message", [
    ({"action": "credit", "credit-source": "charity", "credit-sponsor": "某",
      "credit-amount": "-3"}, "金额"),
    ({"action": "credit", "credit-source": "nonsense", "credit-sponsor": "某",
      "credit-amount": "3"}, "资助来源类别"),
    ({"action": "relative", "relative-relative": "{theirs}", "relative-relation": "spouse",
      "relative-evidence": "户口簿", "relative-amount": "3"}, "未找到该档案，或不在您的辖区内"),
    ({"action": "relative", "relative-relative": "{person}", "relative-relation": "other",
      "relative-evidence": "户口簿", "relative-amount": "3"}, "转出人"),
    ({"action": "pay", "pay-year": Y, "pay-paid_on": TODAY.isoformat(),
      "pay-repair_years": 0}, "余额0.00元，不足以缴纳"),
    ({"action": "pay", "pay-year": HUGE, "pay-paid_on": "x", "pay-repair_years": 0}, "待遇年度"),
])
def test_bad_wallet_input_gives_a_chinese_message_and_writes_nothing(as_user, village_clerk,
                                                                     world, data, message):
    data = {k: url_for(str(v), world) for k, v in data.items()}
    checks.bad_form_input_gives_a_message_and_writes_nothing(
        as_user(village_clerk), world, "/payments/persons/{person}/wallet/", data, message)
    assert not Transfer.objects.exists()


def test_another_countys_payer_is_not_found(as_user, county_admin, world):
    from enrollment.models import Region
    from payments.models import Payer
    from tests.factories import OTHER_COUNTY

    payer = Payer.objects.create(name="浏阳市总工会", kind="trade_union",
                                 region=Region.objects.get(code=OTHER_COUNTY))
    client = as_user(county_admin)
    assert client.get(f"/payments/payers/{payer.pk}/").status_code == 404
    assert client.get(f"/payments/payers/{payer.pk}/statement/").status_code == 404
    assert client.get(f"/payments/payers/{payer.pk}/statement/?format=xlsx").status_code == 404
    assert "浏阳市总工会" not in client.get("/payments/payers/").content.decode()
    response = client.post(f"/payments/payers/{payer.pk}/", {
        "action": "members", "m-year": Y, "m-people": str(world["person"].pk)})
    assert response.status_code == 404


def test_village_clerk_cannot_name_a_payer(as_user, village_clerk, world):
    response = as_user(village_clerk).post("/payments/payers/", {
        "name": "某工会", "kind": "trade_union", "region": world["VILLAGE"]})
    assert response.status_code == 403
