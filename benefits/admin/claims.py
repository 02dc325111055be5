"""Admin of the yearly claims summaries, with import and export through the same resource as the
upload page (benefits.claims.resources)."""
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from enrollment.admin_scope import ScopedAdminMixin

from ..claims.resources import ClaimSummaryResource
from ..models import ClaimSummary


@admin.register(ClaimSummary)
class ClaimSummaryAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    resource_classes = [ClaimSummaryResource]
    list_display = ["person", "year", "fund_paid", "used_incentive", "imported_at"]
    list_filter = ["year", "used_incentive"]
    search_fields = ["=person__id_number", "person__name"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]
    show_full_result_count = False
