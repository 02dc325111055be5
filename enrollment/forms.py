"""Validation and normalisation of what staff type. Writing is left to services."""
from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone

from core.calendar import YEAR_MIN, coverage_year_for

from . import idnumbers, regions, scope, services
from .payment_fields import bound_year, credit_field, offer_credit, offer_tiers, tier_field  # noqa: F401
from .models import (
    Channel,
    Enrollment,
    Household,
    IdType,
    Person,
    Region,
    Relation,
    Scheme,
)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


def _leaf_regions(user):
    """Villages and grids the user may place a person in."""
    return scope.filter_regions(user, Region.objects.filter(
        level__in=[regions.VILLAGE, regions.GRID])).order_by("code")


class PersonForm(forms.ModelForm):
    household_number = forms.CharField(
        label="户号", required=False, max_length=30,
        help_text="已有家庭户请填写户号；填写新户号且与户主关系为“户主”时将新建家庭户。")
    # Shown once the registration found a likely duplicate: saving then needs a stated reason
    # (audited), so that a second file for one person is a decision, not an accident.
    duplicate_reason = forms.CharField(
        label="确认不是同一人的原因", required=False, max_length=200,
        widget=forms.HiddenInput,
        help_text="如：双胞胎、同名同生日的另一人。原因将记入操作日志。")

    class Meta:
        model = Person
        fields = ["id_type", "id_number", "birth_cert_number", "name", "sex", "birth_date",
                  "phone", "hukou_region", "residence_region", "address", "relation_to_head"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "id_number": forms.TextInput(attrs={
                "autocomplete": "off", "inputmode": "text", "data-id-check": "1",
                "maxlength": 18, "placeholder": "18位身份证或居住证号码"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        field_classes = {"hukou_region": RegionChoiceField,
                         "residence_region": RegionChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        leaves = _leaf_regions(user)
        self.fields["residence_region"].queryset = leaves
        # A person registered elsewhere may live here: household registration can be anywhere.
        self.fields["hukou_region"].queryset = Region.objects.filter(
            level__in=[regions.VILLAGE, regions.GRID]).order_by("code")
        self.fields["id_number"].required = False
        self.fields["sex"].required = False
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = "填写身份证号码后自动带出。"
        self.fields["sex"].help_text = "填写身份证号码后自动带出。"
        if not self.instance.pk and user.region_id and len(user.region_id) >= 12:
            # Village clerks and grid workers register people of their own village.
            self.fields["hukou_region"].initial = regions.ancestor_code(user.region_id,
                                                                         regions.VILLAGE)
            self.fields["residence_region"].initial = user.region_id
        if self.instance.pk and self.instance.household_id:
            self.fields["household_number"].initial = self.instance.household.number
        self.helper = FormHelper()
        self.helper.attrs = {"data-id-check-url": reverse("id_check"), "novalidate": ""}
        self.helper.layout = Layout(
            Fieldset("证件信息", Row(Column("id_type", css_class="col-md-4"),
                                  Column("id_number", css_class="col-md-8")),
                     "birth_cert_number"),
            Fieldset("基本信息", Row(Column("name", css_class="col-md-4"),
                                  Column("sex", css_class="col-md-4"),
                                  Column("birth_date", css_class="col-md-4")), "phone"),
            Fieldset("户籍与居住", Row(Column("hukou_region", css_class="col-md-6"),
                                    Column("residence_region", css_class="col-md-6")),
                     "address", Row(Column("household_number", css_class="col-md-6"),
                                    Column("relation_to_head", css_class="col-md-6"))),
            "duplicate_reason",
            Submit("submit", "保存", css_class="btn-primary btn-lg w-100 w-md-auto"),
        )
        if self.data.get("duplicate_reason"):
            self.reveal_duplicate_reason()

    def reveal_duplicate_reason(self) -> None:
        self.fields["duplicate_reason"].widget = forms.Textarea(attrs={"rows": 2})

    def clean_id_number(self):
        return idnumbers.normalize(self.cleaned_data.get("id_number") or "") or None

    def clean_birth_cert_number(self):
        return (self.cleaned_data.get("birth_cert_number") or "").strip().upper() or None

    def clean(self):
        data = super().clean()
        id_type, number = data.get("id_type"), data.get("id_number")
        if id_type in (IdType.RESIDENT_ID, IdType.HMT_PERMIT):
            if not number:
                self.add_error("id_number", "请填写证件号码。")
            else:
                try:
                    parsed = idnumbers.parse(number)
                except idnumbers.IdNumberError as exc:
                    self.add_error("id_number", str(exc))
                else:
                    # Derive what the number says; a contradiction is reported by clean().
                    data.setdefault("birth_date", None)
                    data["birth_date"] = data["birth_date"] or parsed.birth_date
                    data["sex"] = data.get("sex") or parsed.sex
        elif id_type == IdType.BIRTH_CERT and not data.get("birth_cert_number"):
            self.add_error("birth_cert_number", "请填写出生医学证明编号。")
        # A number that does not parse is the one thing to fix: the birth date and sex it
        # would have given are not asked for as well.
        derived = id_type in (IdType.RESIDENT_ID, IdType.HMT_PERMIT) and "id_number" in self.errors
        if not data.get("birth_date") and "birth_date" not in self.errors and not derived:
            self.add_error("birth_date", "请填写出生日期。")
        if not data.get("sex") and "sex" not in self.errors and not derived:
            self.add_error("sex", "请选择性别。")
        self._clean_household(data)
        return data

    def _clean_household(self, data):
        number = (data.get("household_number") or "").strip()
        data["household"] = None
        if not number:
            return
        household = Household.objects.filter(number=number).first()
        if household is None:
            if data.get("relation_to_head") != Relation.HEAD:
                self.add_error("household_number",
                               "户号不存在。新建家庭户时，与户主关系请选择“户主”。")
            return
        if not scope.region_in_scope(self.user, household.region_id):
            self.add_error("household_number", "该户不在您的辖区内。")
            return
        data["household"] = household

    def _post_clean(self):
        # Model validation runs in the service (with the derived fields); here only the
        # form's own checks, so errors are not reported twice.
        pass


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="查询", required=False,
                        widget=forms.TextInput(attrs={
                            "placeholder": "身份证号、手机号、姓名或拼音首字母（如 zs）",
                            "autofocus": True}))


def _this_year():
    return timezone.localdate().year


class EnrollmentForm(forms.ModelForm):
    tier = tier_field()
    on_credit = credit_field()
    payer_id_number = forms.CharField(label="代缴亲属证件号码", required=False, max_length=18)
    transfer = forms.BooleanField(
        label="职工医保转居民医保", required=False,
        help_text="已离职转入居民医保：职工医保将在居民医保开始前一日终止。")
    # Only the cases that need no further dates can be chosen here; the others (welfare child,
    # transfer, exit, student) have their own special-case forms that ask for those dates.
    case_category = forms.ChoiceField(
        label="参保情形", required=False,
        choices=[("", "按系统根据档案认定的情形"), ("general", "一般居民"), ("newborn", "新生儿")],
        help_text="一般不需选择；与系统认定不符时才改，并填写原因（记入审计日志）。")
    override_reason = forms.CharField(label="改变情形的原因", required=False, max_length=200)

    class Meta:
        model = Enrollment
        fields = ["year", "scheme", "paid_on", "amount_paid", "channel", "payer_relation",
                  "repair_years", "cover_start", "cover_end"]
        widgets = {
            "paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "cover_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "cover_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "payer_relation": forms.Select(choices=[("", "——")] + [
                (k, v) for k, v in Relation.choices if k not in ("head", "other")]),
        }

    def __init__(self, *args, person, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.user = person, user
        self.fields["year"].initial = coverage_year_for()
        self.fields["paid_on"].initial = timezone.localdate()
        self.fields["channel"].initial = Channel.INDIVIDUAL
        self.fields["amount_paid"].help_text = "留空则按政策测算的应缴金额登记。"
        # The year's tiers only: the household income band that could suggest one is not held.
        year = bound_year(self, self.fields["year"].initial)
        tiers = offer_tiers(self, services.tier_choices(person=person, year=year), year)
        credit = offer_credit(self, services.credit_offered(person))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("year", css_class="col-md-4"), Column("scheme", css_class="col-md-4"),
                Column("paid_on", css_class="col-md-4")),
            *(["on_credit"] if credit else []),
            Row(Column("amount_paid", css_class="col-md-4"),
                Column("channel", css_class="col-md-4"),
                Column("repair_years", css_class="col-md-4")),
            *(["tier"] if tiers else []),
            Fieldset("亲属职工医保个人账户代缴", Row(
                Column("payer_id_number", css_class="col-md-6"),
                Column("payer_relation", css_class="col-md-6"))),
            Fieldset("职工医保参保期间", Row(Column("cover_start", css_class="col-md-6"),
                                         Column("cover_end", css_class="col-md-6")),
                     "transfer"),
            Fieldset("参保情形", Row(Column("case_category", css_class="col-md-6"),
                                  Column("override_reason", css_class="col-md-6"))),
        )
        # The template draws the form tag and the buttons, so that on a phone the preview
        # sits between the fields and 登记.
        self.helper.form_tag = False
        self.preview_url = reverse("enrollment_preview", args=[person.pk])

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not YEAR_MIN <= year <= _this_year() + 1:
            raise forms.ValidationError(f"待遇年度应在{YEAR_MIN}年至{_this_year() + 1}年之间。")
        return year

    def clean_paid_on(self):
        paid_on = self.cleaned_data.get("paid_on")
        if paid_on and paid_on > timezone.localdate():
            raise forms.ValidationError("缴费日期不能晚于今天。")
        if paid_on and paid_on < self.person.birth_date:
            raise forms.ValidationError("缴费日期不能早于出生日期。")
        return paid_on

    def clean(self):
        data = super().clean()
        data["payer"] = None
        if data.get("channel") == Channel.RELATIVE_ACCOUNT:
            self._clean_payer(data)
        if data.get("scheme") == Scheme.EMPLOYEE and not data.get("cover_start"):
            self.add_error("cover_start", "职工医保请填写参保起始日。")
        return data

    def _clean_payer(self, data):
        number = idnumbers.normalize(data.get("payer_id_number") or "")
        if not number:
            self.add_error("payer_id_number", "亲属账户代缴时请填写代缴亲属的证件号码。")
            return
        payer = Person.objects.filter(id_number=number).first()
        if payer is None:
            self.add_error("payer_id_number", "未找到该证件号码对应的人员，请先为代缴亲属建档。")
        elif payer.pk == self.person.pk:
            self.add_error("payer_id_number", "代缴人不能是参保人本人。")
        elif not data.get("payer_relation"):
            self.add_error("payer_relation", "请选择代缴人与参保人的关系（仅限近亲属）。")
        data["payer"] = payer

    def _post_clean(self):
        pass

    def service_kwargs(self) -> dict:
        """The cleaned fields as the one door's keyword arguments (the same for the preview
        and the write, so that what is shown is what is saved)."""
        data = self.cleaned_data
        category = data.get("case_category")
        return dict(year=data["year"], scheme=data["scheme"], paid_on=data["paid_on"],
                    amount_paid=data["amount_paid"], channel=data["channel"],
                    payer=data["payer"], payer_relation=data["payer_relation"],
                    repair_years=data["repair_years"], cover_start=data["cover_start"],
                    cover_end=data["cover_end"], transfer=data["transfer"],
                    tier=data.get("tier") or "", on_credit=bool(data.get("on_credit")),
                    case_override={"category": category} if category else None,
                    override_reason=data.get("override_reason") or "")


