"""The one read-only admin mixin every app uses, and the submitted-form tokens (bookkeeping:
visible to the superuser, written only by core.once)."""
from django.contrib import admin

from .models import SubmittedForm


class ReadOnlyAdminMixin:
    """Rows the admin shows but never writes: they are written by a service, a job or a
    refresh (and audited there), or the database refuses to change them. Put it before the
    other bases: it answers add, change and delete with no for everyone, the superuser too."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubmittedForm)
class SubmittedFormAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("form", "user_id", "submitted_at", "result_url")
    list_filter = ("form",)
    date_hierarchy = "submitted_at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
