"""Export of the ledger and import of enrollment targets (django-import-export), keyed by
natural keys (ID number, region code), scoped to the acting user."""
from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from enrollment.models import Region
from enrollment.resources import ScopedResourceMixin

from .models import EnrollmentTarget, LedgerEntry


class LedgerEntryResource(ScopedResourceMixin, resources.ModelResource):
    """Export only: the ledger is generated from the registry, never imported."""

    scope_fields = ("region_id",)
    region = fields.Field("region", "所在村（社区）代码", widget=ForeignKeyWidget(Region, "code"))
    region_name = fields.Field("region__name", "所在村（社区）", readonly=True)
    reason = fields.Field("get_reason_display", "未参保原因", readonly=True)
    status = fields.Field("get_status_display", "状态", readonly=True)
    side = fields.Field("get_side_display", "台账所在", readonly=True)

    class Meta:
        model = LedgerEntry
        fields = ["year", "name", "id_number", "phone", "region", "region_name", "side",
                  "separated", "reason", "reason_note", "status"]
        export_order = fields


class EnrollmentTargetResource(ScopedResourceMixin, resources.ModelResource):
    scope_fields = ("region_id",)
    region = fields.Field("region", "区划代码", widget=ForeignKeyWidget(Region, "code"))

    class Meta:
        model = EnrollmentTarget
        import_id_fields = ["region", "year"]
        fields = ["region", "year", "target_count", "target_rate", "note"]
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        instance.full_clean(exclude=["region", "set_by"])
        instance.set_by = self.user
