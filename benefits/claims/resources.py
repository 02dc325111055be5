"""Claims summaries import (django-import-export), keyed by ID number and year.

Every bad row is reported in Chinese before anything is written: an unknown ID number, a person
outside the importer's region, an amount that is not a number or is negative, a year outside the
years the person's profile has standards for. The same resource serves the upload page
(benefits.claims.views) and the admin import.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from enrollment import idnumbers, regions, scope
from enrollment.models import Person
from enrollment.resources import ScopedResourceMixin

from ..models import ClaimSummary

HEADERS = {"person": "证件号码", "year": "年度", "fund_paid": "基金支付金额",
           "used_incentive": "使用激励额度"}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "已使用", "使用"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "未使用", ""}


class PersonByIdWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Person, "id_number")

    def clean(self, value, row=None, **kwargs):
        text = idnumbers.normalize(str(value or "").strip())
        if not text:
            raise ValueError("请填写证件号码。")
        # The uploader typed the number: it is shown back whole, so the row can be found and
        # corrected in their own file (a mistyped digit, or a person not yet registered).
        try:
            idnumbers.parse(text)
        except idnumbers.IdNumberError as exc:
            raise ValueError(f"“{text}”：{exc}") from None
        person = Person.objects.filter(id_number=text).only("pk", "residence_region_id",
                                                             "hukou_region_id").first()
        if person is None:
            raise ValueError(f"未找到该证件号码“{text}”，请核对或先建档。")
        return person

    def render(self, value, obj=None, **kwargs):
        return value.id_number if value else ""


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().removesuffix(".0")
        if not text.isdigit() or len(text) != 4:
            raise ValueError(f"“{value}”无效，应为四位年份，如2025。")
        return int(text)


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是有效金额。") from None
        if not amount.is_finite():
            raise ValueError(f"“{value}”不是有效金额。")
        if amount < 0:
            raise ValueError(f"{amount}为负数，金额不能为负数。")
        return amount.quantize(Decimal("0.01"))


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(f"“{value}”应填“是”或“否”。")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ClaimSummaryResource(ScopedResourceMixin, resources.ModelResource):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    person = fields.Field("person", HEADERS["person"], widget=PersonByIdWidget())
    year = fields.Field("year", HEADERS["year"], widget=YearWidget())
    fund_paid = fields.Field("fund_paid", HEADERS["fund_paid"], widget=AmountWidget())
    used_incentive = fields.Field("used_incentive", HEADERS["used_incentive"],
                                  widget=YesNoWidget())

    class Meta:
        model = ClaimSummary
        import_id_fields = ["person", "year"]
        fields = ["person", "year", "fund_paid", "used_incentive"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._years: dict[str, tuple[str, set[int]]] = {}

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:  # reported on the field by import_instance
            return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        person = getattr(instance, "person", None) if instance.person_id else None
        if person is not None and self.user is not None and not (
                scope.region_in_scope(self.user, person.residence_region_id)
                or scope.region_in_scope(self.user, person.hukou_region_id)):
            errors["person"] = ValidationError("该人员不在您的辖区内，不能导入其报销数据。")
        if person is not None and instance.year and "year" not in errors:
            name, years = self._standard_years(person.residence_region_id)
            if not years:
                errors["year"] = ValidationError(f"该人员所在统筹区尚未配置政策方案，无法导入{instance.year}年数据。")
            elif instance.year not in years:
                errors["year"] = ValidationError(
                    f"{instance.year}年不在政策方案“{name}”的缴费标准年度内"
                    f"（{min(years)}–{max(years)}年），请核对年度。")
        super().validate_instance(instance, errors, validate_unique=False)

    def _standard_years(self, region_code: str) -> tuple[str, set[int]]:
        from .. import inputs

        key = regions.ancestor_code(region_code, regions.COUNTY)
        if key not in self._years:
            profile = inputs.profile_for_region(region_code)
            if profile is None:
                self._years[key] = ("", set())
            else:
                self._years[key] = (profile.name, set(profile.standards.values_list("year",
                                                                                    flat=True)))
        return self._years[key]


def row_errors(result) -> list[dict]:
    """Every bad row of an import result, as {line, values, messages} in Chinese."""
    bad = []
    for row in result.invalid_rows:
        messages = []
        for field, errs in row.error_dict.items():
            label = HEADERS.get(field, field if field != "__all__" else "")
            for message in errs:
                messages.append(f"{label}：{message}" if label else str(message))
        bad.append({"line": row.number + 1, "values": row.values, "messages": messages})
    for number, row in result.row_errors():
        for err in row:
            bad.append({"line": number + 1, "values": tuple(err.row.values()) if err.row else (),
                        "messages": [f"无法读取该行：{err.error}"]})
    return sorted(bad, key=lambda r: r["line"])
