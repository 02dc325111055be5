"""Forms of the recalculation and claims import pages (validation only)."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from core.calendar import year_field
from enrollment import regions, scope
from enrollment.models import Region

MAX_UPLOAD = 20 * 1024 * 1024


class RecalcStartForm(forms.Form):
    year = year_field("待遇年度",
                      error_messages={"invalid": "请输入四位年份，如2026。",
                                      "min_value": "请输入四位年份，如2026。",
                                      "max_value": "请输入四位年份，如2026。"})
    region = forms.ChoiceField(label="范围", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].initial = timezone.localdate().year
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


class ClaimsUploadForm(forms.Form):
    file = forms.FileField(label="报销汇总文件（CSV 或 Excel）",
                           help_text="列：证件号码、年度、基金支付金额、使用激励额度（是/否）。"
                                     "可先下载模板填写。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise forms.ValidationError("只支持 .csv 或 .xlsx 文件，请另存为其中一种格式后再上传。")
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过20MB，请按乡镇拆分后分批上传。")
        return f