class EnrollmentStopForm(forms.Form):
    on = forms.DateField(label="停保日期", widget=forms.DateInput(attrs={"type": "date"},
                                                                format="%Y-%m-%d"),
                         initial=dt.date.today)
    reason = forms.CharField(label="停保原因", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "确认停保", css_class="btn-danger"))


class BatchEnrollmentForm(forms.Form):
    """Who is collected for: a village (or grid) or a school, and the payment."""

    year = forms.IntegerField(label="待遇年度")
    unit = forms.ChoiceField(label="代收单位")
    # A date input only shows an ISO date; the locale's format would leave it empty.
    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(attrs={"type": "date"},
                                                                     format="%Y-%m-%d"))
    channel = forms.ChoiceField(label="缴费渠道", choices=[
        (Channel.VILLAGE_BATCH, "村（社区）代收"), (Channel.SCHOOL_BATCH, "学校代收")])
    tier = tier_field()  # one tier for everyone collected, or none

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import School

        today = timezone.localdate()
        self.fields["year"].initial = coverage_year_for(today)
        self.fields["paid_on"].initial = today
        villages = scope.filter_regions(user, Region.objects.filter(level=regions.VILLAGE))
        schools = School.objects.filter(scope.region_q(user, "region_id"))
        self.fields["unit"].choices = (
            [("", "请选择村（社区）或学校")]
            + [(f"region:{r.code}", f"{r.name}（{r.code}）") for r in villages[:500]]
            + [(f"school:{s.pk}", f"学校：{s.name}") for s in schools[:500]])
        year = bound_year(self, self.fields["year"].initial)
        tiers = offer_tiers(self, services.tier_choices(
            year=year, region_code=self._unit_region(user)), year)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(
            Column("year", css_class="col-6 col-md-2"), Column("unit", css_class="col-12 col-md-4"),
            Column("paid_on", css_class="col-6 col-md-3"),
            Column("channel", css_class="col-6 col-md-3")), *(["tier"] if tiers else []))

    def _unit_region(self, user) -> str:
        """The region whose tiers are offered: the chosen unit's, else the user's own."""
        from .models import School

        unit = (self.data.get("unit") or "") if self.is_bound else ""
        kind, _, key = unit.partition(":")
        if kind == "region" and scope.region_in_scope(user, key):
            return key
        if kind == "school" and key.isdigit():
            school = School.objects.filter(pk=key).values_list("region_id", flat=True).first()
            return school or user.region_id or ""
        return user.region_id or ""

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("缴费日期不能晚于今天。")
        return paid_on


