from datetime import date

import pytest

from guanai.areas.models import Area
from guanai.briefings import body as body_mod
from guanai.briefings import render as rendering
from guanai.briefings import services
from guanai.briefings.models import Briefing
from guanai.stats.periods import parse_period

from .conftest import COUNTY, OTHER_COUNTY, TOWNSHIP

pytestmark = pytest.mark.django_db


def _draft(area_code: str, user=None, period: str = "2026Q1") -> Briefing:
    return Briefing.objects.create(kind="jianbao", area_id=area_code, period_key=period, title="测试简报",
                                   office_name="测试办公室", created_by=user,
                                   body=[{"type": "p", "runs": [{"t": "测试正文。"}]}])


def test_parse_keeps_known_tokens_and_turns_the_rest_into_text():
    original = [{"type": "chart", "chart": "bar", "title": "图", "labels": ["甲"], "facts": ["f1"]}]
    html = ('<h2 class="bh bh1">一、基本情况</h2>'
            '<p>全市共有<span class="fact" data-fact="f1" contenteditable="false" title="x">100人</span>，'
            '其中<span class="fact" data-fact="f9">5人</span>。</p>'
            '<div>新的段落<br>第二行</div>'
            '<figure class="chart" data-block="0"><img src="x"><figcaption>图</figcaption></figure>'
            '<figure class="chart" data-block="7"><img src="y"></figure>'
            '<script>alert(1)</script>零散文字')
    blocks = body_mod.parse_html(html, {"f1"}, original)
    assert blocks[0] == {"type": "h", "level": 1, "text": "一、基本情况"}
    assert blocks[1]["runs"] == [{"t": "全市共有"}, {"f": "f1"}, {"t": "，其中5人。"}]
    assert blocks[2]["runs"] == [{"t": "新的段落"}] and blocks[3]["runs"] == [{"t": "第二行"}]
    assert blocks[4] == original[0]  # the chart is kept; an unknown one is dropped
    assert blocks[5]["runs"] == [{"t": "零散文字"}]
    assert len(blocks) == 6


def test_editing_keeps_the_tokens(city_briefing, client_for):
    doc = rendering.load(city_briefing)
    html = str(rendering.body_html(doc, editable=True))
    tokens_before = body_mod.tokens_used(city_briefing.body)
    assert 'class="fact"' in html and 'title="指标：' in html and "区划：示范市（990100000000）" in html
    edited = html.replace("扎实推进各项任务落实", "扎实推进各项任务落细落实", 1)
    response = client_for("office").post(f"/briefings/{city_briefing.pk}/edit/", {
        "body_html": edited, "masthead": "关爱工作简报", "title": "改过的标题", "office_name": "示范市关爱办",
        "issued_on": "", "report_to": "市委、市政府", "send_to": "各成员单位", "distribute_to": "各县（市、区）",
        "copies": 40,
    })
    assert response.status_code == 302
    city_briefing.refresh_from_db()
    assert city_briefing.title == "改过的标题" and city_briefing.copies == 40
    assert body_mod.tokens_used(city_briefing.body) == tokens_before
    text = body_mod.plain_text(city_briefing.body, services.facts_of(city_briefing))
    assert "扎实推进各项任务落细落实" in text
    # The editor page shows the tokens with their provenance.
    page = client_for("office").get(f"/briefings/{city_briefing.pk}/edit/").content.decode()
    assert 'data-fact="f1"' in page and "contenteditable" in page


def test_a_deleted_token_is_gone_and_an_empty_body_is_refused(city_briefing, users):
    doc = rendering.load(city_briefing)
    html = str(rendering.body_html(doc, editable=True))
    import re

    without_f1 = re.sub(r'<span class="fact" data-fact="f1"[^>]*>[^<]*</span>', "", html)
    briefing = services.save_edit(city_briefing, user=users["office"], body_html=without_f1)
    assert "f1" not in body_mod.tokens_used(briefing.body)
    with pytest.raises(services.BriefingError):
        services.save_edit(briefing, user=users["office"], body_html="<p> </p>")


