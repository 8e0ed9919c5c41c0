"""The rules for what users type, in one place: dates in a sane range, counts and amounts
with a sane maximum, money rounded before it is checked, phone numbers, record ids.

Services call the ``check_*``/``parse_*`` functions (they raise ``ValidationError`` with a
Chinese message naming the field); forms use the matching fields (``RangedDateField``,
``CountField``, ``MoneyField``, ``PhoneField``), which apply the same functions, so a page,
a service and the API refuse the same input with the same words.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from guanai.core import clock
from guanai.textproc import idcard
from guanai.textproc.cells import CellValueError
from guanai.textproc.cells import clean_phone as _clean_phone
from guanai.textproc.numbers import format_date
from guanai.textproc.width import to_halfwidth

# No register, report or activity of this work counts more than a million of anything
# at once (a province's screening is summed from its villages' reports, not typed).
COUNT_MAX = 1_000_000
# 1亿元: more than any single aid item, activity or plan a village or a county records.
AMOUNT_MAX = Decimal("100000000")
AGE_MAX = 150
CENT = Decimal("0.01")
# The largest primary key a database column holds (64-bit).
PK_MAX = 2**63 - 1


def _error(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: message}) if field else ValidationError(message)


# --- dates --------------------------------------------------------------------

# (earliest, years after today allowed; 0: not after today). Work records begin in
# 2000; a care home may be older; a birth date goes back as far as an ID number can.
DATE_RULES = {
    "birth": (date(idcard.MIN_BIRTH_YEAR, 1, 1), 0),
    "past": (date(2000, 1, 1), 0),  # visits, activities, assessments, inspections, pairings begun, exits
    "planned": (date(2000, 1, 1), 5),  # next visits, screening rounds, pairing ends, briefing dates
    "founded": (date(1949, 10, 1), 0),  # care homes opened
}


_today = clock.today


def date_bounds(rule: str, today: date | None = None) -> tuple[date, date]:
    earliest, years = DATE_RULES[rule]
    today = today or _today()
    if not years:
        return earliest, today
    try:
        return earliest, today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return earliest, today.replace(year=today.year + years, day=28)


def check_date(value: date | None, rule: str, *, label: str, field: str | None = None,
               today: date | None = None) -> date | None:
    """``value`` if it lies within ``rule``'s range; ValidationError naming ``label`` otherwise."""
    if value is None:
        return None
    today = today or _today()
    earliest, latest = date_bounds(rule, today)
    if value > latest:
        if latest == today:
            raise _error(field, f"{label}不能晚于今天（{format_date(today)}）")
        raise _error(field, f"{label}不能晚于{format_date(latest)}")
    if value < earliest:
        raise _error(field, f"{label}不能早于{format_date(earliest)}")
    return value


class RangedDateField(forms.DateField):
    """A date field with one of ``DATE_RULES`` (the browser's picker gets min and max too)."""

    def __init__(self, *, rule: str, **kwargs):
        self.rule = rule
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        messages = {"invalid": "请输入有效日期，如 2026-05-03", "required": f"请填写{kwargs.get('label', '日期')}"}
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def __deepcopy__(self, memo):
        # Each form gets its copy of the field: the picker's bounds are today's, not the
        # day the server started.
        field = super().__deepcopy__(memo)
        earliest, latest = date_bounds(self.rule)
        field.widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())
        return field

    def validate(self, value):
        super().validate(value)
        check_date(value, self.rule, label=self.label or "日期")


# --- counts, quantities and money -----------------------------------------------

def check_count(value, *, label: str, field: str | None = None, maximum: int = COUNT_MAX) -> int | None:
    """A whole number from 0 to ``maximum`` (a count a user typed), or None for blank."""
    if value is None or value == "":
        return None
    try:
        number = int(to_halfwidth(str(value)).strip().replace(",", "")) if not isinstance(value, int) else value
    except ValueError:
        raise _error(field, f"{label}应为整数，实为“{value}”") from None
    if number < 0:
        raise _error(field, f"{label}不能为负数")
    if number > maximum:
        raise _error(field, f"{label}过大（{number}），不能超过{maximum}，请核对")
    return number


