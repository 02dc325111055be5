"""The monthly comparison's rows in the admin: read-only for everyone (the review queue's
services are the only writers: each resolution goes through its own door and is audited), scoped
like the queue (a finding is seen where the person is registered and where they live)."""
from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .admin_scope import ScopedAdminMixin
from .finding import ComparisonRun, Finding, FindingNote


class ReadOnly(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    actions = None


@admin.register(Finding)
class FindingAdmin(ReadOnly):
    scope_fields = ("region_id", "residence_region_id")
    list_display = ["kind", "year", "person", "region", "residence_region", "status",
                    "resolution", "found_at"]
    list_filter = ["kind", "status", "resolution", "year"]
    search_fields = ["person__name"]
    raw_id_fields = ["person", "other_person", "region", "residence_region", "resolved_by",
                     "last_seen_run"]


@admin.register(ComparisonRun)
class ComparisonRunAdmin(ReadOnly):
    scope_fields = ("region_id",)
    list_display = ["started_at", "region", "status", "parts_done", "parts_total", "findings",
                    "new", "cleared"]
    list_filter = ["status"]


@admin.register(FindingNote)
class FindingNoteAdmin(ReadOnly):
    scope_fields = ("finding__region_id", "finding__residence_region_id")
    list_display = ["at", "finding", "by", "text"]
    raw_id_fields = ["finding", "by", "by_region"]