def test_recompute_reports_changed_figures(city_briefing):
    fact = city_briefing.facts.get(token="f1")
    true_value = fact.value
    fact.value, fact.text = true_value + 5, "不对的数"
    fact.save()
    changes = services.recompute_facts(city_briefing, save=True)
    assert [c.fact.token for c in changes] == ["f1"]
    assert changes[0].new_value == true_value
    fact.refresh_from_db()
    assert fact.value == true_value and fact.text != "不对的数"


def test_publish_numbers_issues_per_office_per_year_and_freezes(users):
    office = users["office"]
    first = services.publish(_draft(COUNTY), user=office, issued_on=date(2026, 3, 1))
    second = services.publish(_draft(COUNTY, period="2026Q2"), user=office, issued_on=date(2026, 6, 1))
    other_office = services.publish(_draft(OTHER_COUNTY), user=office, issued_on=date(2026, 6, 1))
    next_year = services.publish(_draft(COUNTY, period="2026Q4"), user=office, issued_on=date(2027, 1, 5))
    assert (first.issue_year, first.issue_number, first.issue_label) == (2026, 1, "第1期")
    assert (second.issue_number, second.issue_label) == (2, "第2期")
    assert other_office.issue_number == 1
    assert (next_year.issue_year, next_year.issue_number) == (2027, 1)
    assert second.status == Briefing.PUBLISHED and second.published_by == office and second.issued_on == date(2026, 6, 1)
    with pytest.raises(services.BriefingError):
        services.save_edit(second, user=office, meta={"title": "再改"})
    with pytest.raises(services.BriefingError):
        services.publish(second, user=office)
    with pytest.raises(services.BriefingError):
        services.recompute_facts(second, save=True)
    second.refresh_from_db()
    assert second.issue_number == 2 and second.title == "测试简报"


def test_published_briefing_is_frozen_in_the_browser(users, client_for):
    briefing = services.publish(_draft(TOWNSHIP), user=users["office"])
    client = client_for("township")
    response = client.get(f"/briefings/{briefing.pk}/edit/")
    assert response.status_code == 302 and response["Location"].endswith(f"/briefings/{briefing.pk}/")
    response = client.post(f"/briefings/{briefing.pk}/edit/", {"title": "再改", "body_html": "<p>新</p>"})
    briefing.refresh_from_db()
    assert briefing.title == "测试简报"
    # Recompute on a published briefing only compares.
    response = client.post(f"/briefings/{briefing.pk}/recompute/")
    assert response.status_code == 200 and "数据核对结果" in response.content.decode()


def test_publish_view_numbers_the_issue(users, client_for):
    briefing = _draft(TOWNSHIP)
    response = client_for("township").post(f"/briefings/{briefing.pk}/publish/")
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.is_published and briefing.issue_number == 1
    page = client_for("township").get(f"/briefings/{briefing.pk}/").content.decode()
    assert "第1期" in page and "已印发" in page


def test_compose_page_runs_the_job(client_for, quarter, django_capture_on_commit_callbacks):
    client = client_for("county")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/briefings/new/", {"area": COUNTY, "period": quarter.key, "kind": "jianbao"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    briefing = Briefing.objects.filter(area_id=COUNTY, period_key=quarter.key).latest("pk")
    assert f"/briefings/{briefing.pk}/edit/" in page
    assert briefing.created_by.username == "county" and briefing.facts.exists()


def test_compose_refuses_an_area_outside_jurisdiction_and_a_bad_period(client_for):
    client = client_for("county")
    response = client.post("/briefings/new/", {"area": OTHER_COUNTY, "period": "2026Q3", "kind": "jianbao"})
    assert response.status_code == 200 and not Briefing.objects.filter(area_id=OTHER_COUNTY).exists()
    response = client.post("/briefings/new/", {"area": COUNTY, "period": "2026Q5", "kind": "jianbao"})
    assert "无法识别的期间" in response.content.decode()
    response = client.post("/briefings/new/", {"area": COUNTY, "period": "0000", "kind": "jianbao"})
    assert response.status_code == 200 and "年份超出范围" in response.content.decode()


