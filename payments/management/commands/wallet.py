"""`manage.py wallet --as USER --person PK credit|pay|balance …`: the medical-insurance wallet
from the command line, as that user (same services and scope as the page).

- `credit --amount A --source charity|enterprise|individual|relative --from NAME_OR_PK
  [--relation REL --evidence TEXT]`: money into the wallet; `relative` takes a relative's file
  number and moves money from their wallet (the relation is read from the household register
  where it settles it, otherwise `--relation` and `--evidence` are required);
- `pay --year Y --paid-on D [--repair-years N] [--owner PK --relation REL --evidence TEXT]`: pays
  the contribution through the one door and prints the enrollment JSON as `enroll` does;
- `balance`: prints `balance=…`.
Refusals print one Chinese line naming the field and exit 2, nothing written."""
from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand

from enrollment import scope
from enrollment.management.commands._one_door import Refused, acting_user, fail, refusal_line
from enrollment.management.commands.enroll import output
from enrollment.models import Person
from enrollment.relations import RELATIONS, relation_between
from payments import services
from payments.models import SponsorSource
from payments.selectors import person_balance

LABELS = {
    "person": "人员（--person）", "amount": "金额（--amount）", "source": "来源（--source）",
    "sponsor": "资助方（--from）", "relative": "转出亲属（--from）",
    "relation": "关系（--relation）", "evidence": "关系证明（--evidence）",
    "year": "待遇年度（--year）", "paid_on": "缴费日期（--paid-on）", "owner": "钱包所有人（--owner）",
    "repair_years": "补缴年数（--repair-years）", "reason": "原因",
}


class Command(BaseCommand):
    help = "医保钱包：资助或亲属转入（credit）、钱包缴费（pay）、查询余额（balance）。"

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--person", required=True)
        sub = parser.add_subparsers(dest="action", required=True)
        credit = sub.add_parser("credit")
        credit.add_argument("--amount", required=True)
        credit.add_argument("--source", required=True,
                            choices=[*SponsorSource.values, "relative"])
        credit.add_argument("--from", dest="origin", required=True)
        credit.add_argument("--relation", default="", choices=["", *RELATIONS])
        credit.add_argument("--evidence", default="")
        pay = sub.add_parser("pay")
        pay.add_argument("--year", required=True)
        pay.add_argument("--paid-on", required=True)
        pay.add_argument("--repair-years", default="0")
        pay.add_argument("--owner")
        pay.add_argument("--relation", default="", choices=["", *RELATIONS])
        pay.add_argument("--evidence", default="")
        sub.add_parser("balance")

    def handle(self, *args, **o):
        try:
            user = acting_user(o["username"])
            person = _person(user, o["person"], "person")
            line = getattr(self, f"_{o['action']}")(user, person, o)
        except Refused as exc:
            fail(self, exc.line)
        except ValidationError as exc:
            fail(self, _refusal(exc))
        except PermissionDenied:
            fail(self, f"{LABELS['person']}：不在您的辖区内，或您的账号不能办理医保钱包业务。")
        self.stdout.write(line)

    def _balance(self, user, person, o) -> str:
        return f"balance={person_balance(person)}"

    def _credit(self, user, person, o) -> str:
        if o["source"] != "relative":
            services.wallet_credit(actor=user, person=person, amount=o["amount"],
                                   source=o["source"], sponsor=o["origin"])
        else:
            relative = _person(user, o["origin"], "relative")
            relation, evidence = _relation(relative, person, o)
            services.wallet_transfer_from_relative(
                actor=user, person=person, relative=relative, relation=relation,
                evidence=evidence, amount=o["amount"])
        return f"balance={person_balance(person)}"

    def _pay(self, user, person, o) -> str:
        try:
            year, repair_years = int(o["year"]), int(o["repair_years"])
            paid_on = dt.date.fromisoformat(o["paid_on"])
        except ValueError:
            raise Refused(f"{LABELS['year']}、{LABELS['paid_on']}：年份应为四位数字，日期按"
                          "YYYY-MM-DD填写。") from None
        owner = _person(user, o["owner"], "owner") if o["owner"] else None
        relation, evidence = _relation(owner, person, o) if owner else ("", "")
        enrollment = services.wallet_pay(actor=user, person=person, year=year, paid_on=paid_on,
                                         owner=owner, relation=relation, evidence=evidence,
                                         repair_years=repair_years)
        return json.dumps(output(enrollment), ensure_ascii=False, indent=1)


def _refusal(exc: ValidationError) -> str:
    """One line naming the option; the services' messages already start with the field's name
    ("金额：…"), which the option's label says once."""
    errors = getattr(exc, "message_dict", None)
    if not errors:
        return refusal_line(exc, LABELS)
    parts = []
    for name, messages in errors.items():
        label = LABELS.get(name, "")
        field = label.split("（")[0]
        texts = [m[len(field) + 1:] if field and m.startswith(field + "：") else m
                 for m in map(str, messages)]
        parts.append(f"{label}：{'；'.join(texts)}" if label else "；".join(texts))
    return " ".join(parts).replace("\n", " ")


def _person(user, pk: str, option: str) -> Person:
    qs = Person.objects.filter(pk=pk) if str(pk or "").isdigit() else Person.objects.none()
    person = scope.filter_persons(user, qs).first()
    if person is None:
        raise Refused(f"{LABELS[option]}：未找到档案{pk}，或不在您的辖区内。")
    return person


def _relation(relative: Person, person: Person, o) -> tuple[str, str]:
    """The relation as stated, or as the household register settles it."""
    if o["relation"]:
        return o["relation"], o["evidence"]
    if relative.household_id and relative.household_id == person.household_id:
        found = relation_between(relative.relation_to_head, person.relation_to_head)
        if found:
            return found, o["evidence"] or "户口簿（同一户）"
    raise Refused(f"{LABELS['relation']}：户籍登记不能确定{relative.name}与{person.name}的关系，"
                  "请用 --relation 和 --evidence 写明关系及证明。")
