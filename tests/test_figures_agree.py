"""Issue 15, point 11: the leader's home said 本年开展活动 110 while the activity page said 共120场.
Every home card that links to a list must find its own number there (the list counts the same
question), or the pair is listed below with what each counts, and both say so on the page."""

import re

import pytest

from guanai.core import clock
from guanai.core.home import cards_for

ROLES = ["admin", "office", "unit", "city", "county", "township", "village", "volunteer", "leader"]

# (card label, list path): a different question, plainly labelled on both pages.
DIFFERENT_QUESTIONS = {
    ("走访覆盖率", "/care/due/"): "a rate of those due; the list names who is due now",
    ("待办保护环节", "/protection/"): "handling steps waiting; the list shows their cases (件个案)",
}


def _count_on(body: str, url: str) -> int | None:
    """The figure the linked page shows for the card's question."""
    if m := re.search(r"data-late-steps>[^<]*?共 (\d+) 个", body):
        return int(m.group(1))
    if m := re.search(r"status=(\w+)", url):
        badge = re.search(rf'data-status="{m.group(1)}">[^<]*<span class="badge text-bg-light">(\d+)</span>', body)
        if badge:
            return int(badge.group(1))
    if m := re.search(r"data-count>[^<]*?共 (\d+)", body):
        return int(m.group(1))
    return None


@pytest.mark.parametrize("username", ROLES)
def test_a_home_cards_figure_is_the_figure_of_the_list_it_opens(username, users, client_for):
    client = client_for(username)
    compared = 0
    for card in cards_for(users[username]):
        url = card["url"]
        if not url or url.startswith("/admin/") or not str(card["value"]).isdigit():
            continue
        path = url.split("?")[0]
        if (card["label"], path) in DIFFERENT_QUESTIONS:
            continue
        shown = _count_on(client.get(url).content.decode(), url)
        if shown is None:  # a page without a count (areas, archive)
            continue
        assert shown == int(card["value"]), f"{username}: card {card['label']} {card['value']} but {url} shows {shown}"
        compared += 1
    assert compared >= 1  # every role has a card that opens a list


def test_the_activity_page_counts_what_the_leaders_card_counts(client_for, users):
    card = next(c for c in cards_for(users["leader"]) if c["label"] == "本年开展活动（场）")
    body = client_for("leader").get(card["url"]).content.decode()
    assert re.search(r"data-count>(\d{4})年共 (\d+) 场", body).group(2) == str(card["value"])
    assert f"辖区内开展活动{card['value']}场" in body


def test_the_activity_list_shows_another_year_when_chosen(client_for):
    from guanai.care import metrics
    from guanai.stats.periods import parse_period

    last = parse_period(str(clock.today().year - 1))
    body = client_for("office").get(f"/care/activities/?period={last.start.year}年度").content.decode()
    assert f"{last.label}共 {metrics.activities('990100000000', last)} 场" in body
    body = client_for("office").get("/care/activities/?period=2099年").content.decode()
    assert "尚未开始" in body  # a Chinese message, and this year's list