def test_summary_of_a_year(users):
    period = parse_period("2026")
    briefing = services.create_briefing(Area.objects.get(pk=TOWNSHIP), period, "zongjie", user=users["township"])
    assert briefing.kind == "zongjie" and "全镇" in body_mod.plain_text(briefing.body, services.facts_of(briefing))


def test_a_facts_questions_include_last_year_for_a_year_on_year_figure():
    from guanai.briefings.facts import YOY, questions

    plain = questions("visits", COUNTY, "2026Q3", {"category": "left_behind_child"})
    assert [(m, a, p.key, params) for m, a, p, params in plain] == [
        ("visits", COUNTY, "2026Q3", {"category": "left_behind_child"})]
    assert [p.key for _m, _a, p, _params in questions("visits", COUNTY, "2026Q3", {}, YOY)] == ["2026Q3", "2025Q3"]


def test_publishing_the_same_title_for_the_same_area_and_period_asks_first(users):
    """Issue 15.5: no silent 第2期 of a briefing already published."""
    office = users["office"]
    first = services.publish(_draft(COUNTY), user=office, issued_on=date(2026, 4, 2))
    again = _draft(COUNTY)
    with pytest.raises(services.DuplicateBriefing) as err:
        services.publish(again, user=office, issued_on=date(2026, 4, 9))
    assert "已印发同名" in str(err.value) and "第1期" in str(err.value) and err.value.existing == [first]
    again.refresh_from_db()
    assert not again.is_published and again.issue_number is None
    # Another title, or another period, is no duplicate; a confirmed one becomes the next issue.
    assert services.published_alike(_draft(OTHER_COUNTY)) == []
    renamed = _draft(COUNTY)
    renamed.title = "测试简报（专刊）"
    renamed.save()
    assert services.publish(renamed, user=office).issue_number == 2
    assert services.publish(again, user=office, confirm_duplicate=True).issue_number == 3


def test_the_compose_page_warns_of_a_published_briefing_and_links_it(users, client_for):
    published = services.publish(_draft(COUNTY), user=users["office"], issued_on=date(2026, 4, 2))
    client = client_for("county")
    # Before composing: the page (and the fragment it asks again on each change) names it.
    page = client.get("/briefings/new/", {"area": COUNTY, "period": "2026Q1", "kind": "jianbao"}).content.decode()
    assert "data-published-warning" in page and f"/briefings/{published.pk}/" in page and "第1期" in page
    fragment = client.get("/briefings/new/", {"warning": "1", "area": COUNTY, "period_year": "2026",
                                              "period_part": "Q1", "kind": "jianbao"}).content.decode()
    assert f"/briefings/{published.pk}/" in fragment and "<form" not in fragment
    assert "data-published-warning" not in client.get(
        "/briefings/new/", {"warning": "1", "area": COUNTY, "period": "2026Q2"}).content.decode()
    # Composing anyway asks a confirmation first; nothing is started until it is given.
    before = Briefing.objects.count()
    from guanai.core.models import Job

    jobs = Job.objects.count()
    response = client.post("/briefings/new/", {"area": COUNTY, "period": "2026Q1", "kind": "jianbao"})
    assert response.status_code == 200 and 'name="confirm_existing"' in response.content.decode()
    assert Job.objects.count() == jobs
    response = client.post("/briefings/new/", {"area": COUNTY, "period": "2026Q1", "kind": "jianbao",
                                               "confirm_existing": "1"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    assert Briefing.objects.count() >= before


def test_the_publish_button_asks_confirmation_for_a_duplicate(users, client_for):
    published = services.publish(_draft(TOWNSHIP), user=users["office"])
    again = _draft(TOWNSHIP)
    client = client_for("township")
    page = client.get(f"/briefings/{again.pk}/").content.decode()
    assert 'name="confirm_duplicate"' in page and f"/briefings/{published.pk}/" in page
    response = client.post(f"/briefings/{again.pk}/publish/", follow=True)
    again.refresh_from_db()
    assert not again.is_published and "已印发同名" in response.content.decode()
    client.post(f"/briefings/{again.pk}/publish/", {"confirm_duplicate": "1"})
    again.refresh_from_db()
    assert again.is_published and again.issue_number == published.issue_number + 1
