from django import template

from enrollment import idnumbers

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
