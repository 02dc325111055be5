"""Admin for profiles, yearly standards and region mappings. Every staff member with a region may
read them; only the superuser changes them (scope.can_admin_write): a standard is province-wide,
no county's to change. Every change is kept by
simple_history; changing a standard that enrollments already use asks for confirmation."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from enrollment import regions, scope
from enrollment.admin_scope import ScopedAdminMixin
from enrollment.models import Enrollment, Scheme

from ..models import ContributionTier, PolicyProfile, PoolingRegionProfile, YearStandard


class PolicyAdminMixin:
    """Readable by staff with a region; writable by the superuser only."""

    def _has_scope(self, request):
        return request.user.is_staff and scope.region_prefix(request.user) is not None

    def has_module_permission(self, request):
        return self._has_scope(request)

    def has_view_permission(self, request, obj=None):
        return self._has_scope(request)

    def has_add_permission(self, request, *args):
        return self._has_scope(request) and scope.can_admin_write(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        return self._has_scope(request) and scope.can_admin_write(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(PolicyProfile)
class PolicyProfileAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "counting_start_year", "late_pays_subsidy",
                    "hardship_on_time_only", "step", "student_rule", "updated_at"]
    list_filter = ["late_pays_subsidy", "hardship_on_time_only", "student_rule"]
    search_fields = ["code", "name"]


def enrollments_using(standard: YearStandard):
    """Resident enrollments of the standard's year in regions that follow its profile."""
    prefixes = [regions.prefix_of(code) for code in PoolingRegionProfile.objects.filter(
        profile_id=standard.profile_id).values_list("region_id", flat=True)]
    if not prefixes:
        return Enrollment.objects.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(pooling_region__pk__startswith=prefix)
    return Enrollment.objects.filter(q, year=standard.year, scheme=Scheme.RESIDENT)


class YearStandardForm(forms.ModelForm):
    confirm_used = forms.BooleanField(
        label="确认修改已使用的标准", required=False,
        help_text="该年度已有参保登记按此标准测算。修改后已登记的测算结果不会自动改变，"
                  "须由年度重算更新；确认无误请勾选。")

    class Meta:
        model = YearStandard
        fields = "__all__"

    def clean(self):
        data = super().clean()
        instance = self.instance
        changed = [f for f in self.changed_data if f != "confirm_used"]
        if instance.pk and changed and not data.get("confirm_used"):
            original = YearStandard.objects.get(pk=instance.pk)
            count = enrollments_using(original).count()
            if count:
                self.add_error("confirm_used",
                               f"{original.year}年已有{count}条参保登记使用该标准，"
                               "请勾选“确认修改已使用的标准”后再保存。")
        return data


@admin.register(YearStandard)
class YearStandardAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    form = YearStandardForm
    list_display = ["profile", "year", "individual", "subsidy", "concentrated_start",
                    "concentrated_end", "catastrophic_cap", "updated_at"]
    list_filter = ["profile", "year"]
    search_fields = ["profile__code", "profile__name", "=year"]
    list_select_related = ["profile"]


@admin.register(ContributionTier)
class ContributionTierAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ["standard", "code", "name", "individual", "catastrophic_cap",
                    "reimbursement_ratio"]
    list_filter = ["standard__profile", "standard__year"]
    search_fields = ["code", "name", "standard__profile__code"]
    list_select_related = ["standard__profile"]


@admin.register(PoolingRegionProfile)
class PoolingRegionProfileAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_fields = ("region_id",)
    list_display = ["region_id", "region", "profile"]
    list_filter = ["profile"]
    search_fields = ["region__pk", "region__name"]
    raw_id_fields = ["region"]