def parse_decimal(value, *, label: str, field: str | None = None, positive: bool = False,
                  maximum: Decimal | int = AMOUNT_MAX, unit: str = "元") -> Decimal | None:
    """An amount or a quantity as typed (1,200 / １２００ / 0.5), rounded to the cent first and
    then checked: 0.001 is 0.00, so it is refused where more than zero is needed. None for blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = to_halfwidth(str(value)).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _error(field, f"{label}应为数字，实为“{value}”") from None
    if not number.is_finite():
        raise _error(field, f"{label}应为数字，实为“{value}”")
    if number.adjusted() >= 15:  # far past any maximum: no rounding needed to refuse it
        raise _error(field, f"{label}过大，不能超过{_plain(maximum)}{unit}，请核对")
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if number < 0:
        raise _error(field, f"{label}不能为负数")
    if positive and number == 0:
        raise _error(field, f"{label}应大于0（至少0.01{unit}）")
    if number > maximum:
        raise _error(field, f"{label}过大，不能超过{_plain(maximum)}{unit}，请核对")
    return number


def parse_money(value, *, label: str, field: str | None = None, positive: bool = False) -> Decimal | None:
    """Yuan, to the cent, from 0 (or 0.01 when ``positive``) to ``AMOUNT_MAX``."""
    return parse_decimal(value, label=label, field=field, positive=positive, maximum=AMOUNT_MAX, unit="元")


def parse_quantity(value, *, label: str, field: str | None = None, positive: bool = True) -> Decimal | None:
    """A quantity of goods (2 袋, 0.5 吨), to two places, up to ``COUNT_MAX``."""
    return parse_decimal(value, label=label, field=field, positive=positive, maximum=COUNT_MAX, unit="")


def _plain(number) -> str:
    return f"{Decimal(number):,.0f}".replace(",", "")


class CountField(forms.IntegerField):
    """A count (persons, households, items) from 0 to ``COUNT_MAX`` (or ``max_value``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", COUNT_MAX)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
        label = kwargs.get("label") or "数量"
        messages = {"invalid": f"{label}应为整数", "min_value": f"{label}不能为负数",
                    "max_value": f"{label}不能超过%(limit_value)s，请核对", "required": f"请填写{label}"}
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = to_halfwidth(value).strip().replace(",", "")
        if isinstance(value, str) and len(value) > 30:  # int() of a huge text is slow and pointless
            raise forms.ValidationError(self.error_messages["max_value"] % {"limit_value": self.max_value})
        return super().to_python(value)


class MoneyField(forms.Field):
    """Yuan as typed (1,200.5 / １２００), by ``parse_money``: rounded to the cent, then checked."""

    def __init__(self, *, positive: bool = False, **kwargs):
        self.positive = positive
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_money(str(value)[:60], label=self.label or "金额", positive=self.positive)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def prepare_value(self, value):
        return "" if value is None else str(value)


# --- phone numbers and ids ---------------------------------------------------------

def check_phone(value, *, label: str = "联系电话", field: str | None = None) -> str:
    """Digits of one phone number (mobile, landline, 400/800) or "" for blank; the importer's rule."""
    try:
        return _clean_phone(value)
    except CellValueError as exc:
        raise _error(field, f"{label}：{exc}") from None


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return check_phone(text, label=self.label or "电话")
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


def parse_pk(value) -> int | None:
    """A record id from a form or a URL parameter: a positive integer a database column can
    hold, else None (so a huge number is "not found", never a database error)."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= PK_MAX else None


def parse_pks(values) -> list[int]:
    return [pk for pk in (parse_pk(v) for v in values) if pk is not None]
