"""The period control: one form field for every form and page that asks for a period
(the briefing compose form, the fact-checker, dashboards, statistics tables).

A year and a part of it (全年, 上半年/下半年, a quarter or a month) are picked from two lists;
a period written as officials write it (``?period=2026年第三季度``, a link's ``2026Q3``) is
read by the one parser, ``periods.parse_period``.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from .periods import MONTH, QUARTER, YEAR, Period, PeriodError, parse_period, period_containing

PART_CHOICES = ([("", "全年"), ("S1", "上半年"), ("S2", "下半年")]
                + [(f"Q{q}", f"第{'一二三四'[q - 1]}季度") for q in range(1, 5)]
                + [(f"{m:02d}", f"{m}月") for m in range(1, 13)])
YEARS_OFFERED = 10  # this year and the nine before it


def key_of(year: str, part: str) -> str:
    """The period key of a year and a part picked from the lists: 2026 + Q3 → 2026Q3."""
    year, part = (year or "").strip(), (part or "").strip()
    if part.isdigit():
        return f"{year}-{part}"
    return f"{year}{part}"


def parts_of(period: Period) -> tuple[str, str]:
    """(year, part) of a period: the lists' values that pick it again."""
    year = str(period.start.year)
    kind = period.kind
    if kind == YEAR:
        return year, ""
    if kind == MONTH:
        return year, f"{period.start.month:02d}"
    return year, period.key[4:]


class PeriodWidget(forms.MultiWidget):
    """A year list and a part list (names ``<name>_year`` and ``<name>_part``); a plain
    ``<name>`` in the data (a link, a typed period) is taken as written."""

    template_name = "stats/period_widget.html"

    def __init__(self, years=None, attrs=None):
        self.years = list(years or [])
        self.blank = None  # a first choice meaning "no period" (a list of every date), if any
        widgets = {
            "year": forms.Select(attrs={"class": "form-select", "aria-label": "年份"}),
            "part": forms.Select(attrs={"class": "form-select", "aria-label": "期间"}, choices=PART_CHOICES),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        # The two lists keep their own classes (a form's styling gives every widget one).
        self.attrs.pop("class", None)
        attrs = {k: v for k, v in (attrs or {}).items() if k != "class"}
        years = set(self.years)
        chosen = (value if isinstance(value, list) else self.decompress(value))[0]
        if chosen and str(chosen).isdigit():  # a period from outside the offered years (an old link)
            years.add(int(chosen))
        self.widgets[0].choices = ([("", self.blank)] if self.blank else []) + [
            (str(y), f"{y}年") for y in sorted(years, reverse=True)]
        context = super().get_context(name, value, attrs)
        context["widget"]["subwidgets"][1]["attrs"].pop("required", None)  # 全年 is the empty choice
        return context

    def decompress(self, value):
        if isinstance(value, Period):
            return list(parts_of(value))
        if isinstance(value, str) and value:
            try:
                return list(parts_of(parse_period(value)))
            except PeriodError:
                return [None, None]
        return [None, None]

    def value_from_datadict(self, data, files, name):
        if data.get(name):
            return data.get(name)
        year, part = super().value_from_datadict(data, files, name)
        if not year:
            return None
        return key_of(year, part)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class PeriodField(forms.Field):
    """Cleans to a ``Period`` (its key with ``as_key``, for services that take one). A period that
    has not begun is refused unless ``allow_future`` (a report form's first period, a deadline)."""

    widget = PeriodWidget

    def __init__(self, *, allow_future: bool = False, as_key: bool = False, years=None, **kwargs):
        self.allow_future, self.as_key = allow_future, as_key
        kwargs.setdefault("label", "期间")
        kwargs.setdefault("error_messages", {"required": "请选择期间"})
        super().__init__(**kwargs)
        this_year = timezone.localdate().year
        first = this_year + 1 if allow_future else this_year  # planning ahead: next year too
        self.widget.years = list(years or range(first, this_year - YEARS_OFFERED, -1))

    def to_python(self, value):
        if isinstance(value, Period) or value in self.empty_values:
            return value or None
        try:
            return parse_period(str(value))
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self, value):
        period = super().clean(value)
        return period.key if self.as_key and period is not None else period

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.allow_future:
            problem = future_problem(value)
            if problem:
                raise forms.ValidationError(problem)


def future_problem(period: Period, today: date | None = None) -> str | None:
    """The Chinese message for a period that has not begun (None when it has)."""
    today = today or timezone.localdate()
    if period.start > today:
        return f"所选期间“{period.label}”尚未开始（今天是{today.year}年{today.month}月{today.day}日），请选择已开始的期间"
    return None


def shortcuts(today: date | None = None) -> list[tuple[str, Period]]:
    """The dashboards' quick choices: 本月, 本季度, 本年, 上年."""
    today = today or timezone.localdate()
    return [("本月", period_containing(MONTH, today)), ("本季度", period_containing(QUARTER, today)),
            ("本年", period_containing(YEAR, today)), ("上年", parse_period(str(today.year - 1)))]


class PeriodForm(forms.Form):
    """A page's period from its query string (the control's lists, or ``?period=`` as written),
    ``default`` when none is given; ``problem`` holds the Chinese reason a given one was refused
    (unreadable, or not begun), and the page shows the default with it."""

    period = PeriodField(required=False)

    def __init__(self, data, *, default: Period | None, allow_future: bool = False, blank: str | None = None):
        super().__init__(data)
        self.fields["period"].allow_future = allow_future
        self.fields["period"].widget.blank = blank  # with default None: the list may show every date
        self.fields["period"].initial = default
        self.default = default
        self.problem = None
        if self.is_valid():
            self.period = self.cleaned_data["period"] or default
        else:
            self.problem = "；".join(self.errors["period"])
            self.period = default
        if self.period is default:  # the lists show the period shown; the reason stands above them
            self.data, self.is_bound, self._errors = {}, False, None
