"""{% place area %}: an area's name in a list, with its township (or county) beside it
when the viewer's lists span several (Area.place)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def place(context, area):
    if area is None:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    name, parent = area.place(getattr(user, "area_id", None))
    if not parent:
        return name
    return format_html('{}<span class="place-parent">（{}）</span>', name, parent)
