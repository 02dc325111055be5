"""The claims summaries upload form: file type and size only; the rows are checked by the
resource (benefits.claims.resources)."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from core import uploads


class ClaimsUploadForm(forms.Form):
    file = forms.FileField(label="报销汇总文件（CSV 或 Excel）",
                           help_text="列：证件号码、年度、基金支付金额、使用激励额度（是/否）。"
                                     "可先下载模板填写。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += uploads.limits_text()
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise forms.ValidationError("只支持 .csv 或 .xlsx 文件，请另存为其中一种格式后再上传。")
        try:
            uploads.check_size(f.size)
        except uploads.UploadError as exc:
            raise forms.ValidationError(exc.messages) from None
        return f
