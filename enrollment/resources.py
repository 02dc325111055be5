"""Import and export of the registry (django-import-export), keyed by natural keys.

Rows are validated through the same model `clean()` as the forms; an import runs in one
transaction and shows every bad row before anything is written.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from . import idnumbers, scope
from .models import Enrollment, Person, Region
from .pinyin import initials


class ScopedResourceMixin:
    """Exports only what the acting user may see; imports refuse rows outside their region."""

    scope_fields: tuple[str, ...] = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def import_data(self, dataset, dry_run=False, **kwargs):
        """All or nothing per file: import-export commits the valid rows of a file that has
        invalid ones, so the file is checked in a dry run first and written only if clean."""
        if dry_run:
            return super().import_data(dataset, dry_run=True, **kwargs)
        checked = super().import_data(dataset, dry_run=True, **kwargs)
        if checked.has_errors() or checked.has_validation_errors():
            return checked
        return super().import_data(dataset, dry_run=False, **kwargs)

    def get_queryset(self):
        # Imports look rows up through this: a key (an ID number) of another region's row
        # is then a new row, refused as a duplicate, never an update of that row.
        qs = super().get_queryset()
        if self.user is not None:
            qs = qs.filter(scope.region_q(self.user, *self.scope_fields))
        return qs

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.user is not None:
            if not scope.can_write(self.user):
                raise ValidationError("您的账号为只读权限，不能导入数据。")
            if self.scope_fields and not any(
                    scope.region_in_scope(self.user, _value(instance, field) or "")
                    for field in self.scope_fields):
                name = self.scope_fields[0].split("__")[0].removesuffix("_id")
                raise ValidationError({name: "该行不在您的辖区内。"})
        super().save_instance(instance, is_create, row, **kwargs)

    def filter_export(self, queryset, **kwargs):
        if self.user is not None:
            queryset = queryset.filter(scope.region_q(self.user, *self.scope_fields))
        return queryset


def _value(instance, lookup: str):
    """The value of a lookup like "person__residence_region_id" on an instance."""
    for part in lookup.split("__"):
        instance = getattr(instance, part, None)
        if instance is None:
            return None
    return instance


class PersonResource(ScopedResourceMixin, resources.ModelResource):
    scope_fields = ("residence_region_id", "hukou_region_id")
    hukou_region = fields.Field("hukou_region", "户籍地代码",
                                widget=ForeignKeyWidget(Region, "code"))
    residence_region = fields.Field("residence_region", "常住地代码",
                                    widget=ForeignKeyWidget(Region, "code"))

    class Meta:
        model = Person
        import_id_fields = ["id_number"]
        fields = ["id_type", "id_number", "birth_cert_number", "name", "sex", "birth_date",
                  "phone", "hukou_region", "residence_region", "address", "life_status"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        if row.get("id_number"):
            row["id_number"] = idnumbers.normalize(str(row["id_number"]))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # An empty optional identifier is "none", not the empty string: two files without a
        # birth certificate number must not collide on its unique constraint.
        for name in ("id_number", "birth_cert_number"):
            if not (getattr(instance, name) or "").strip():
                setattr(instance, name, None)

    def before_save_instance(self, instance, row, **kwargs):
        if self.user is not None and not scope.region_in_scope(self.user,
                                                               instance.residence_region_id):
            raise ValidationError({"residence_region": "常住地不在您的辖区内。"})
        instance.name_initials = initials(instance.name)


class PersonByNumberWidget(ForeignKeyWidget):
    """A person by ID number, or by birth certificate number for a newborn without one."""

    def __init__(self):
        super().__init__(Person, "id_number")

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        number = idnumbers.normalize(text)
        from django.db.models import Q

        person = Person.objects.filter(Q(id_number=number)
                                       | Q(birth_cert_number=text.upper())).first()
        if person is None:
            raise ValueError(f"“{idnumbers.mask(number)}”在人员档案中不存在，请核对或先建档。")
        return person

    def render(self, value, obj=None, **kwargs):
        return (value.id_number or value.birth_cert_number) if value else ""


class EnrollmentResource(ScopedResourceMixin, resources.ModelResource):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    person = fields.Field("person", "证件号码", widget=PersonByNumberWidget())
    pooling_region = fields.Field("pooling_region", "统筹区代码",
                                  widget=ForeignKeyWidget(Region, "code"))
    payer = fields.Field("payer", "代缴亲属证件号码", widget=PersonByNumberWidget())
    tier = fields.Field("tier_code", "tier")  # R-TIER: the tier code chosen at payment

    class Meta:
        model = Enrollment
        import_id_fields = ["person", "year", "scheme"]
        fields = ["person", "year", "scheme", "pooling_region", "status", "paid_on",
                  "amount_paid", "channel", "in_concentrated_period", "elsewhere",
                  "repair_years", "payer", "payer_relation", "tier"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        instance.repair_years = instance.repair_years or 0
        instance.payer_relation = instance.payer_relation or ""
        instance.tier_code = (instance.tier_code or "").strip()
        # The pooling region defaults to the county of residence, as on the page.
        if instance.person_id and not instance.pooling_region_id:
            from .services import pooling_region_of

            instance.pooling_region = pooling_region_of(instance.person)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Every imported enrollment goes through the one door (enrollment_record): the case
        found from the registry, the determination, the refusals and the audit entry."""
        from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied

        from . import services

        if self.user is None:
            raise ValidationError("参保登记只能由经办人账号导入（须经参保登记服务校验）。")
        if not scope.can_write(self.user):
            raise ValidationError("您的账号为只读权限，不能导入数据。")
        if not is_create:
            raise ValidationError({"year": "导入不能修改已有的参保登记；如需变更，请在人员档案中"
                                           "停保原登记后重新登记。"})
        try:
            services.enrollment_record(
                actor=self.user, instance=instance, person=instance.person,
                year=instance.year, scheme=instance.scheme or "resident",
                pooling_region=instance.pooling_region, paid_on=instance.paid_on,
                amount_paid=instance.amount_paid, channel=instance.channel or "",
                elsewhere=bool(instance.elsewhere), confirmed=instance.status == "active",
                repair_years=instance.repair_years or 0, payer=instance.payer,
                payer_relation=instance.payer_relation or "", tier=instance.tier_code or "")
        except PermissionDenied:
            raise ValidationError({"person": "该行不在您的辖区内。"}) from None
        except ValidationError as exc:
            known = {f.column_name for f in self.get_import_fields()} | set(self.fields)
            errors = getattr(exc, "message_dict", {NON_FIELD_ERRORS: exc.messages})
            raise ValidationError({(k if k in known else NON_FIELD_ERRORS): v
                                   for k, v in errors.items()}) from None
