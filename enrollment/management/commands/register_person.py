"""`manage.py register_person --as USER ...`: register a person as that user, through the same
form validation and service as the 人员建档 page (scope applies). Prints `person=PK`; a refusal
(bad check digit, duplicate, likely duplicate without --reason, region outside scope) prints one
Chinese line naming the field and exits with status 2, writing nothing."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from enrollment import scope, services
from enrollment.forms import PersonForm
from enrollment.models import IdType, Relation, Sex

from ._one_door import Refused, acting_user, fail, refusal_line

OPTION_OF = {
    "id_type": "--id-type", "id_number": "--number", "birth_cert_number": "--number",
    "name": "--name", "sex": "--sex", "birth_date": "--birth-date",
    "residence_region": "--region", "hukou_region": "--hukou", "household_number": "--household",
    "relation_to_head": "--relation",
}


class Command(BaseCommand):
    help = "以经办人身份为一人建档（与人员建档页面相同的校验和服务）。"

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--id-type", required=True, choices=IdType.values)
        parser.add_argument("--number", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--sex", required=True, choices=Sex.values)
        parser.add_argument("--birth-date", required=True)
        parser.add_argument("--region", required=True,
                            help="常住村（社区）或网格代码；未给 --hukou 时也是户籍地")
        parser.add_argument("--hukou", default="")
        parser.add_argument("--household", default="")
        parser.add_argument("--relation", default="", choices=["", *Relation.values])
        parser.add_argument("--reason", default="", help="疑似重复时，确认不是同一人的原因")

    def handle(self, *args, **o):
        try:
            person = self._register(o)
        except Refused as exc:
            fail(self, exc.line)
        self.stdout.write(f"person={person.pk}")

    def _register(self, o):
        user = acting_user(o["username"])
        form_data = {
            "id_type": o["id_type"], "name": o["name"], "sex": o["sex"],
            "birth_date": o["birth_date"], "residence_region": o["region"],
            "hukou_region": o["hukou"] or o["region"], "household_number": o["household"],
            "relation_to_head": o["relation"],
            ("birth_cert_number" if o["id_type"] == IdType.BIRTH_CERT else "id_number"):
                o["number"],
        }
        if not scope.can_write(user):
            raise Refused("经办人（--as）：您的账号为只读权限，不能建档。")
        if not scope.region_in_scope(user, o["region"]):
            raise Refused(f"常住地（--region）：{o['region']}不在您的辖区内，只能在本辖区内建档。")
        form = PersonForm(form_data, user=user)
        labels = {name: f"{field.label}（{OPTION_OF.get(name, '--' + name)}）"
                  for name, field in form.fields.items()}
        labels["duplicate_reason"] = "疑似重复（--reason）"
        if not form.is_valid():
            raise Refused(refusal_line(ValidationError(form.errors.as_data()), labels))
        from enrollment.views import _person_data

        try:
            with transaction.atomic():
                return services.person_register(actor=user, data=_person_data(form),
                                                duplicate_reason=o["reason"])
        except ValidationError as exc:
            raise Refused(refusal_line(exc, labels)) from None
        except PermissionDenied:
            raise Refused("经办人（--as）：您的账号不能建档。") from None
