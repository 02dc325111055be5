from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from core.admin import ReadOnlyAdminMixin
from enrollment import scope
from enrollment.admin_scope import ScopedAdminMixin

from .models import (
    CoverageRollup,
    DailyCollection,
    EvaluationWeight,
    FunnelRollup,
    OfficialPopulation,
    RefreshRun,
)
from .resources import OfficialPopulationResource


@admin.register(OfficialPopulation)
class OfficialPopulationAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    """Official populations are kept by county administrators (and the superuser)."""

    scope_fields = ("region_id",)
    resource_classes = [OfficialPopulationResource]
    list_display = ["region", "year", "population", "source", "updated_at"]
    list_filter = ["year"]
    search_fields = ["region__code", "region__name"]
    raw_id_fields = ["region"]

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and scope.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and scope.is_admin(request.user)

    def has_import_permission(self, request):
        return self.has_add_permission(request)


class _ReadOnlyRollupAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Rollups are written by the refresh only."""

    scope_fields = ("region_id",)
    list_select_related = ["region"]
    show_full_result_count = False
    raw_id_fields = ["region"]


@admin.register(CoverageRollup)
class CoverageRollupAdmin(_ReadOnlyRollupAdmin):
    list_display = ["year", "region", "persons", "covered", "hardship", "hardship_covered",
                    "refreshed_at"]
    list_filter = ["year", "depth"]
    search_fields = ["region__code", "region__name"]


@admin.register(DailyCollection)
class DailyCollectionAdmin(_ReadOnlyRollupAdmin):
    list_display = ["year", "region", "day", "enrolled"]
    list_filter = ["year"]
    search_fields = ["region__code", "region__name"]


@admin.register(FunnelRollup)
class FunnelRollupAdmin(_ReadOnlyRollupAdmin):
    list_display = ["year", "region", "stage", "count"]
    list_filter = ["year", "stage"]
    search_fields = ["region__code", "region__name"]


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "reason", "years", "seconds", "finished_at"]
    list_filter = ["reason"]
    search_fields = ["reason", "error"]

    def has_module_permission(self, request):
        return request.user.is_staff and scope.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(EvaluationWeight)
class EvaluationWeightAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """One row per indicator, created with the table; only the weights change (superuser)."""

    list_display = ["indicator", "weight", "note", "updated_at"]
    list_editable = ["weight", "note"]
    readonly_fields = ["indicator"]

    def has_module_permission(self, request):
        return request.user.is_staff and scope.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return scope.can_set_evaluation_weights(request.user)
