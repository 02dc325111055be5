"""Demo wallets for one village: sponsorships from a charity and an enterprise, a relative's
transfer inside a household, and wallet payments for the coming year through the one door, so
the wallet page, the statement and the receipts show something real."""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from core import calendar
from enrollment.models import Person, Scheme, User
from enrollment.relations import relation_between

from . import services

DEMO_VILLAGE = "430121100001"
SPONSORS = [("charity", "长沙县慈善总会"), ("enterprise", "星沙制造有限公司"),
            ("red_cross", "长沙县红十字会")]


def seed(*, seed: int) -> dict:
    rng = random.Random(seed + 7)
    clerk = User.objects.filter(username="village_staff").first()
    if clerk is None:
        return {"wallets": 0}
    today = calendar.today()
    year = calendar.coverage_year_for(today)
    persons = list(Person.objects.filter(residence_region__pk__startswith=DEMO_VILLAGE,
                                         life_status="alive")
                   .exclude(enrollments__year=year, enrollments__scheme=Scheme.RESIDENT)
                   .order_by("pk")[:40])
    rng.shuffle(persons)
    credited = paid = moved = 0
    for person in persons[:16]:
        source, sponsor = rng.choice(SPONSORS)
        services.wallet_credit(actor=clerk, person=person,
                               amount=Decimal(rng.choice([500, 800, 1000, 1200])),
                               source=source, sponsor=sponsor, memo="社会力量参保资助（演示）")
        credited += 1
    for person in persons[:10]:
        try:
            services.wallet_pay(actor=clerk, person=person, year=year, paid_on=today)
            paid += 1
        except ValidationError:
            pass  # e.g. not enough in the wallet: left for the clerk to see
    for person in persons[16:30]:
        members = [m for m in Person.objects.filter(household_id=person.household_id)
                   .exclude(pk=person.pk) if person.household_id]
        for relative in members:
            relation = relation_between(relative.relation_to_head, person.relation_to_head)
            if relation:
                services.wallet_credit(actor=clerk, person=relative, amount=Decimal("600"),
                                       source="individual", sponsor=f"{relative.name}本人存入")
                services.wallet_transfer_from_relative(
                    actor=clerk, person=person, relative=relative, relation=relation,
                    evidence="户口簿（同一户）", amount=Decimal("380"))
                moved += 1
                break
        if moved >= 4:
            break
    return {"wallets": credited, "wallet_payments": paid, "relative_transfers": moved,
            **_union(persons[30:], year, today), **_credit(clerk, year, today)}


def _credit(clerk, year: int, today) -> dict:
    """信用参保 (R-CREDIT, allowed where the demo city's hunan profile applies): three people
    enrolled on credit for the coming year, one of them since paid from their wallet, and one
    enrolled on credit in last year's concentrated period and never paid: overdue on the radar
    and the clerk's desk."""
    from enrollment import services as registry

    village = Person.objects.filter(residence_region__pk__startswith=DEMO_VILLAGE,
                                    life_status="alive").exclude(enrollments__year=year)
    made, settled, overdue = [], 0, 0
    for person in village.order_by("-pk")[:3]:
        try:
            made.append(registry.enrollment_record(actor=clerk, person=person, year=year,
                                                   paid_on=today, on_credit=True))
        except ValidationError:
            pass  # outside the concentrated period: the profile's term has run out
    if made:
        owner = made[0].person
        services.wallet_credit(actor=clerk, person=owner, amount=made[0].credit_outstanding,
                               source="charity", sponsor="长沙县慈善总会", memo="信用参保欠费资助（演示）")
        services.wallet_pay(actor=clerk, person=owner, year=year, paid_on=today)
        settled = 1
    for person in village.exclude(enrollments__year=year - 1).order_by("-pk")[:2]:
        start, _ = calendar.collection_period(year - 1)
        try:
            registry.enrollment_record(actor=clerk, person=person, year=year - 1,
                                       paid_on=start + timedelta(days=60), on_credit=True)
            overdue += 1
            break
        except ValidationError:
            continue
    return {"credit_enrollments": len(made) + overdue, "credit_settled": settled,
            "credit_overdue": overdue}


def _union(persons: list[Person], year: int, today) -> dict:
    """The county's trade union pays the contribution of workers' children (000 三(三))."""
    from enrollment.models import Region

    from . import payers

    admin = User.objects.filter(username="county_admin").first()
    county = Region.objects.filter(code="430121000000").first()
    if admin is None or county is None:
        return {}
    union = payers.payer_create(actor=admin, name="长沙县总工会", kind="trade_union",
                                region=county, contact="工会办公室 0731-00000000")
    children = [p for p in persons if p.birth_date.year >= today.year - 16][:6] or persons[:6]
    payers.payer_add_members(actor=admin, payer=union, year=year, persons=children[:4],
                             note="职工子女")
    try:
        paid = len(payers.payer_batch_pay(actor=admin, payer=union, year=year, paid_on=today))
    except ValidationError:
        paid = 0
    # Two more listed after the batch: the payer's page shows who is still unpaid.
    payers.payer_add_members(actor=admin, payer=union, year=year, persons=children[4:],
                             note="职工子女（补充名单）")
    return {"union_listed": len(children), "union_paid": paid}
