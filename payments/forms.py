"""Wallet forms: validation and normalisation only; the services decide."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from core import calendar
from enrollment import scope
from enrollment.models import Person, Region
from enrollment.relations import RELATIONS

from .models import PayerKind, SponsorSource

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


class PayerForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类别", choices=PayerKind.choices)
    region = forms.ModelChoiceField(label="服务区划", queryset=Region.objects.none())
    contact = forms.CharField(label="联系人及电话", max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope.filter_regions(
            user, Region.objects.exclude(code__regex=r"^\d{15}$")).order_by("code")
        self.helper = _helper("create", "登记")


class MembersForm(forms.Form):
    year = calendar.year_field("待遇年度")
    people = forms.CharField(label="人员", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="每行一个：完整证件号码或档案号。")
    note = forms.CharField(label="备注", max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = calendar.coverage_year_for()

    def clean_people(self):
        found, missing = [], []
        for line in self.cleaned_data["people"].splitlines():
            key = line.strip().upper()
            if not key:
                continue
            qs = (Person.objects.filter(pk=key) if key.isdigit() and len(key) < 15
                  else Person.objects.filter(id_number=key))
            person = scope.filter_persons(self.user, qs).first()
            (found.append(person) if person else missing.append(line.strip()))
        if missing:
            raise forms.ValidationError(
                f"人员：未找到或不在您的辖区内：{'、'.join(missing[:10])}")
        if not found:
            raise forms.ValidationError("人员：请至少填写一人。")
        return found


class PayerPayForm(forms.Form):
    year = calendar.year_field("待遇年度")
    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(attrs={"type": "date"},
                                                                    format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = calendar.coverage_year_for()
        self.fields["paid_on"].initial = calendar.today()
