from django import template

from enrollment import coverage, idnumbers

register = template.Library()


@register.filter
def mask_id(value):
    return idnumbers.mask(value)


@register.filter
def mask_phone(value):
    return idnumbers.mask_phone(value)


@register.filter
def percent(value, digits=1):
    if value is None:
        return "—"
    return f"{value:.{digits}f}%"


@register.filter
def coverage_rate(value):
    """A coverage rate as every page shows it (enrollment.coverage.RATE_DIGITS)."""
    return coverage.rate_text(value)
