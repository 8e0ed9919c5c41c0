from decimal import Decimal

import pytest

from guanai.areas.models import Area
from guanai.briefings import body as body_mod
from guanai.briefings import services
from guanai.briefings.compose import compose
from guanai.briefings.facts import format_value, recompute
from guanai.briefings.models import Briefing, BriefingFact
from guanai.core.demo import CITY_CODE
from guanai.stats.metrics import METRICS, compute
from guanai.textproc.numbers import format_money

# The overview's figures: each is in the briefing whenever its metric exists and the records have it.
OVERVIEW_METRICS = ["persons_registered", "screening_households", "screening_found", "visits", "persons_visited",
                    "visit_coverage", "aid_cash_yuan", "aid_goods_value_yuan", "activities", "activity_participants",
                    "activity_beneficiaries", "cases_opened", "cases_closed"]

pytestmark = pytest.mark.django_db


def _headings(briefing, level):
    return [b["text"] for b in briefing.body if b["type"] == "h" and b["level"] == level]


def test_compose_has_every_section(city_briefing, quarter):
    sections = _headings(city_briefing, 1)
    assert sections[0] == "一、基本情况"
    assert any("存在的问题" in s for s in sections)
    assert any("下一步工作" in s for s in sections)
    assert any("工作亮点" in s for s in sections)  # the demo has activities and visits with goods
    subsections = "".join(_headings(city_briefing, 2))
    for words in ("建档立卡", "走访慰问", "关爱活动", "强制报告"):
        assert words in subsections
    assert city_briefing.title == f"示范市{quarter.label}关爱服务工作情况"
    assert city_briefing.status == Briefing.DRAFT and city_briefing.issue_number is None


def test_compose_uses_each_registered_metric_with_records(city_briefing, quarter):
    used = set(city_briefing.facts.values_list("metric", flat=True))
    for name in OVERVIEW_METRICS:
        if name in METRICS and compute(name, CITY_CODE, quarter):
            assert name in used, name
    # Persons by category: one fact per category with persons on file.
    categories = set(city_briefing.facts.filter(metric="persons_registered").exclude(params={})
                     .values_list("params__category", flat=True))
    assert "left_behind_child" in categories


def test_every_fact_recomputes_to_its_value(city_briefing):
    facts = list(BriefingFact.objects.filter(briefing=city_briefing))
    assert len(facts) >= 15
    for fact in facts:
        value = recompute(fact.metric, fact.area_code, fact.period_key, fact.params, fact.derivation)
        assert value == fact.value, (fact.token, fact.label)
        assert fact.text == format_value(value, fact.unit, fact.derivation)
    assert services.recompute_facts(city_briefing, save=False) == []


def test_every_token_of_the_body_is_a_stored_fact(city_briefing):
    tokens = set(city_briefing.facts.values_list("token", flat=True))
    assert body_mod.tokens_used(city_briefing.body) == tokens


def test_figures_take_their_conventional_forms(city_briefing):
    for fact in city_briefing.facts.all():
        if fact.unit == "元":
            assert fact.text == format_money(fact.value)
            if fact.value >= 10000:
                assert fact.text.endswith("万元")
        elif fact.unit == "%":
            assert fact.text.endswith("%")
        else:
            assert fact.text == f"{int(fact.value)}{fact.unit}"
    text = services.facts_of(city_briefing)
    plain = body_mod.plain_text(city_briefing.body, text)
    assert "截至" in plain and "全市共有在册关爱服务对象" in plain


def test_a_metric_that_is_not_registered_leaves_its_passage_out(monkeypatch, quarter):
    for name in ("visits", "activities", "cases_opened"):
        monkeypatch.delitem(METRICS, name)
    composition = compose(Area.objects.get(pk=CITY_CODE), quarter)
    metrics = {t.metric for t in composition.book.tokens.values()}
    assert not metrics & {"visits", "activities", "cases_opened"}
    headings = "".join(b.get("text", "") for b in composition.blocks if b["type"] == "h")
    assert "走访慰问，关爱到位" not in headings and "关爱活动" not in headings


def test_summary_covers_the_year_with_monthly_chart(users, quarter):
    from guanai.stats.periods import parse_period

    year = parse_period(str(quarter.start.year))  # the quarter's year has the demo's records
    briefing = services.create_briefing(Area.objects.get(pk="990101000000"), year, "zongjie", user=users["office"])
    assert briefing.title.endswith("关爱服务工作总结")
    assert _headings(briefing, 1)[0] == "一、主要工作及成效"
    charts = [b for b in briefing.body if b["type"] == "chart"]
    assert charts and all(set(c["facts"]) <= set(briefing.facts.values_list("token", flat=True)) for c in charts)
    assert briefing.body[-1].get("align") == "right"  # signed by the office, dated
    for fact in briefing.facts.all():
        assert recompute(fact.metric, fact.area_code, fact.period_key, fact.params, fact.derivation) == fact.value


def test_year_on_year_change_is_a_fact(monkeypatch, quarter):
    from guanai.stats.metrics import MetricInfo

    previous = quarter.previous_year().key

    def fake_visits(area, period, category=None):
        return 80 if period.key == previous else 90

    monkeypatch.setitem(METRICS, "visits", MetricInfo("visits", "走访慰问", "次", fake_visits, ("category",)))
    composition = compose(Area.objects.get(pk=CITY_CODE), quarter)
    yoy = [t for t in composition.book.tokens.values() if t.metric == "visits" and t.derivation == "yoy"]
    assert yoy and yoy[0].value == Decimal("12.5") and yoy[0].text == "增长12.5%"
    text = body_mod.plain_text(composition.blocks, composition.book.tokens)
    assert "开展走访慰问90次，同比增长12.5%" in text


def test_the_highlights_come_in_date_order(users):
    """Issue 15.5: the 工作亮点 items are told in the order they happened, whatever made each notable."""
    import re
    from datetime import date

    from guanai.care.models import Activity
    from guanai.care.services import create_visit
    from guanai.registry.services import create_person
    from guanai.stats.periods import parse_period

    township = Area.objects.create(code="990101009000", name="亮点镇", level=4, parent_id="990101000000")
    Area.objects.create(code="990101009001", name="亮点村", level=5, parent=township)
    for day, title, reached in ((date(2026, 3, 20), "春季健康讲座", 900), (date(2026, 1, 8), "寒假课堂", 500),
                                (date(2026, 2, 14), "元宵联欢会", 700)):
        Activity.objects.create(title=title, kind="other", held_on=day, area_id="990101009001",
                                beneficiaries_count=reached)
    child = create_person(user=None, area_code="990101009001", data={"name": "亮点童"}, categories=["left_behind_child"])
    create_visit(user=users["admin"], person=child, visit_date=date(2026, 2, 1), mode="home", aid=[
        {"kind": "goods", "description": "棉被", "quantity": "1", "unit": "床", "value_yuan": "200"}])
    briefing = services.create_briefing(township, parse_period("2026Q1"), "jianbao", user=users["admin"])
    blocks = briefing.body
    start = next(i for i, b in enumerate(blocks) if b["type"] == "h" and "工作亮点" in b["text"])
    end = next(i for i, b in enumerate(blocks) if i > start and b["type"] == "h" and b["level"] == 1)
    texts = [body_mod.plain_text([b], {}) for b in blocks[start + 1:end]]
    days = [tuple(int(n) for n in re.match(r"(\d+)月(\d+)日", t).groups()) for t in texts]
    assert len(days) == 4 and days == sorted(days)
    assert "寒假课堂" in texts[0] and "棉被" in texts[1] and "春季健康讲座" in texts[3]
