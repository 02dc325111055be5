from decimal import Decimal

from django import template

from enrollment import coverage, idnumbers, scope

register = template.Library()


@register.filter
def mask_id(value):
    return idnumbers.mask(value)


@register.filter
def mask_phone(value):
    return idnumbers.mask_phone(value)


@register.simple_tag(takes_context=True)
def whole_phone(context, whose) -> bool:
    """`{% whole_phone person as whole %}`: the page's user sees this phone number whole
    (enrollment.scope.sees_whole_phone); otherwise show it masked and without a tel: link."""
    request = context.get("request")
    return bool(request) and scope.sees_whole_phone(request.user, whose)


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{value:.{digits}f}%"


@register.filter
def coverage_rate(value):
    """A coverage rate as every page shows it (enrollment.coverage.RATE_DIGITS)."""
    return coverage.rate_text(value)


@register.filter
def yuan(value):
    """An amount of yuan as people say it: 300000 → "30万元", 4500 → "4500元"."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if amount >= 10000:
        return f"{(amount / 10000).normalize():f}万元"
    return f"{amount.normalize():f}元" if amount == amount.to_integral() else f"{amount:.2f}元"
