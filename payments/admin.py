"""The wallet in the admin: read-only for everyone. Money moves only through the services (two
entries that balance, the wallet locked, an audit row); an edited or deleted entry would make
every balance after it wrong, so the admin offers neither."""
from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from enrollment.admin_scope import ScopedAdminMixin

from .models import Account, Entry, Payer, PayerMember, Receipt, Transfer


class ReadOnlyAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Scoped to the user's region, and read-only."""


class EntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Entry
    fields = ("account", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "source", "created_at")
    list_filter = ("kind", "source")
    search_fields = ("name", "person__name")
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "amount", "memo", "created_by")
    list_filter = ("kind",)
    search_fields = ("memo",)
    inlines = [EntryInline]
    scope_fields = ("entries__account__person__residence_region_id",
                    "entries__account__person__hukou_region_id")

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "year", "amount", "issued_at", "issued_by")
    list_filter = ("year",)
    scope_fields = ("enrollment__person__residence_region_id",
                    "enrollment__person__hukou_region_id")


@admin.register(Payer)
class PayerAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "region", "contact")
    list_filter = ("kind",)
    search_fields = ("name",)
    scope_fields = ("region_id",)


@admin.register(PayerMember)
class PayerMemberAdmin(ReadOnlyAdmin):
    list_display = ("payer", "person", "year", "added_at", "added_by")
    list_filter = ("year", "payer")
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
