"""A list's print view (core.pagination.printing): the link to it, the way back, and whether
this page is one."""

from django import template

from guanai.core.pagination import list_query, printing

register = template.Library()


@register.simple_tag(takes_context=True)
def print_url(context) -> str:
    """This list with its filters, as its print view."""
    query = list_query(context["request"])
    return f"?{query}&print=1" if query else "?print=1"


@register.simple_tag(takes_context=True)
def list_url(context) -> str:
    """This list with its filters, from its first page: the way back from its print view."""
    request = context["request"]
    query = list_query(request)
    return f"?{query}" if query else request.path


@register.simple_tag(takes_context=True)
def print_view(context) -> bool:
    request = context.get("request")
    return request is not None and printing(request)
