"""The one paginator of every list: fast over a million rows, safe for any ``?page=``.

``paginate(request, queryset, per_page)`` is what a list view calls: the count stops at
``COUNT_CAP`` (the page says "超过N"), the page number is read with ``page_number`` (a
number past the end, a huge number, a negative one or text give a real page, never an
error), and the page carries ``query_string`` (the request's parameters without ``page``)
for the links of ``core/_pagination.html``. ``peek_page`` is the same for lists whose
rows cost a computation each: it looks one row ahead instead of counting. ``keyset_page``
is for the long lists of a county, a city or a province: it continues after the last row
shown (``?after=``, the values of its ordering fields) instead of skipping rows by an
offset, so the hundredth "更多" costs what the first does; it shows no count and no page numbers.

Each of them answers ``?print=1`` (``printing``) with the list's print view instead of a page:
its first ``PRINT_CAP`` rows on one page, no page links, and ``print_notice`` saying so when
the list holds more. Its 打印 control links there (``core/_print_button.html``), and the
browser's print dialog opens once the page has loaded (site.js), so a printout holds the
list, not the page that happened to be on the screen.
"""

from __future__ import annotations

import base64
import json
from functools import cached_property

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q

COUNT_CAP = 10000
# The most rows a printout holds (some 50 A4 pages): a longer list is narrowed, or exported.
PRINT_CAP = 2000
# Query-string keys that move through a list (or print it) without filtering it.
PAGING_KEYS = ("page", "after", "print")


def printing(request) -> bool:
    """Whether the request asks for its list's print view (``?print=1``)."""
    return request.GET.get("print") == "1"


def page_number(raw, *, per_page: int = 1, last: int | None = None) -> int:
    """A page number from the request, clamped to 1 .. ``last`` (or to the last page the
    count cap lets anyone reach, so no offset ever grows past the database's integers)."""
    try:
        number = int(str(raw).strip()) if raw not in (None, "") else 1
    except (TypeError, ValueError):
        number = 1
    ceiling = last if last is not None else COUNT_CAP // max(1, per_page) + 1
    return max(1, min(number, max(1, ceiling)))


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP + 1`` rows; ``capped`` tells the page to say "超过N".

    An exact count of a city's million records costs more than the whole page
    should; nobody pages past the ten-thousandth row anyway, they filter.
    """

    @cached_property
    def _counted(self) -> int:
        """Rows up to one past the cap, in one query (the order costs, the count needs none)."""
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, COUNT_CAP)

    @cached_property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP  # the same count: no second query (a city's search paid twice)

    def get_page(self, number):
        return super().get_page(page_number(number, last=self.num_pages))


def list_query(request) -> str:
    """The request's parameters without the paging ones: the list's filters, as a query string."""
    params = request.GET.copy()
    for key in PAGING_KEYS:
        params.pop(key, None)
    return params.urlencode()


def paginate(request, queryset, per_page: int = 50, *, count: int | None = None):
    """The requested page of ``queryset`` (ordered), with ``query_string`` for its links.
    ``count``: the number of rows when the caller knows it already (not counted again)."""
    if printing(request):
        page = PrintPage(request, queryset)
        if page.truncated:  # the list's count, as its pages say it (one that fits is its rows)
            if count is None:
                count = CappedPaginator(queryset, PRINT_CAP)._counted
            page.paginator.count, page.paginator.capped = min(count, COUNT_CAP), count > COUNT_CAP
        return page
    paginator = CappedPaginator(queryset, per_page)
    if count is not None:  # known: the count and its over-the-cap mark are not asked again
        paginator.count = min(count, COUNT_CAP)
        paginator.capped = count > COUNT_CAP
    page = paginator.get_page(request.GET.get("page"))
    page.query_string = list_query(request)
    return page


class _Unknown:
    count = None
    capped = False
    num_pages = None


class PrintPage:
    """A list's print view: its first ``PRINT_CAP`` rows (one more is read to know whether
    there are others), on one page without page links. A list that fits is counted by its
    rows; one that does not says so in ``print_notice`` (its count when the list knows it)."""

    def __init__(self, request, queryset):
        rows = list(queryset[:PRINT_CAP + 1])
        self.object_list = rows[:PRINT_CAP]
        self.truncated = len(rows) > PRINT_CAP
        self.paginator = _Unknown()
        if not self.truncated:
            self.paginator.count = len(self.object_list)
        self.query_string = list_query(request)

    def __iter__(self):
        return iter(self.object_list)

    def has_next(self):
        return False

    def has_previous(self):
        return False

    def has_other_pages(self):
        return False

    @property
    def print_notice(self) -> str:
        """What the printout leaves out, in words ("" when it holds every row). Read when the
        page is shown: a view may set the list's count after paging (a kept figure)."""
        if not self.truncated:
            return ""
        count, capped = self.paginator.count, self.paginator.capped
        if count is None or count <= PRINT_CAP:  # not counted (a long list reads no count)
            size = ""
        else:
            size = f"超过 {count:,} 条，" if capped else f"共 {count:,} 条，"
        return f"本列表{size}超过打印上限 {PRINT_CAP:,} 条，仅打印前 {PRINT_CAP:,} 条"


