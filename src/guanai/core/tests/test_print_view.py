"""A list's 打印 prints the list, not the page on the screen: its print view (``?print=1``,
core.pagination) holds every row up to PRINT_CAP on one page, says plainly what it leaves out,
and every list's 打印 control leads there with the list's filters."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from guanai.core import pagination

TOWNSHIP = "990101001000"
YEAR = str(timezone.localdate().year)


def _rows(body: str, marker: str) -> list[str]:
    return re.findall(rf'<(?:tr|a class="list-group-item[^"]*" href="[^"]*") {marker}="(\w+)"', body)


def _last_quarter():
    from guanai.stats.periods import QUARTER, period_containing

    return period_containing(QUARTER, timezone.localdate() - timedelta(days=92))


def _township_visits(period) -> int:
    from guanai.areas.scoping import area_filter
    from guanai.care.models import Visit

    return Visit.objects.filter(area_filter("area", TOWNSHIP), visit_date__range=(period.start, period.end)).count()


def _print_link(body: str) -> str:
    return html.unescape(re.search(r'href="([^"]*)" data-print-link>打印<', body).group(1))


def test_a_townships_visit_ledger_for_a_quarter_prints_every_visit_on_one_page(client_for):
    """The acceptance walk: a county official's township visit list for a quarter said 共 306 次
    and printed 50 of them."""
    quarter = _last_quarter()
    expected = _township_visits(quarter)
    assert expected > 50  # more than a page of the list
    client = client_for("county")
    url = f"/care/?area={TOWNSHIP}&period_year={quarter.start.year}&period_part=Q{(quarter.start.month + 2) // 3}"
    listed = client.get(url).content.decode()
    assert len(_rows(listed, "data-visit")) == 50 and f"共 {expected} 次" in listed

    printed = client.get("/care/" + _print_link(listed)).content.decode()
    assert len(set(_rows(printed, "data-visit"))) == expected
    assert f"共 {expected} 次" in printed and "下一页" not in printed and "data-print-notice" not in printed
    assert "data-print-view" in printed  # site.js opens the print dialog on this page
    back = html.unescape(re.search(r'href="([^"]*)" data-back-to-list>返回列表<', printed).group(1))
    assert back == "?" + url.split("?", 1)[1]  # back to the list as it was filtered, its first page


def test_a_list_longer_than_a_printout_prints_the_first_rows_and_says_so(client_for, monkeypatch):
    monkeypatch.setattr(pagination, "PRINT_CAP", 20)
    quarter = _last_quarter()
    expected = _township_visits(quarter)
    client = client_for("county")
    query = f"area={TOWNSHIP}&from={quarter.start}&to={quarter.end}&print=1"
    body = client.get(f"/care/?{query}").content.decode()
    assert len(_rows(body, "data-visit")) == 20
    assert (f"本列表共 {expected:,} 条，超过打印上限 20 条，仅打印前 20 条；请缩小范围后再打印，或导出台账（Excel）。"
            in body)

    # A county's whole list reads no count: it says the printout stops at the cap.
    body = client.get("/care/?print=1").content.decode()
    assert len(_rows(body, "data-visit")) == 20
    assert "本列表超过打印上限 20 条，仅打印前 20 条；请缩小范围后再打印，或导出台账（Excel）。" in body

    # A list with no ledger export does not offer one (the due list: each row computed, peeked).
    body = client.get("/care/due/?status=overdue&print=1").content.decode()
    assert len(_rows(body, "data-person")) == 20
    assert "超过打印上限 20 条，仅打印前 20 条；请缩小范围后再打印。" in body


def test_a_list_that_fits_a_page_is_not_marked(client_for):
    body = client_for("county").get("/care/homes/?print=1").content.decode()
    assert "data-print-view" in body and "data-print-notice" not in body and "打印上限" not in body


def _screening():
    from guanai.registry.models import ScreeningCampaign

    return f"/persons/screening/{ScreeningCampaign.objects.order_by('pk').first().pk}/?area={TOWNSHIP}"


# Every list with a 打印 control, as a county official sees it, with filters and (where it pages)
# a page other than the first: the print view keeps the filters and starts from the first row.
LISTS = [
    ("/care/", {"area": TOWNSHIP, "mode": "home", "page": "2"}, "data-visit"),
    ("/care/due/", {"area": TOWNSHIP, "category": "left_behind_child"}, "data-person"),
    ("/care/coverage/", {"area": TOWNSHIP, "period": YEAR}, "data-area"),
    ("/care/helpers/", {"page": "1"}, "data-helper"),
    ("/care/homes/", {"page": "1"}, "data-home"),
    ("/care/pairings/", {"show": "all", "page": "2"}, "data-pairing"),
    ("/care/activities/", {"kind": "", "period": YEAR}, "data-activity"),
    ("/protection/", {"show": "all"}, "data-case"),
    ("/persons/", {"category": "left_behind_child", "page": "2"}, "data-person"),
    ("/persons/guardianship/", {}, "data-person"),
    ("/persons/aging-out/", {}, "data-person"),
    ("/persons/households/", {"page": "2"}, "data-household"),
    (_screening, {}, "data-area"),
]


@pytest.mark.parametrize("path,filters,marker", LISTS, ids=lambda v: v if isinstance(v, str) else None)
def test_every_lists_print_control_opens_its_print_view_with_its_filters(client_for, path, filters, marker):
    from django.http import QueryDict

    client = client_for("county")
    path = path() if callable(path) else path
    path, _, fixed = path.partition("?")
    query = QueryDict(fixed, mutable=True)
    query.update(filters)
    body = client.get(f"{path}?{query.urlencode()}").content.decode()
    link = _print_link(body)
    kept = query.copy()
    kept.pop("page", None)
    assert QueryDict(link[1:]) == QueryDict(f"{kept.urlencode()}&print=1".lstrip("&")), link

    printed = client.get(path + link)
    assert printed.status_code == 200
    text = printed.content.decode()
    assert "data-print-view" in text and 'aria-label="分页"' not in text
    assert set(_rows(body, marker)) <= set(_rows(text, marker))  # the page's rows, and the others
    for export in re.findall(r'href="([^"]*)" data-export>', text):
        assert "print=" not in export  # the ledger from a print view is the list's, no paging key in it


def test_the_print_view_asks_no_more_than_a_page_does(users, rf, django_assert_num_queries):
    """A printout that fits is counted by its rows (no count query); a page still counts."""
    from guanai.registry.models import Person

    rows = Person.objects.order_by("pk")[:30]
    fitting = Person.objects.filter(pk__in=list(rows.values_list("pk", flat=True))).order_by("pk")
    with django_assert_num_queries(1):
        page = pagination.paginate(rf.get("/", {"print": "1", "page": "3"}), fitting, 10)
        assert len(page.object_list) == 30 and page.paginator.count == 30 and not page.has_other_pages()
        assert page.print_notice == ""
    with django_assert_num_queries(2):  # the rows, and a count (capped as ever)
        page = pagination.paginate(rf.get("/"), fitting, 10)
        assert len(list(page.object_list)) == 10 and page.paginator.count == 30


def test_every_paginator_prints_from_the_first_row_up_to_the_cap(users, rf, monkeypatch):
    from guanai.areas.models import Area

    monkeypatch.setattr(pagination, "PRINT_CAP", 9)
    order = ("-level", "name", "pk")
    areas = Area.objects.order_by(*order)
    first = list(areas.values_list("pk", flat=True)[:9])
    request = rf.get("/", {"print": "1", "page": "4", "after": "e30"})
    for page in (pagination.paginate(request, areas, 5), pagination.peek_page(request, areas, 5),
                 pagination.keyset_page(request, Area.objects.all(), order, 5)):
        assert [a.pk for a in page.object_list] == first and not page.has_other_pages()
        assert page.print_notice.startswith("本列表")
    counted = pagination.paginate(request, areas, 5)
    assert counted.print_notice == f"本列表共 {areas.count():,} 条，超过打印上限 9 条，仅打印前 9 条"
    known = pagination.paginate(request, areas, 5, count=20000)  # a count past COUNT_CAP: "超过"
    assert known.print_notice == f"本列表超过 {pagination.COUNT_CAP:,} 条，超过打印上限 9 条，仅打印前 9 条"
