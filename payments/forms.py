"""Wallet forms: validation and normalisation only; the services decide."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from core import calendar
from enrollment.relations import RELATIONS

from .models import SponsorSource

RELATION_CHOICES = [("", "——")] + [(k, v) for k, v in RELATIONS.items() if k not in ("head",)]


def _helper(action: str, label: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = True
    helper.add_input(Submit(action, label))
    return helper


class CreditForm(forms.Form):
    source = forms.ChoiceField(label="资助来源类别", choices=SponsorSource.choices)
    sponsor = forms.CharField(label="资助方名称", max_length=100)
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2,
                                min_value=0.01)
    memo = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("credit", "资助转入")


class RelativeForm(forms.Form):
    relative = forms.IntegerField(label="转出亲属档案号", min_value=1,
                                  help_text="亲属须在本辖区建档；省外亲属的转入按“个人”资助登记。")
    relation = forms.ChoiceField(label="转出人是收款人的", choices=RELATION_CHOICES, required=False)
    evidence = forms.CharField(label="关系证明", max_length=200, required=False,
                               help_text="如：户口簿；或经办人核验的证明材料名称。")
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2,
                                min_value=0.01)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("relative", "近亲属转入")


class PayForm(forms.Form):
    year = forms.IntegerField(label="待遇年度", min_value=2000, max_value=2100)
    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    repair_years = forms.IntegerField(label="补缴年数", min_value=0, max_value=10, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = calendar.today()
        self.fields["year"].initial = calendar.coverage_year_for(today)
        self.fields["paid_on"].initial = today
        self.helper = _helper("pay", "从钱包缴费")


class ReverseForm(forms.Form):
    transfer = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="冲正原因", max_length=180)
