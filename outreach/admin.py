"""Every outreach model in the admin, scoped by region like the pages. Status fields are
read-only here: statuses change through the services (guarded, audited)."""
from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportModelAdmin

from enrollment.admin_scope import ScopedAdminMixin

from .models import (
    Batch,
    Campaign,
    CampaignDay,
    CampaignTarget,
    EnrollmentTarget,
    GridAssignment,
    LedgerEntry,
    LedgerRun,
    Task,
    Visit,
    WorkerSubstitution,
)
from .resources import EnrollmentTargetResource, LedgerEntryResource


@admin.register(GridAssignment)
class GridAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("grid_id",)
    list_display = ["grid", "worker", "start_date", "end_date", "active"]
    list_filter = ["active"]
    search_fields = ["grid__code", "grid__name", "worker__username", "worker__last_name"]
    raw_id_fields = ["grid", "worker", "assigned_by"]


@admin.register(WorkerSubstitution)
class WorkerSubstitutionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["leaving", "substitute", "region", "on", "grids_moved", "tasks_moved"]
    list_filter = ["on"]
    search_fields = ["leaving__username", "substitute__username", "region__name"]
    readonly_fields = ["grids_moved", "tasks_moved", "created_by"]
    raw_id_fields = ["leaving", "substitute", "region"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, ExportMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    resource_classes = [LedgerEntryResource]
    list_display = ["name", "masked_id", "year", "region", "side", "separated", "reason",
                    "status"]
    list_filter = ["year", "status", "reason", "side", "separated"]
    # The person's indexed columns (the ledger's copies have no search index of their own).
    search_fields = ["=person__id_number", "person__name", "region__name"]
    readonly_fields = ["status", "enrollment", "closed_at", "person", "year", "side"]
    raw_id_fields = ["region", "grid"]
    list_select_related = ["region"]
    show_full_result_count = False

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(LedgerRun)
class LedgerRunAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["year", "region", "status", "parts_done", "parts_total", "added", "closed",
                    "created_at"]
    list_filter = ["status", "year"]
    search_fields = ["region__name", "region__code"]
    readonly_fields = ["status", "parts_done", "parts_total", "added", "closed", "error",
                       "finished_at", "created_by"]
    raw_id_fields = ["region"]


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["entry", "grid", "worker", "status", "follow_up_date"]
    readonly_fields = ["entry", "grid", "worker", "status", "follow_up_date"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Batch)
class BatchAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("township_id",)
    list_display = ["pk", "year", "township", "size", "due_date", "created_by", "created_at"]
    list_filter = ["year"]
    search_fields = ["township__name", "township__code", "note"]
    readonly_fields = ["size", "created_by"]
    raw_id_fields = ["township", "pushed_by_region"]


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    raw_id_fields = ["worker"]


@admin.register(Task)
class TaskAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["entry", "region", "grid", "worker", "status", "outcome", "follow_up_date"]
    list_filter = ["status", "outcome", "batch__year"]
    search_fields = ["entry__name", "=entry__id_number", "worker__username", "region__name"]
    readonly_fields = ["entry", "batch", "status", "outcome", "enrollment", "signed_by",
                       "signed_at", "visited_at", "mobilised_at", "finished_at", "reported_at"]
    raw_id_fields = ["region", "grid", "worker"]
    list_select_related = ["entry", "region", "grid", "worker"]
    inlines = [VisitInline]
    show_full_result_count = False


@admin.register(Visit)
class VisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("task__region_id",)
    list_display = ["task", "visited_on", "method", "outcome", "next_follow_up", "worker"]
    list_filter = ["method", "outcome", "visited_on"]
    search_fields = ["task__entry__name", "note"]
    raw_id_fields = ["task", "worker"]


class CampaignTargetInline(admin.TabularInline):
    model = CampaignTarget
    extra = 0
    raw_id_fields = ["region"]


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["name", "year", "region", "start_date", "end_date"]
    list_filter = ["year"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]
    inlines = [CampaignTargetInline]


@admin.register(CampaignTarget)
class CampaignTargetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["campaign", "region", "target_enrollments"]
    list_filter = ["campaign__year"]
    search_fields = ["campaign__name", "region__name"]
    raw_id_fields = ["region"]


@admin.register(CampaignDay)
class CampaignDayAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["campaign", "region", "day", "enrollments", "visits"]
    list_filter = ["campaign"]
    search_fields = ["campaign__name", "region__name"]
    raw_id_fields = ["region"]


@admin.register(EnrollmentTarget)
class EnrollmentTargetAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    scope_fields = ("region_id",)
    resource_classes = [EnrollmentTargetResource]
    list_display = ["region", "year", "target_count", "target_rate", "resident_population",
                    "registered_population", "potential", "set_by"]
    list_filter = ["year"]
    search_fields = ["region__name", "region__code"]
    readonly_fields = ["resident_population", "registered_population", "potential", "set_by"]
    raw_id_fields = ["region"]
