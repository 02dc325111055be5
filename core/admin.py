"""Submitted-form tokens are bookkeeping: visible to the superuser, written only by core.once."""
from django.contrib import admin

from .models import SubmittedForm


@admin.register(SubmittedForm)
class SubmittedFormAdmin(admin.ModelAdmin):
    list_display = ("form", "user_id", "submitted_at", "result_url")
    list_filter = ("form",)
    date_hierarchy = "submitted_at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
