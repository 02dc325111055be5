"""The forms of the review queue (比对核查): filters, and one form per resolve action. Validation
only; the services decide and write. Messages name the field."""
from __future__ import annotations

from django import forms
from django.utils import timezone

from core.calendar import year_field

from .finding import FindingKind, FindingStatus
from .models import Enrollment, LIVE_STATUSES, Scheme


def _required(label: str, what: str) -> dict:
    return {"required": f"{label}：{what}", "invalid": f"{label}：格式不正确，{what}"}


class FindingFilterForm(forms.Form):
    kind = forms.ChoiceField(label="问题类型", required=False,
                             choices=[("", "全部类型"), *FindingKind.choices],
                             widget=forms.Select(attrs={"class": "form-select"}))
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态"), *FindingStatus.choices],
                               widget=forms.Select(attrs={"class": "form-select"}))
    region = forms.CharField(label="区划代码", required=False, max_length=15,
                             widget=forms.TextInput(attrs={"class": "form-control",
                                                           "inputmode": "numeric",
                                                           "placeholder": "不填为本辖区全部"}))


class Styled(forms.Form):
    """Bootstrap classes on every widget, so the page renders the fields in a loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect):
                css = ""
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs.setdefault("class", css)


class StopForm(Styled):
    enrollment = forms.ModelChoiceField(
        label="停保的参保登记", queryset=Enrollment.objects.none(),
        error_messages=_required("停保的参保登记", "请选择要停保的登记。"))
    on = forms.DateField(label="停保日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         error_messages=_required(
        "停保日期", "请按 2026-12-01 的格式填写。"))
    reason = forms.CharField(label="停保原因", required=False, max_length=150)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = Enrollment.objects.filter(
            person__in=persons, status__in=LIVE_STATUSES).select_related("pooling_region")
        self.fields["enrollment"].label_from_instance = (
            lambda e: f"{e.person.name} {e.year}年{e.get_scheme_display()}"
                      f"（{e.pooling_region.name}，{e.get_status_display()}）")
        self.fields["on"].initial = timezone.localdate()


class ElsewhereForm(Styled):
    year = year_field("参保年度", error_messages=_required("参保年度", "请填写四位年份。"))
    scheme = forms.ChoiceField(label="险种", choices=Scheme.choices, initial=Scheme.RESIDENT)
    region_code = forms.CharField(label="参保地区划代码", max_length=12, min_length=12,
                                  error_messages={
                                      "required": "参保地区划代码：请填写12位区划代码。",
                                      "min_length": "参保地区划代码：应为12位数字。"})


class MergeForm(Styled):
    survivor = forms.TypedChoiceField(label="保留的档案", coerce=int, widget=forms.RadioSelect,
                                      error_messages=_required("保留的档案", "请选择保留哪一份。"))
    confirm = forms.BooleanField(label="我已核对，两份档案是同一人",
                                 error_messages={"required": "确认：请先核对并勾选确认。"})

    def __init__(self, *args, finding=None, **kwargs):
        super().__init__(*args, **kwargs)
        files = [finding.person, finding.other_person] if finding else []
        self.fields["survivor"].choices = [
            (p.pk, f"档案{p.pk}：{p.name}（{p.masked_id}，{p.get_id_type_display()}）")
            for p in files if p is not None]


class DismissForm(Styled):
    reason = forms.CharField(label="核实情况（不需处理的原因）", max_length=200,
                             error_messages=_required("核实情况", "请填写不需处理的原因。"))


class NoteForm(Styled):
    text = forms.CharField(label="核查或走访情况", max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages=_required("核查情况", "请填写核查或走访的情况。"))


class RunForm(Styled):
    region = forms.CharField(label="比对范围（区划代码）", max_length=15,
                             error_messages=_required("比对范围", "请填写本辖区的区划代码。"))
