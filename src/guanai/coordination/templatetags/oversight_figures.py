"""``{{ value|figure }}``: a figure as official writing has it (2.5, 160, 464.9 — no trailing zeros), "—" for none."""

from django import template

from guanai.textproc.numbers import trim_decimal

register = template.Library()


@register.filter
def figure(value, empty: str = "—"):
    if value is None or value == "":
        return empty
    return trim_decimal(value)
