"""`{% form_token %}`: the hidden single-use token of a write form (core/once.py)."""
from django import template
from django.utils.html import format_html

from core import once

register = template.Library()


@register.simple_tag
def form_token():
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.issue())
