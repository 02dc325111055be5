"""The person file's yearly timeline as an inclusion tag: the registry's person page shows it
without the registry importing benefits (see benefits/timeline.py)."""
from django import template

from benefits import timeline as selectors

register = template.Library()


@register.inclusion_tag("benefits/_timeline.html", takes_context=True)
def person_timeline(context, person):
    return {"years": selectors.person_timeline(context["request"].user, person),
            "person": person, "can_write": context.get("can_write", False)}
