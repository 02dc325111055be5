"""The form that starts a January recalculation (validation only)."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from core.calendar import recalculation_year, year_field
from enrollment import regions, scope
from enrollment.models import Region


class RecalcStartForm(forms.Form):
    year = year_field("待遇年度",
                      error_messages={"invalid": "请输入四位年份，如2026。",
                                      "min_value": "请输入四位年份，如2026。",
                                      "max_value": "请输入四位年份，如2026。"})
    region = forms.ChoiceField(label="范围", required=False)
    full = forms.BooleanField(
        label="全量重算", required=False,
        help_text="默认只重算上次重算以来参保、报销或人员信息有变更的人员；政策参数调整后请勾选全量重算。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].initial = recalculation_year()
        counties = scope.filter_regions(user, Region.objects.filter(level=regions.COUNTY))
        own = "全部统筹区" if user.is_superuser else f"本辖区全部统筹区（{user.region.name}）"
        self.fields["region"].choices = [("", own)] + [
            (r.code, f"{r.name}（{r.code}）") for r in counties.order_by("code")[:500]]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "开始重算", css_class="w-100 w-md-auto"))

    def clean_region(self):
        code = self.cleaned_data.get("region")
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None or not scope.region_in_scope(self.user, code):
            raise forms.ValidationError("所选区划不在您的管辖范围内。")
        return region
