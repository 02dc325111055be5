"""Admin of the January recalculation: the person-year statuses, jobs and chunks it writes, all
read-only (the recalculation is the only writer)."""
from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from enrollment.admin_scope import ScopedAdminMixin

from ..models import PersonYearStatus, RecalcChange, RecalcChunk, RecalcJob


@admin.register(PersonYearStatus)
class PersonYearStatusAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    list_display = ["person", "year", "pooling_region", "profile_code", "continuity_years",
                    "gap_years", "effective_cap", "waiting_months", "benefit_start", "error"]
    list_filter = ["year", "profile_code", "gap_years"]
    search_fields = ["=person__id_number", "person__name"]
    raw_id_fields = ["person", "enrollment", "pooling_region", "job"]
    list_select_related = ["person", "pooling_region"]
    show_full_result_count = False


class RecalcChunkInline(admin.TabularInline):
    model = RecalcChunk
    extra = 0
    can_delete = False
    fields = ["pooling_region", "id_from", "id_to", "status", "attempts", "persons", "changed",
              "error", "finished_at"]
    readonly_fields = fields


@admin.register(RecalcJob)
class RecalcJobAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("region_id",)
    list_display = ["pk", "year", "region", "trigger", "status", "chunks_done", "chunks_total",
                    "persons", "changed", "created_at", "finished_at"]
    list_filter = ["status", "year", "trigger"]
    search_fields = ["=year", "region__name", "region__pk"]
    raw_id_fields = ["region", "requested_by"]
    inlines = [RecalcChunkInline]


@admin.register(RecalcChunk)
class RecalcChunkAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("pooling_region_id",)
    list_display = ["job", "pooling_region", "id_from", "id_to", "status", "attempts", "persons",
                    "changed", "finished_at"]
    list_filter = ["status"]
    search_fields = ["pooling_region__pk", "pooling_region__name", "=job__id"]
    raw_id_fields = ["job", "pooling_region"]


@admin.register(RecalcChange)
class RecalcChangeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("pooling_region_id",)
    list_display = ["job", "person", "pooling_region", "bonus_before", "bonus_after",
                    "credit_before", "credit_after", "wait_before", "wait_after"]
    search_fields = ["=job__id", "person__name"]
    raw_id_fields = ["job", "person", "pooling_region"]
    list_select_related = ["person", "pooling_region"]
    show_full_result_count = False