class LifeStatusForm(forms.Form):
    status = forms.ChoiceField(label="人员状态", choices=[
        (k, v) for k, v in Person._meta.get_field("life_status").choices])
    on = forms.DateField(label="变更日期", widget=forms.DateInput(attrs={"type": "date"},
                                                                format="%Y-%m-%d"))
    source = forms.CharField(label="依据/来源", max_length=100,
                             help_text="如：死亡医学证明、火化证明、户籍迁出证明、本人申报")

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存", css_class="btn-primary"))

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("变更日期不能晚于今天。")
        if on < self.person.birth_date:
            raise forms.ValidationError("变更日期不能早于出生日期。")
        return on


class HouseholdPaymentForm(forms.Form):
    """The household card's one payment for the ticked members: year, date and channel."""

    year = forms.IntegerField(label="待遇年度", min_value=YEAR_MIN)
    # A date input only takes ISO dates: in the locale's format the browser shows it empty.
    paid_on = forms.DateField(label="缴费日期", widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    channel = forms.ChoiceField(label="缴费渠道", choices=[
        (Channel.INDIVIDUAL, "个人缴费"), (Channel.VILLAGE_BATCH, "村（社区）代收"),
        (Channel.WALLET, "医保钱包")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = coverage_year_for(today)
        self.fields["paid_on"].initial = today
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(
            Column("year", css_class="col-4 col-md-2"), Column("paid_on", css_class="col-8 col-md-3"),
            Column("channel", css_class="col-12 col-md-3")))

    clean_paid_on = BatchEnrollmentForm.clean_paid_on
