"""How a dashboard or a statistics table writes a figure: counts as digits, money with at most
two decimals, rates with one (official writing drops trailing zeros: 464.9, not 464.90)."""

from django import template

from guanai.textproc.numbers import trim_decimal

register = template.Library()


@register.filter
def figure(value, unit: str = ""):
    if value is None:
        return "—"
    return trim_decimal(value, 1 if unit == "%" else 2)
