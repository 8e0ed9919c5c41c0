"""Every list takes any ?page= (past the end, huge, negative, text) and answers a page."""

import pytest

from guanai.core.pagination import COUNT_CAP, page_number

HUGE = "99999999999999999999"

LISTS = [
    ("county", "/care/due/"),  # a county's due list looks ahead instead of counting
    ("village", "/care/due/"),
    ("county", "/care/"),
    ("county", "/care/pairings/"),
    ("county", "/care/helpers/"),
    ("county", "/care/activities/"),
    ("county", "/persons/"),
    ("county", "/persons/guardianship/"),
    ("county", "/protection/"),
    ("city", "/archive/"),
    ("city", "/archive/?q=走访"),
    ("city", "/archive/facts/"),
    ("office", "/briefings/"),
]


@pytest.mark.parametrize("username,url", LISTS)
@pytest.mark.parametrize("page", [HUGE, "-3", "abc", "1e400", "2"])
def test_any_page_number_answers_a_page(client_for, username, url, page):
    joiner = "&" if "?" in url else "?"
    response = client_for(username).get(f"{url}{joiner}page={page}")
    assert response.status_code == 200, (url, page, response.status_code)


def test_page_number_is_clamped():
    assert page_number(HUGE, last=7) == 7
    assert page_number(HUGE, per_page=50) == COUNT_CAP // 50 + 1
    assert page_number("-5") == 1 and page_number("x") == 1 and page_number(None) == 1
    assert page_number("3", last=7) == 3


@pytest.mark.django_db
def test_keyset_pages_walk_every_row_once_in_order_and_a_bad_token_starts_over(users):
    from django.test import RequestFactory

    from guanai.areas.models import Area
    from guanai.core.pagination import keyset_page

    rows = Area.objects.all()
    order = ("-level", "name", "pk")
    expected = list(rows.order_by(*order).values_list("pk", flat=True))
    seen, after = [], ""
    while True:
        page = keyset_page(RequestFactory().get("/", {"after": after} if after else {}), rows, order, per_page=7)
        seen += [a.pk for a in page.object_list]
        assert page.paginator.count is None  # no count: "更多" instead of page numbers
        if not page.has_next():
            break
        after = page.after
    assert seen == expected
    for token in ("!!", "e30", "x" * 500):
        page = keyset_page(RequestFactory().get("/", {"after": token}), rows, order, per_page=7)
        assert [a.pk for a in page.object_list] == expected[:7]


@pytest.mark.django_db
def test_a_capped_count_and_its_over_the_cap_mark_cost_one_query(users, monkeypatch, django_assert_num_queries):
    """A long list says "超过N" and counts to N in the same single query (a city's name search
    paid a second query of 160 ms for the mark)."""
    from guanai.core import pagination
    from guanai.registry.models import Person

    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    long_list = pagination.CappedPaginator(Person.objects.order_by("pk"), 2)
    with django_assert_num_queries(1):
        assert (long_list.count, long_list.capped) == (5, True)
    three = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:3])
    short_list = pagination.CappedPaginator(Person.objects.filter(pk__in=three).order_by("pk"), 2)
    with django_assert_num_queries(1):
        assert (short_list.count, short_list.capped) == (3, False)


@pytest.mark.django_db
def test_a_count_the_caller_knows_is_not_asked_again(users, rf, monkeypatch, django_assert_num_queries):
    """A list whose count the page knows (the due list's, from the metrics) pays no count query:
    its "超过N" mark was asked of the database again, ~20 ms of a township's due list."""
    from guanai.core import pagination
    from guanai.registry.models import Person

    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    rows = Person.objects.order_by("pk")
    with django_assert_num_queries(1):  # the page's rows only
        page = pagination.paginate(rf.get("/"), rows, 2, count=3)
        assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (3, False, 2)
        assert len(list(page.object_list)) == 2
    with django_assert_num_queries(0):
        page = pagination.paginate(rf.get("/"), rows, 2, count=7)
        assert (page.paginator.count, page.paginator.capped) == (5, True)
