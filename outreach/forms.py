"""Validation and normalisation only; the services write."""
from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from core.calendar import coverage_year_for, year_field
from enrollment import regions, scope
from enrollment.forms import RegionChoiceField
from enrollment.models import Region, User

from .models import EntryStatus, Reason, Visit

DATE = {"type": "date"}


def outreach_year(today: dt.date | None = None) -> int:
    """The coverage year being worked: from September the concentrated period collects for
    next year, so the ledger that matters is next year's."""
    return coverage_year_for(today)


def _helper(label: str, form_tag=False) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    if label:
        helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper


class LedgerFilterForm(forms.Form):
    year = year_field("年度", required=False)
    reason = forms.ChoiceField(label="未参保原因", required=False,
                               choices=[("", "全部原因")] + Reason.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态")] + EntryStatus.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    q = forms.CharField(label="查询", required=False, max_length=50)


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(label="未参保原因", choices=[("", "请选择")] + Reason.choices)
    note = forms.CharField(label="原因说明", required=False, max_length=200,
                           help_text="选择“其他”时必填；外地参保请写明参保地。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("保存原因")


class GenerateForm(forms.Form):
    year = year_field("年度")
    region = RegionChoiceField(label="区划", queryset=Region.objects.none())
    full = forms.BooleanField(label="全量重新比对", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope.filter_regions(user, Region.objects.filter(
            level__in=[regions.CITY, regions.COUNTY, regions.TOWNSHIP])).order_by("code")


class PushForm(forms.Form):
    year = year_field("年度")
    township = RegionChoiceField(label="接收乡镇（街道）", queryset=Region.objects.none())
    village = RegionChoiceField(label="仅下发某村（社区）", queryset=Region.objects.none(),
                                required=False)
    reason = forms.ChoiceField(label="仅下发某原因", required=False,
                               choices=[("", "全部（含未填原因）")] + Reason.choices)
    limit = forms.IntegerField(label="最多下发条数", required=False, min_value=1,
                               help_text="留空则下发全部符合条件且未下发的人员。")
    due_date = forms.DateField(label="反馈时限", required=False, widget=forms.DateInput(DATE))
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = scope.filter_regions(user, Region.objects.all()).order_by("code")
        self.fields["township"].queryset = visible.filter(level=regions.TOWNSHIP)
        self.fields["village"].queryset = visible.filter(level=regions.VILLAGE)
        self.helper = _helper("确认下发")

    def clean(self):
        data = super().clean()
        township, village = data.get("township"), data.get("village")
        if township and village and (regions.ancestor_code(village.code, regions.TOWNSHIP)
                                     != township.code):
            self.add_error("village", "所选村（社区）不属于该乡镇（街道）。")
        return data


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "method", "outcome", "note", "next_follow_up"]
        widgets = {
            "visited_on": forms.DateInput(DATE, format="%Y-%m-%d"),
            "next_follow_up": forms.DateInput(DATE, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2, "placeholder": "见到谁、说了什么、对方意愿"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _helper("保存走访记录")

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天。")
        return day


class CannotForm(forms.Form):
    reason = forms.ChoiceField(label="无法参保原因", choices=[("", "请选择")] + Reason.choices)
    note = forms.CharField(label="原因说明", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("确认无法参保")


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(label="网格员", queryset=User.objects.none())

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"
        self.helper = _helper("分配")


class _Workers(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.username}）"


class GridAssignForm(forms.Form):
    grid = RegionChoiceField(label="网格", queryset=Region.objects.none())
    worker = _Workers(label="网格员", queryset=User.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = scope.filter_regions(
            user, Region.objects.filter(level=regions.GRID)).order_by("code")
        self.fields["worker"].queryset = scope.grid_workers(user)
        self.helper = _helper("分配网格")


class SubstituteForm(forms.Form):
    leaving = _Workers(label="离岗网格员", queryset=User.objects.none())
    substitute = _Workers(label="接替网格员", queryset=User.objects.none())
    on = forms.DateField(label="接替日期", widget=forms.DateInput(DATE))
    reason = forms.CharField(label="原因", required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        workers = scope.grid_workers(user)
        self.fields["leaving"].queryset = workers
        self.fields["substitute"].queryset = workers
        self.helper = _helper("办理替换")


class TargetForm(forms.Form):
    region = RegionChoiceField(label="区划", queryset=Region.objects.none())
    year = year_field("年度")
    target_count = forms.IntegerField(label="目标参保人数", required=False, min_value=0)
    target_rate = forms.DecimalField(label="目标参保率（%）", required=False, max_digits=5,
                                     decimal_places=2)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope.filter_regions(user, Region.objects.filter(
            level__in=[regions.COUNTY, regions.TOWNSHIP, regions.VILLAGE])).exclude(
            code=user.region_id or "").order_by("code")
        self.helper = _helper("下达目标")


class CampaignForm(forms.Form):
    name = forms.CharField(label="活动名称", max_length=100)
    year = year_field("参保年度")
    region = RegionChoiceField(label="组织单位", queryset=Region.objects.none())
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(DATE))
    end_date = forms.DateField(label="结束日期", widget=forms.DateInput(DATE))
    targets = forms.CharField(
        label="各地目标参保人数", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个：区划代码 目标人数，例如 430121100000 500")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope.filter_regions(user, Region.objects.filter(
            level__in=[regions.CITY, regions.COUNTY, regions.TOWNSHIP])).order_by("code")
        self.helper = _helper("创建活动")

    def clean_targets(self):
        targets = {}
        for number, line in enumerate(self.cleaned_data["targets"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdecimal():
                raise forms.ValidationError(f"第{number}行格式不对，应为“区划代码 目标人数”。")
            if len(parts[1]) > 9:
                raise forms.ValidationError(f"第{number}行目标人数过大，请核对。")
            targets[parts[0]] = int(parts[1])
        return targets

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "结束日期不能早于开始日期。")
        return data
