import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanai.briefings import body as body_mod
from guanai.briefings import render as rendering
from guanai.briefings import services
from guanai.briefings.factcheck import MATCH, MISMATCH, UNKNOWN, check_text
from guanai.briefings.facts import format_value
from guanai.core.demo import CITY_CODE
from guanai.stats.metrics import METRICS, MetricInfo, compute
from guanai.textproc.numbers import format_money

pytestmark = pytest.mark.django_db


def _text_facts(briefing) -> dict:
    """The facts the text shows (chart-only facts left out), by token."""
    facts = services.facts_of(briefing)
    in_text = {run["f"] for block in briefing.body if block["type"] == "p" for run in block["runs"] if "f" in run}
    return {token: fact for token, fact in facts.items() if token in in_text}


def test_a_generated_briefing_checks_clean(city_briefing, quarter):
    facts = services.facts_of(city_briefing)
    text = body_mod.plain_text(city_briefing.body, facts)
    figures = check_text(text, CITY_CODE, quarter)
    assert [f for f in figures if f.status != MATCH] == []
    assert len(figures) == sum(1 for block in city_briefing.body if block["type"] == "p"
                               for run in block["runs"] if "f" in run)


def test_exactly_the_figures_changed_by_hand_are_flagged(city_briefing, quarter):
    facts = services.facts_of(city_briefing)
    shown = _text_facts(city_briefing)
    # Three figures of different kinds: a count, a sum of money, a count of a category.
    picks = [next(t for t, f in shown.items() if f.metric == "persons_registered" and f.params.get("category")),
             next(t for t, f in shown.items() if f.unit == "元"),
             next(t for t, f in shown.items() if f.metric == "visits" and not f.derivation)]
    changed = {}
    for token in picks:
        fact = facts[token]
        wrong = fact.value * 2 + 13 if fact.unit != "元" else fact.value + 250000
        fact.text = format_value(wrong, fact.unit)
        changed[token] = fact.text
    text = body_mod.plain_text(city_briefing.body, facts)
    figures = check_text(text, CITY_CODE, quarter)
    flagged = [f for f in figures if f.status == MISMATCH]
    assert sorted(f.span for f in flagged) == sorted(changed.values())
    assert all(f.status == MATCH for f in figures if f not in flagged)
    for figure in flagged:
        token = next(t for t, words in changed.items() if words == figure.span)
        assert figure.recorded == pytest.approx(float(facts[token].value) if facts[token].unit != "元"
                                                else float(facts[token].value))


def test_a_hand_edited_docx_is_checked(city_briefing, quarter, client_for):
    import docx

    data = rendering.render(city_briefing, "docx")
    document = docx.Document(io.BytesIO(data))
    visits = next(f for f in city_briefing.facts.all() if f.metric == "visits" and f.period_key == quarter.key)
    paragraph = next(p for p in document.paragraphs if visits.text in p.text and "走访慰问" in p.text)
    wrong = f"{int(visits.value) + 100}次"
    for run in paragraph.runs:
        run.text = run.text.replace(visits.text, wrong)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "改过的简报.docx"
    response = client_for("office").post("/briefings/factcheck/", {"file": upload, "area": CITY_CODE,
                                                                   "period": quarter.key})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-status="mismatch"') == 1 and wrong in page
    assert 'data-status="match"' in page


def test_money_is_compared_as_written(quarter):
    recorded = Decimal(str(compute("aid_cash_yuan", CITY_CODE, quarter)))
    assert recorded >= 10000  # the demo hands out money every quarter
    written = format_money(recorded)
    [figure] = check_text(f"本季度发放慰问金{written}。", CITY_CODE, quarter)
    assert (figure.status, figure.metric) == (MATCH, "aid_cash_yuan")
    assert figure.claimed == pytest.approx(float(Decimal(written[:-2]) * 10000))
    [figure] = check_text(f"本季度发放慰问金{recorded + 3000}元。", CITY_CODE, quarter)
    assert figure.status == MISMATCH and figure.recorded == pytest.approx(float(recorded))


def test_words_link_figures_to_metrics(quarter):
    text = ("全市共有留守儿童{a}人，困境儿童{b}人。本季度走访慰问{c}次。"
            "开展各类活动{d}场。近300人参加。发放书包50个。").format(
        a=compute("persons_registered", CITY_CODE, quarter, category="left_behind_child"),
        b=compute("persons_registered", CITY_CODE, quarter, category="child_in_difficulty"),
        c=compute("visits", CITY_CODE, quarter), d=compute("activities", CITY_CODE, quarter))
    figures = check_text(text, CITY_CODE, quarter)
    assert [(f.metric, f.params, f.status) for f in figures[:4]] == [
        ("persons_registered", {"category": "left_behind_child"}, MATCH),
        ("persons_registered", {"category": "child_in_difficulty"}, MATCH),
        ("visits", {}, MATCH),
        ("activities", {}, MATCH),
    ]
    assert [f.status for f in figures[4:]] == [UNKNOWN, UNKNOWN]
    assert "约数" in figures[4].reason and figures[5].reason


