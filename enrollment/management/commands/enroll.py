"""`manage.py enroll --as USER --person PK --year Y --paid-on D ...`: record an enrollment
through the one door (enrollment.services.enrollment_record), as that user. The case (newborn,
transfer …) is found from the registry as on the page. Prints the stored determination as JSON
(the fields of `policy_case`'s output plus `enrollment`, its pk); a refusal prints one Chinese
line naming the field and exits with status 2, nothing written."""
from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand

from enrollment import scope, services
from enrollment.models import Channel, Enrollment, Person, Relation, Scheme

from ._one_door import Refused, acting_user, fail, refusal_line

LABELS = {
    "person": "人员（--person）", "year": "待遇年度（--year）", "paid_on": "缴费日期（--paid-on）",
    "scheme": "险种（--scheme）", "cover_start": "参保起始日（--cover-start）",
    "cover_end": "参保终止日（--cover-end）", "channel": "缴费渠道（--channel）",
    "repair_years": "补缴年数（--repair-years）", "payer": "代缴亲属（--payer）",
    "payer_relation": "代缴人与参保人关系（--payer-relation）",
    "transfer": "职工医保转居民医保（--transfer）", "override_reason": "参保情形",
    "amount_paid": "实缴金额", "status": "状态", "tier": "缴费档次（--tier）",
    "on_credit": "信用参保（--on-credit）",
}


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Refused(f"{LABELS[option]}：“{value}”不是有效日期，请按YYYY-MM-DD填写。") from None


def output(enrollment: Enrollment) -> dict:
    """The stored determination in the shape of policy_case's output, plus the enrollment."""
    result = dict(enrollment.determination or {})
    if not result:  # employee cover or elsewhere: the engine was not asked
        result = {"year": enrollment.year, "scheme": enrollment.scheme,
                  "amount_due": None, "benefit_start": None, "benefit_end": None}
    result["enrollment"] = enrollment.pk
    if enrollment.credit_since:  # R-CREDIT: what is still owed, and by when
        result["credit_outstanding"] = f"{enrollment.credit_outstanding:.2f}"
        result["credit_due_on"] = enrollment.credit_due_on.isoformat()
    return result


class Command(BaseCommand):
    help = "以经办人身份登记一条参保缴费（经统一参保登记服务），输出测算结果 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--person", required=True)
        parser.add_argument("--year", required=True)
        parser.add_argument("--paid-on", required=True)
        parser.add_argument("--scheme", default=Scheme.RESIDENT, choices=Scheme.values)
        parser.add_argument("--cover-start")
        parser.add_argument("--cover-end")
        parser.add_argument("--channel", default=Channel.INDIVIDUAL, choices=Channel.values)
        parser.add_argument("--repair-years", default="0")
        parser.add_argument("--payer")
        parser.add_argument("--payer-relation", default="", choices=["", *Relation.values])
        parser.add_argument("--transfer", action="store_true",
                            help="职工医保转居民医保：终止重叠的职工医保")
        parser.add_argument("--tier", default="", help="分档缴费：缴费时选择的档次代码")
        parser.add_argument("--on-credit", action="store_true",
                            help="信用参保：--paid-on 为登记日期，欠费按期限缴清（本地政策允许时）")

    def handle(self, *args, **o):
        try:
            enrollment = self._enroll(o)
        except Refused as exc:
            fail(self, exc.line)
        self.stdout.write(json.dumps(output(enrollment), ensure_ascii=False, indent=1))

    def _enroll(self, o) -> Enrollment:
        user = acting_user(o["username"])
        person = self._person(user, o["person"], "person")
        try:
            year = int(o["year"])
            repair_years = int(o["repair_years"])
        except ValueError:
            raise Refused(f"{LABELS['year']}：应为四位年份，补缴年数应为整数。") from None
        payer = self._person(user, o["payer"], "payer", scoped=False) if o["payer"] else None
        channel = o["channel"]
        if payer is not None and channel == Channel.INDIVIDUAL:
            channel = Channel.RELATIVE_ACCOUNT
        try:
            return services.enrollment_record(
                actor=user, person=person, year=year, paid_on=_date(o["paid_on"], "paid_on"),
                scheme=o["scheme"], cover_start=_date(o["cover_start"], "cover_start"),
                cover_end=_date(o["cover_end"], "cover_end"), channel=channel,
                repair_years=repair_years, payer=payer, payer_relation=o["payer_relation"],
                transfer=o["transfer"], tier=o["tier"], on_credit=o["on_credit"])
        except ValidationError as exc:
            raise Refused(refusal_line(exc, LABELS)) from None
        except PermissionDenied:
            raise Refused(f"{LABELS['person']}：档案{person.pk}不在您的辖区内，"
                          "或您的账号不能登记参保。") from None

    @staticmethod
    def _person(user, pk: str, option: str, scoped: bool = True) -> Person:
        qs = Person.objects.filter(pk=pk) if str(pk).isdigit() else Person.objects.none()
        if scoped:
            qs = scope.filter_persons(user, qs)
        person = qs.first()
        if person is None:
            raise Refused(f"{LABELS[option]}：未找到档案{pk}，或不在您的辖区内。")
        return person
