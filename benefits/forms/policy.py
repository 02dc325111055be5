"""Forms of the policy pages: the calculator and the guided special cases. Validation and
normalisation only; the engine is asked through benefits.inputs / benefits.services."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone

from core.calendar import coverage_year_for, year_field
from enrollment import idnumbers
from enrollment import services as registry
from enrollment.forms import RegionChoiceField, _leaf_regions, bound_year, offer_tiers, tier_field
from enrollment.models import CLOSE_RELATIVES, Channel, Person, Relation, School, Sex

from ..models import PolicyProfile
from ..rules.transfers import EXIT_REASON_LABELS

CATEGORY_CHOICES = [
    ("general", "一般居民"),
    ("newborn", "新生儿"),
    ("welfare_child", "福利机构儿童"),
    ("college_student", "大学生（学校参保）"),
    ("exit_other_scheme", "退出其他制度保障"),
    ("employee_transfer", "职工医保转居民医保"),
]
GROUP_CHOICES = [("", "无"), ("special_hardship", "特困人员（含孤儿、事实无人抚养儿童）"),
                 ("low_income", "低保对象"), ("monitored", "防止返贫监测对象")]
STATUS_CHOICES = [
    ("gap", "未参保（断缴）"),
    ("resident", "居民·集中期缴费"),
    ("resident_late", "居民·集中期外"),
    ("employee:12", "职工医保全年"),
    ("employee:6", "职工医保6个月"),
    ("employee:3", "职工医保3个月"),
    ("employee:2", "职工医保不足3月"),
]
EXIT_REASON_CHOICES = [("", "——")] + [(k, v) for k, v in EXIT_REASON_LABELS.items()]
RELATIVE_CHOICES = [("", "——")] + [(k, v) for k, v in Relation.choices if k in CLOSE_RELATIVES]
HISTORY_YEARS = 6
DATE = {"type": "date"}


def default_year() -> int:
    return coverage_year_for()


def _date_field(label, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class CalculatorForm(forms.Form):
    """Every input of a case; history is one select per year before the coverage year."""

    profile = forms.ChoiceField(label="政策方案")
    year = year_field("待遇年度")
    paid_on = _date_field("缴费日期", required=True)
    birth_date = _date_field("出生日期", required=True)
    category = forms.ChoiceField(label="人员类别", choices=CATEGORY_CHOICES, initial="general")
    group = forms.ChoiceField(label="困难群体", choices=GROUP_CHOICES, required=False)
    repair_years = forms.IntegerField(label="补缴断缴年数", min_value=0, max_value=50, initial=0,
                                      required=False)
    newborn_next_year_only = forms.BooleanField(label="新生儿只缴次年（10月1日后出生）",
                                                required=False)
    first_at_school = forms.BooleanField(label="新入学大学生首次在校参保", required=False)
    welfare_entry_on = _date_field("进入儿童福利机构日期")
    employee_ended_on = _date_field("职工医保停保日期（首个未参保日）")
    exited_on = _date_field("退出原制度保障日期")
    exit_reason = forms.ChoiceField(label="退出原因", choices=EXIT_REASON_CHOICES,
                                    required=False)

    def __init__(self, *args, history_years: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [
            (p.code, p.name) for p in PolicyProfile.objects.order_by("code")]
        year = self._year()
        self.history_years = history_years or list(range(year - 1, year - 1 - HISTORY_YEARS, -1))
        for y in self.history_years:
            self.fields[f"h{y}"] = forms.ChoiceField(label=f"{y}年", choices=STATUS_CHOICES,
                                                     initial="gap", required=False)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(Column("profile", css_class="col-md-4"), Column("year", css_class="col-6 col-md-4"),
                Column("paid_on", css_class="col-6 col-md-4")),
            Row(Column("birth_date", css_class="col-6 col-md-4"),
                Column("category", css_class="col-6 col-md-4"),
                Column("group", css_class="col-md-4")),
            Fieldset("历年参保情况", Row(*[Column(f"h{y}", css_class="col-6 col-md-4")
                                        for y in self.history_years])),
            Fieldset("补缴与特殊情形", Row(
                Column("repair_years", css_class="col-6 col-md-4"),
                Column("welfare_entry_on", css_class="col-6 col-md-4"),
                Column("employee_ended_on", css_class="col-6 col-md-4"),
                Column("exited_on", css_class="col-6 col-md-4"),
                Column("exit_reason", css_class="col-6 col-md-4")),
                "newborn_next_year_only", "first_at_school"),
            Submit("calc", "测算", css_class="btn-primary btn-lg"),
        )

    def _year(self) -> int:
        raw = self.data.get("year") if self.is_bound else self.initial.get("year")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return default_year()

    def to_case(self) -> dict:
        d = self.cleaned_data
        enrollment = {"paid_on": d["paid_on"].isoformat(), "repair_years": d["repair_years"] or 0}
        for name in ("newborn_next_year_only", "first_at_school"):
            if d.get(name):
                enrollment[name] = True
        for name in ("welfare_entry_on", "employee_ended_on", "exited_on"):
            if d.get(name):
                enrollment[name] = d[name].isoformat()
        if d.get("exit_reason"):
            enrollment["exit_reason"] = d["exit_reason"]
        history = {str(y): d.get(f"h{y}") or "gap" for y in sorted(self.history_years)
                   if y >= d["birth_date"].year}
        return {"profile": d["profile"], "year": d["year"],
                "person": {"birth_date": d["birth_date"].isoformat(),
                           "group": d.get("group") or None, "category": d["category"]},
                "history": history, "enrollment": enrollment}


# --- Guided special cases --------------------------------------------------------------------

KINDS = {
    # kind: (title, help)
    "newborn": ("新生儿参保", "凭出生医学证明参保。湖南：出生90天内缴费，自出生之日起享受待遇、无等待期；"
                              "10月1日后出生的可只缴次年。山西：出生当年免缴。"),
    "student": ("大学生在校参保", "新入学大学生、职业院校学生通过学校参保，每年一次，"
                                 "不能一次缴多年，也不能在户籍地重复参保。"),
    "welfare": ("福利机构儿童参保", "儿童福利机构新接收且未参保的儿童，可随时缴费，"
                                   "自进入机构之日起享受待遇。"),
    "transfer": ("职工医保转居民医保", "职工医保停保后3个月内在集中期外参加居民医保的情形。"),
    "exit": ("退出其他制度保障后参保", "退役军人及随军未就业配偶、刑满释放人员、职工医保连续参保2年以上停缴人员，"
                                    "离开原保障3个月内参保。"),
    "repair": ("断缴补缴（修复等待期）", "每补缴1年断缴，变动等待期减少1个月；断缴4年以上等待期不少于6个月。"),
    "relative": ("亲属职工医保个人账户代缴", "职工医保个人账户只能为配偶、父母、子女、兄弟姐妹、"
                                          "祖父母、外祖父母、孙子女、外孙子女代缴。"),
    "hardship": ("困难群体资助参保", "特困人员、低保对象、防止返贫监测对象按身份认定自动计算资助金额。"),
}
KIND_FIELDS = {
    "newborn": ["newborn_next_year_only"],
    "student": ["school", "first_at_school"],
    "welfare": ["welfare_entry_on"],
    "transfer": ["employee_ended_on"],
    "exit": ["exited_on", "exit_reason"],
    "repair": ["repair_years"],
    "relative": ["payer_id_number", "payer_relation"],
    "hardship": [],
}
REQUIRED = {"welfare_entry_on", "employee_ended_on", "exited_on", "exit_reason", "repair_years",
            "payer_id_number", "payer_relation", "school"}


class SpecialCaseForm(forms.Form):
    """One form for every special case; only the fields of `kind` are kept."""

    year = year_field("待遇年度")
    paid_on = _date_field("缴费日期", required=True)
    amount_paid = forms.DecimalField(label="实缴金额（元）", required=False, min_value=0,
                                     max_digits=10, decimal_places=2,
                                     help_text="留空则按测算的应缴金额（含补缴）登记。")
    channel = forms.ChoiceField(label="缴费渠道", initial=Channel.INDIVIDUAL, required=False,
                                choices=[
        (k, v) for k, v in Channel.choices
        if k not in (Channel.SCHOOL_BATCH, Channel.RELATIVE_ACCOUNT, Channel.EMPLOYER)])
    newborn_next_year_only = forms.BooleanField(
        label="只缴纳次年（10月1日及以后出生）", required=False,
        help_text="勾选后待遇年度为出生次年，出生当年不参保、不计断缴。")
    school = forms.ModelChoiceField(label="就读学校", queryset=School.objects.none(),
                                    required=False)
    first_at_school = forms.BooleanField(label="新入学，首次在校参保", required=False,
                                         initial=True)
    welfare_entry_on = _date_field("进入儿童福利机构日期")
    employee_ended_on = _date_field("职工医保停保日期", help_text="停保次日，即首个未参保日。")
    exited_on = _date_field("退出原制度保障日期")
    exit_reason = forms.ChoiceField(label="退出原因（经办人核实）", choices=EXIT_REASON_CHOICES,
                                    required=False)
    repair_years = forms.IntegerField(label="补缴断缴年数", min_value=0, max_value=50,
                                      required=False)
    payer_id_number = forms.CharField(label="代缴亲属证件号码", required=False, max_length=18)
    payer_relation = forms.ChoiceField(label="代缴人是参保人的", choices=RELATIVE_CHOICES,
                                       required=False)
    tier = tier_field()

    def __init__(self, *args, kind: str, person: Person | None, tier_region: str = "",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.person = kind, person
        keep = {"year", "paid_on", "amount_paid", "channel", "tier", *KIND_FIELDS[kind]}
        if kind in ("student", "relative"):
            keep.discard("channel")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
            elif name in REQUIRED:
                self.fields[name].required = True
        if "school" in self.fields:
            self.fields["school"].queryset = School.objects.filter(
                kind__in=[School.Kind.COLLEGE, School.Kind.VOCATIONAL]).order_by("name")
            if person is not None and person.school_id:
                self.fields["school"].initial = person.school_id
        if "repair_years" in self.fields:
            self.fields["repair_years"].min_value = 1
        self.fields["year"].initial = default_year()
        if kind == "newborn":
            self.fields["year"].required = False
            self.fields["year"].initial = None
            self.fields["year"].help_text = "留空：出生当年；勾选只缴次年时为出生次年。"
        self.fields["paid_on"].initial = timezone.localdate()
        # A newborn's year left empty is the birth year, for the clerk most often this one.
        year = bound_year(self, self.fields["year"].initial or timezone.localdate().year)
        tiers = offer_tiers(self, registry.tier_choices(
            year=year, person=person, region_code=tier_region), year)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        half = "col-md-6"
        top = [Column(n, css_class=half) for n in ("year", "paid_on", "amount_paid", "channel")
               if n in self.fields]
        extra = [n for n in KIND_FIELDS[kind] if n in self.fields]
        dates = [Column(n, css_class=half) for n in extra if n not in ("newborn_next_year_only",
                                                                       "first_at_school")]
        flags = [n for n in extra if n in ("newborn_next_year_only", "first_at_school")]
        self.helper.layout = Layout(Row(*top), *(["tier"] if tiers else []), Row(*dates),
                                    *flags)

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("缴费日期不能晚于今天。")
        if self.person is not None and paid_on < self.person.birth_date:
            raise forms.ValidationError("缴费日期不能早于出生日期。")
        return paid_on

    def clean_payer_relation(self):
        relation = self.cleaned_data.get("payer_relation")
        if self.kind == "relative" and relation not in CLOSE_RELATIVES:
            raise forms.ValidationError("只能由配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、"
                                        "孙子女、外孙子女的职工医保个人账户代缴。")
        return relation

    def clean(self):
        data = super().clean()
        data["payer"] = None
        if self.kind == "relative" and data.get("payer_id_number"):
            number = idnumbers.normalize(data["payer_id_number"])
            payer = Person.objects.filter(id_number=number).first()
            if payer is None:
                self.add_error("payer_id_number", "未找到该证件号码对应的人员，请先为代缴亲属建档。")
            elif self.person is not None and payer.pk == self.person.pk:
                self.add_error("payer_id_number", "代缴人不能是参保人本人。")
            data["payer"] = payer
        return data


class NewbornPersonForm(forms.Form):
    """The newborn's own file, by birth medical certificate."""

    name = forms.CharField(label="新生儿姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=Sex.choices)
    birth_date = _date_field("出生日期", required=True)
    birth_cert_number = forms.CharField(label="出生医学证明编号", max_length=20,
                                        help_text="如已在本辖区建档，将使用原档案。")
    residence_region = RegionChoiceField(label="常住地", queryset=None)

    def __init__(self, *args, user, parent: Person | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["residence_region"].queryset = _leaf_regions(user)
        if parent is not None:
            self.fields["residence_region"].initial = parent.residence_region_id
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-4"), Column("sex", css_class="col-6 col-md-4"),
                Column("birth_date", css_class="col-6 col-md-4")),
            Row(Column("birth_cert_number", css_class="col-md-6"),
                Column("residence_region", css_class="col-md-6")))

    def clean_birth_cert_number(self):
        return self.cleaned_data["birth_cert_number"].strip().upper()

    def clean_birth_date(self):
        birth = self.cleaned_data["birth_date"]
        if birth > timezone.localdate():
            raise forms.ValidationError("出生日期不能晚于今天。")
        return birth

    def person_data(self) -> dict:
        d = self.cleaned_data
        parent = self.parent
        region = d["residence_region"]
        data = {"id_type": "birth_cert", "birth_cert_number": d["birth_cert_number"],
                "name": d["name"], "sex": d["sex"], "birth_date": d["birth_date"],
                "residence_region": region,
                "hukou_region": parent.hukou_region if parent else region}
        if parent is not None and parent.household_id:
            data.update(household=parent.household, relation_to_head=Relation.CHILD
                        if parent.relation_to_head in (Relation.HEAD, Relation.SPOUSE)
                        else Relation.GRANDCHILD if parent.relation_to_head == Relation.CHILD
                        else Relation.OTHER, address=parent.address)
        return data
