"""Fields that the payment forms share (the 参保登记 form, batch collection, the special-case
pages): R-TIER's tier choice and R-CREDIT's 信用参保 box, each offered only where the region's
profile has it."""
from __future__ import annotations

from django import forms

from core.calendar import YEAR_MIN


def tier_field() -> forms.CharField:
    """R-TIER's choice on a payment form: a text field behind radio buttons (a few tiers, each
    label with its amount and cap readable on a phone, where a select would cut it). The one door
    checks the code (an unknown one is refused naming 缴费档次), so a posted code is kept."""
    return forms.CharField(label="缴费档次", required=False, max_length=20,
                           widget=forms.RadioSelect,
                           help_text="分档缴费：应缴金额、补缴价格和大病保险最高支付限额随档次而定。")


def bound_year(form, default: int) -> int:
    """The year typed into a bound form (for its tier choice), else `default`."""
    try:
        year = int(form.data.get(form.add_prefix("year")) or default) if form.is_bound else default
    except (TypeError, ValueError):
        return default
    return year if YEAR_MIN <= year <= 9999 else default


def offer_tiers(form, tiers: list[tuple[str, str]], year: int) -> bool:
    """Put the year's tiers in the form's choice; True when it is to be shown: the year has
    tiers, or a code was posted (so that its refusal shows next to the field)."""
    posted = (form.data.get(form.add_prefix("tier")) or "") if form.is_bound else ""
    if not tiers and not posted:
        return False
    choices = [("", f"不选档次（按{year}年缴费标准）"), *tiers]
    if posted and posted not in dict(tiers):
        choices.append((posted, f"{posted}（{year}年无此档次）"))
    form.fields["tier"].widget.choices = choices
    return True


def credit_field() -> forms.BooleanField:
    """R-CREDIT's box: enrolled now, the contribution owed (the one door refuses it, naming
    信用参保, where the profile does not allow it)."""
    return forms.BooleanField(
        label="信用参保（先登记、后缴费）", required=False,
        help_text="本地政策允许时可先登记参保，按期限缴清欠费；勾选后“缴费日期”填写登记日期，"
                  "实缴金额留空。")


def offer_credit(form, allowed: bool) -> bool:
    """Keep the 信用参保 box where the profile allows credit, or where it was posted (so that
    its refusal shows next to it); drop it elsewhere."""
    posted = bool(form.data.get(form.add_prefix("on_credit"))) if form.is_bound else False
    if allowed or posted:
        return True
    form.fields.pop("on_credit", None)
    return False