class PeekPage:
    """A page that looks one row ahead instead of counting: for lists whose rows cost a
    computation each (the due list of a county or a city), "is there a next page" is cheap,
    "how many in all" is not."""

    def __init__(self, request, queryset, per_page: int = 50):
        self.number = page_number(request.GET.get("page"), per_page=per_page)
        start = (self.number - 1) * per_page
        rows = list(queryset[start:start + per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page
        self.paginator = _Unknown()
        self.query_string = list_query(request)

    def __iter__(self):
        return iter(self.object_list)

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def peek_page(request, queryset, per_page: int = 50) -> PeekPage | PrintPage:
    return PrintPage(request, queryset) if printing(request) else PeekPage(request, queryset, per_page)


class KeysetPage(PeekPage):
    """The rows after the ``?after=`` position in ``order`` (the first rows without one)."""

    keyset = True

    def __init__(self, request, queryset, order: tuple[str, ...], per_page: int = 50):
        self.order = order
        model = queryset.model
        self.number = 1
        position = _decode(request.GET.get("after", ""), model, order)
        self.continued = position is not None
        rows_qs = queryset.order_by(*order)
        if position is not None:
            rows_qs = rows_qs.filter(_after(order, position))
        rows = list(rows_qs[:per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page
        self.paginator = _Unknown()
        self.query_string = list_query(request)
        self.after = _encode(self.object_list[-1], order) if self._has_next else ""

    def has_previous(self):
        return self.continued  # back to the first rows (a keyset list does not page backwards)


def _field_name(term: str) -> str:
    return term.lstrip("-")


def _value_of(row, name: str):
    return row.pk if name == "pk" else getattr(row, name)


def _encode(row, order) -> str:
    values = [_value_of(row, _field_name(t)) for t in order]
    text = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(token: str, model, order) -> list | None:
    """The position a token names, or None (none given, or not one of ours: the first rows)."""
    if not token or len(token) > 400:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, list) or len(raw) != len(order):
            return None
        values = []
        for term, value in zip(order, raw):
            name = _field_name(term)
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            if value is None:
                return None
            values.append(field.to_python(value))
        return values
    except (ValueError, TypeError, ValidationError, FieldDoesNotExist):
        return None


def _after(order, values) -> Q:
    """Rows after ``values`` in ``order``: (a < x) or (a = x and b < y) ... (> for ascending)."""
    condition = Q(pk__in=[])
    equal = Q()
    for term, value in zip(order, values):
        name = _field_name(term)
        condition |= equal & Q(**{f"{name}__{'lt' if term.startswith('-') else 'gt'}": value})
        equal &= Q(**{name: value})
    return condition


def keyset_page(request, queryset, order: tuple[str, ...], per_page: int = 50) -> KeysetPage | PrintPage:
    if printing(request):  # from the first row, whatever ?after= the screen had reached
        return PrintPage(request, queryset.order_by(*order))
    return KeysetPage(request, queryset, order, per_page)
