from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.contrib.auth.admin import UserAdmin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin

from . import scope, services
from .admin_scope import ScopedAdminMixin
from .models import (
    AuditEntry,
    Enrollment,
    Enterprise,
    FeedImport,
    Household,
    Person,
    PersonGroup,
    Region,
    School,
    TransferRequest,
    UnemploymentBenefit,
    User,
)
from .resources import EnrollmentResource, PersonResource


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("code",)
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(User)
class StaffAdmin(ScopedAdminMixin, UserAdmin):
    scope_fields = ("region_id",)
    list_display = ["username", "last_name", "first_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "last_name", "first_name", "region__name"]
    fieldsets = UserAdmin.fieldsets + (("经办权限", {"fields": ("role", "region", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("经办权限", {"fields": ("role", "region")}),)
    raw_id_fields = ["region"]

    # Staff accounts are kept by the security administrator and the superuser only: anyone who
    # may change an account may widen its role or reset its password, including their own.
    def has_add_permission(self, request, *args):
        return scope.can_manage_accounts(request.user)

    def has_change_permission(self, request, obj=None):
        return scope.can_manage_accounts(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "groups", "user_permissions"]
        return fields

    # The security administrator keeps every account (no region of their own); only they and
    # the superuser may hand out the three separated administrator roles.
    def get_queryset(self, request):
        if scope.can_manage_accounts(request.user):
            return UserAdmin.get_queryset(self, request)
        return super().get_queryset(request)

    def has_module_permission(self, request):
        return scope.can_manage_accounts(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return (scope.can_manage_accounts(request.user)
                or super().has_view_permission(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and scope.can_manage_accounts(request.user):
            kwargs["queryset"] = Region.objects.all()
            return UserAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not scope.can_manage_accounts(request.user):
            kwargs["choices"] = [c for c in db_field.get_choices()
                                 if c[0] not in scope.DUTY_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class PersonGroupInline(admin.TabularInline):
    model = PersonGroup
    extra = 0


@admin.register(Person)
class PersonAdmin(ScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    scope_fields = ("residence_region_id", "hukou_region_id")
    resource_classes = [PersonResource]
    list_display = ["name", "masked_id", "sex", "birth_date", "residence_region", "life_status"]
    list_filter = ["life_status", "id_type", "sex"]
    search_fields = ["=id_number", "name", "name_initials", "=birth_cert_number"]
    raw_id_fields = ["hukou_region", "residence_region", "household", "school", "employer",
                     "merged_into"]
    readonly_fields = ["merged_into", "merged_at"]  # set by the merge service only
    list_select_related = ["residence_region"]
    inlines = [PersonGroupInline]
    show_full_result_count = False  # no COUNT(*) over millions of persons

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(Household)
class HouseholdAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_fields = ("region_id",)
    list_display = ["number", "head_name", "region", "address"]
    search_fields = ["number", "head_name"]
    raw_id_fields = ["region"]


@admin.register(School)
class SchoolAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_fields = ("region_id",)
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["region"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_fields = ("region_id",)
    list_display = ["credit_code", "name", "region"]
    search_fields = ["credit_code", "name"]
    raw_id_fields = ["region"]


@admin.register(PersonGroup)
class PersonGroupAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    list_display = ["person", "group", "start_date", "end_date", "source"]
    list_filter = ["group"]
    search_fields = ["=person__id_number", "person__name"]
    raw_id_fields = ["person"]


@admin.register(UnemploymentBenefit)
class UnemploymentBenefitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    list_display = ["person", "start_date", "end_date", "source"]
    search_fields = ["=person__id_number", "person__name"]
    raw_id_fields = ["person"]


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    scope_fields = ("person__residence_region_id", "person__hukou_region_id")
    resource_classes = [EnrollmentResource]
    list_display = ["person", "year", "scheme", "status", "paid_on", "amount_paid", "channel",
                    "in_concentrated_period", "waiting_months", "benefit_start"]
    list_filter = ["year", "scheme", "status", "channel", "in_concentrated_period", "elsewhere"]
    search_fields = ["=person__id_number", "person__name"]
    raw_id_fields = ["person", "payer", "pooling_region", "employer", "created_by"]
    list_select_related = ["person"]
    show_full_result_count = False
    # What the clerk states; everything else is the one door's (status, determination, audit).
    INPUT_FIELDS = ["person", "year", "scheme", "pooling_region", "elsewhere", "paid_on",
                    "amount_paid", "channel", "payer", "payer_relation", "employer",
                    "cover_start", "cover_end", "repair_years", "tier_code"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Enrollment._meta.fields
                if f.editable and f.name not in self.INPUT_FIELDS and f.name != "id"]

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)

        class OneDoorForm(base):
            """Validates through the enrollment service's plan, so that the admin refuses
            exactly what every other door refuses, as form errors."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "pooling_region" in self.fields:  # empty: the county of residence
                    self.fields["pooling_region"].required = False

            def _post_clean(self):
                data = {k: self.cleaned_data.get(k) for k in EnrollmentAdmin.INPUT_FIELDS
                        if k in self.fields}
                if self.errors or not data.get("person"):
                    return
                tier = data.pop("tier_code", "") or ""  # the service's name for it: tier
                self.one_door = {**data, "scheme": data.get("scheme") or "resident",
                                 "channel": data.get("channel") or "",
                                 "payer_relation": data.get("payer_relation") or "",
                                 "repair_years": data.get("repair_years") or 0,
                                 "elsewhere": bool(data.get("elsewhere")), "tier": tier}
                try:
                    plan = services.enrollment_preview(
                        actor=request.user, instance=Enrollment.objects.get(pk=obj.pk)
                        if obj is not None else None, **self.one_door)
                except PermissionDenied:
                    self.add_error("person", "该人员不在您的辖区内。")
                    return
                for name, messages in plan.errors.items():
                    name = "tier_code" if name == "tier" else name
                    self.add_error(name if name in self.fields else None, messages)

        return OneDoorForm

    def save_model(self, request, obj, form, change):
        saved = services.enrollment_record(actor=request.user, instance=obj if change else None,
                                           request=request, **form.one_door)
        obj.pk, obj.id = saved.pk, saved.pk
        obj.refresh_from_db()


@admin.register(TransferRequest)
class TransferRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # Scoped by the owning side only: the requester's side must not learn whose file it is
    # before acceptance (its own page shows the masked number and the status).
    scope_fields = ("from_region_id",)
    list_display = ["masked_number", "from_region", "to_region", "status", "requested_by",
                    "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["person__name", "to_region__name"]
    raw_id_fields = ["person", "from_region", "to_region", "requested_by", "decided_by"]
    readonly_fields = ["status", "decided_by", "decided_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_fields = ("user__region_id",)
    list_display = ["at", "user", "action", "object_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["object_repr", "user__username", "=person__id_number"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    # Append-only for everyone, the superuser included (the database refuses too): no bulk
    # delete action, no delete button; the audit administrator reads every row.
    actions = None

    def get_queryset(self, request):
        if scope.can_read_audit(request.user):
            return admin.ModelAdmin.get_queryset(self, request)
        return super().get_queryset(request)

    def has_module_permission(self, request):
        return scope.can_read_audit(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return scope.can_read_audit(request.user) or super().has_view_permission(request, obj)


@admin.register(FeedImport)
class FeedImportAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The department files imported through 数据交换: read-only here (the flow writes them)."""

    scope_fields = ("region_id",)
    list_display = ["pk", "title", "status", "rows", "created", "updated", "unchanged",
                    "rejected", "user", "region", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "file_name", "user__username"]
    exclude = ["problems", "staged_token"]
    readonly_fields = [f.name for f in FeedImport._meta.fields
                       if f.name not in ("problems", "staged_token")]


from . import admin_findings  # noqa: E402,F401  (the comparison's rows, read-only)