def test_a_sub_area_named_in_the_sentence_is_checked_against_that_area(quarter):
    county = "990101000000"
    visits = compute("visits", county, quarter)
    [figure] = check_text(f"东城区本季度开展走访慰问{visits}次。", CITY_CODE, quarter)
    assert figure.area_code == county and figure.status == MATCH


def test_year_on_year_change(monkeypatch, quarter):
    previous = quarter.previous_year().key
    monkeypatch.setitem(METRICS, "visits", MetricInfo(
        "visits", "走访慰问", "次", lambda area, period, category=None: 80 if period.key == previous else 90,
        ("category",)))
    good, bad, down = (check_text(f"开展走访慰问90次，同比{words}。", CITY_CODE, quarter)[1]
                       for words in ("增长12.5%", "增长15%", "下降12.5%"))
    assert (good.status, good.claimed, good.recorded) == (MATCH, 12.5, 12.5)
    assert bad.status == MISMATCH and down.status == MISMATCH and down.claimed == -12.5


def test_cli_prints_one_object_per_figure(city_briefing, quarter, tmp_path):
    path = tmp_path / "jianbao.txt"
    path.write_text(rendering.load(city_briefing).text(), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("factcheck", str(path), area=CITY_CODE, period=quarter.key, as_json=True, stdout=out, stderr=err)
    rows = json.loads(out.getvalue())
    assert rows and all(set(row) == {"text", "claimed", "recorded", "status"} for row in rows)
    assert {row["status"] for row in rows} == {"match"}
    assert all(isinstance(row["claimed"], (int, float)) and isinstance(row["recorded"], (int, float))
               for row in rows)
    assert "一致" in err.getvalue()
    money = next(row for row in rows if "慰问金" in row["text"])
    assert money["claimed"] > 10000  # in yuan, not 万元


def test_cli_docx_and_failures(city_briefing, quarter, tmp_path):
    path = tmp_path / "jianbao.docx"
    path.write_bytes(rendering.render(city_briefing, "docx"))
    out = io.StringIO()
    call_command("factcheck", str(path), area=CITY_CODE, period=quarter.key, as_json=True, stdout=out,
                 stderr=io.StringIO())
    rows = json.loads(out.getvalue())
    assert "mismatch" not in {row["status"] for row in rows}
    assert any(row["status"] == "unknown" and "共印" in row["text"] for row in rows)  # the copies: no metric
    with pytest.raises(CommandError, match="无法识别的期间"):
        call_command("factcheck", str(path), area=CITY_CODE, period="2026Q7", as_json=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("factcheck", str(path), area="990188000000", period=quarter.key, as_json=True,
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("factcheck", str(tmp_path / "none.docx"), area=CITY_CODE, period=quarter.key, as_json=True,
                     stdout=io.StringIO())
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="无法打开 Word 文件"):
        call_command("factcheck", str(bad), area=CITY_CODE, period=quarter.key, as_json=True, stdout=io.StringIO())


def test_factcheck_page_with_pasted_text(client_for, quarter):
    visits = compute("visits", CITY_CODE, quarter)
    response = client_for("leader").post("/briefings/factcheck/", {
        "text": f"本季度全市开展走访慰问{visits}次，发放慰问金1元。", "area": CITY_CODE, "period": quarter.key})
    page = response.content.decode()
    assert page.count('data-status="match"') == 1 and page.count('data-status="mismatch"') == 1
    response = client_for("leader").post("/briefings/factcheck/", {"text": "", "area": CITY_CODE,
                                                                   "period": quarter.key})
    assert "请粘贴文稿内容或上传文件" in response.content.decode()
    response = client_for("township").post("/briefings/factcheck/", {"text": "走访12次。", "area": CITY_CODE,
                                                                     "period": quarter.key})
    assert 'data-status=' not in response.content.decode()  # the city is not the township's to check


def test_year_on_year_in_the_first_year_is_unknown_not_an_error():
    figures = check_text("全年开展走访慰问10次，同比增长25%。", CITY_CODE, "1900")
    change = [f for f in figures if f.claimed == 25]
    assert change and change[0].status == UNKNOWN and "同比" in change[0].reason
