"""The oversight pages as people use them: forms refuse bad input with the field named and
never a 500, edit conflicts are told, each role sees what it should."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanai.coordination.models import (AssessmentScheme, AssessmentScore, Project, RectificationItem,
                                        SupervisionRound)
from guanai.coordination.tests.oversight_helpers import (CITY, TOWNSHIP, days, demo_scheme, fresh, make_item,
                                                         make_round, unit)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_office_records_a_round_and_its_list_in_the_browser_forms(users, client_for):
    office = client_for("office")
    response = office.post("/coordination/supervision/create/", {
        "title": "第四季度督导", "area": CITY, "started_on": days(-3), "ended_on": days(-1),
        "methods": ["documents", "spot_check"], "team_units": [unit("民政局").pk], "findings": "档案不全"})
    r = SupervisionRound.objects.get(title="第四季度督导")
    assert response.status_code == 302 and response["Location"].endswith(f"/coordination/supervision/{r.pk}/")
    response = office.post(f"/coordination/supervision/{r.pk}/items/create/", {
        "problem": "成长档案不全", "measure": "补建", "responsible_unit": unit("教育局").pk, "deadline": days(10)})
    assert response.status_code == 302
    page = _text(office.get(f"/coordination/supervision/{r.pk}/"))
    assert "成长档案不全" in page and "示范市教育局" in page and "未整改 1" in page


def test_bad_item_input_is_named_and_nothing_is_written(users, client_for):
    office = client_for("office")
    r = make_round(users["office"], started=-5)
    url = f"/coordination/supervision/{r.pk}/items/create/"
    cases = [
        ({"problem": "问题", "responsible_area": "990201001000", "deadline": days(3)}, "责任地区：所选项不在可选范围内"),
        ({"problem": "问题", "responsible_area": TOWNSHIP, "deadline": days(-6)}, "不能早于督导开始日期"),
        ({"problem": "问题", "responsible_area": TOWNSHIP, "deadline": "明天"}, "整改期限应为有效日期"),
        ({"problem": "", "responsible_area": TOWNSHIP, "deadline": days(3)}, "请填写存在问题"),
        ({"problem": "问题", "deadline": days(3)}, "二者选其一"),
    ]
    for data, words in cases:
        response = office.post(url, data)
        assert response.status_code == 200, data
        assert words in _text(response), data
    assert not r.items.exists()


def test_an_edit_conflict_is_told_and_the_first_edit_stays(users, client_for):
    item = make_item(users["office"], make_round(users["office"]))
    url = f"/coordination/supervision/items/{item.pk}/edit/"
    form = {"version": item.version, "problem": "甲的改法", "measure": "", "responsible_unit": unit("教育局").pk,
            "deadline": days(6), "reason": ""}
    assert client_for("office").post(url, form).status_code == 302
    response = client_for("admin").post(url, {**form, "problem": "乙的改法"})
    assert response.status_code == 200 and "在您编辑期间已被他人修改" in _text(response)
    assert fresh(item).problem == "甲的改法"


def test_the_unit_fills_in_its_progress_with_evidence_on_the_item_page(users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from guanai.coordination.tests.test_oversight_supervision import PNG

    item = make_item(users["office"], make_round(users["office"]))
    unit_client = client_for("unit")
    page = _text(unit_client.get(f"/coordination/supervision/items/{item.pk}/"))
    assert "填报整改情况" in page and "核验销号" not in page
    response = unit_client.post(f"/coordination/supervision/items/{item.pk}/progress/", {
        "version": item.version, "status": "done", "completed_on": days(0), "progress_note": "已补建档案",
        "files": [SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")]})
    assert response.status_code == 302
    page = _text(unit_client.get(f"/coordination/supervision/items/{item.pk}/"))
    assert "已整改" in page and "现场照片.png" in page
    # Text where a date belongs: the field is named, nothing changes.
    response = unit_client.post(f"/coordination/supervision/items/{item.pk}/progress/", {
        "version": fresh(item).version, "status": "in_progress", "completed_on": "上周", "progress_note": "x"})
    assert response.status_code == 200 and "完成日期应为有效日期" in _text(response)
    assert fresh(item).status == RectificationItem.DONE
    office_page = _text(client_for("office").get(f"/coordination/supervision/items/{item.pk}/"))
    assert "核验销号" in office_page


def test_each_role_sees_its_own_items(users, client_for):
    office = users["office"]
    r = make_round(office, started=-20)
    make_item(office, r, deadline=-2, problem="教育局逾期事项")
    make_item(office, r, deadline=-2, responsible_unit=unit("公安局"), problem="公安局逾期事项")
    make_item(office, r, deadline=-2, responsible_area_code=TOWNSHIP, problem="城关镇逾期事项")
    seen = {name: _text(client_for(name).get("/coordination/supervision/items/?status=overdue"))
            for name in ("unit", "township", "office")}
    assert "教育局逾期事项" in seen["unit"] and "公安局逾期事项" not in seen["unit"] and "城关镇逾期事项" not in seen["unit"]
    assert "城关镇逾期事项" in seen["township"] and "教育局逾期事项" not in seen["township"]
    assert all(words in seen["office"] for words in ("教育局逾期事项", "公安局逾期事项", "城关镇逾期事项"))
    home = _text(client_for("unit").get("/"))
    assert "本单位逾期整改事项" in home and "教育局逾期事项" in home and "公安局逾期事项" not in home


def test_the_round_list_asks_the_same_number_of_queries_for_more_rounds(users, client_for):
    office = client_for("office")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert office.get("/coordination/supervision/").status_code == 200
        # The page's own queries (the session may be saved on one request and not another).
        return len([q for q in captured.captured_queries if "coordination_" in q["sql"] or "areas_" in q["sql"]])

    before = queries()
    for n in range(3):
        make_item(users["office"], make_round(users["office"], title=f"督导{n}"))
    assert queries() == before


def test_the_assessment_page_ranks_the_units_and_exports(users, client_for):
    scheme = demo_scheme(AssessmentScheme.UNITS)
    office = client_for("office")
    response = office.get(f"/coordination/assessment/{scheme.pk}/")
    html = response.content.decode()
    ranks = [int(n) for n in re.findall(r'data-rank="(\d+)"', html)]
    assert len(ranks) == 10 and ranks == sorted(ranks) and ranks[0] == 1
    xlsx = office.get(f"/coordination/assessment/{scheme.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    docx = office.get(f"/coordination/assessment/{scheme.pk}/export.docx")
    assert docx.status_code == 200 and "attachment" in docx["Content-Disposition"]
    assert office.get(f"/coordination/assessment/{scheme.pk}/export.pdf").status_code == 404
    assert client_for("unit").get(f"/coordination/assessment/{scheme.pk}/").status_code == 403


def test_score_entry_names_text_in_a_number(users, client_for):
    scheme = demo_scheme(AssessmentScheme.UNITS)
    score = AssessmentScore.objects.filter(scheme=scheme, indicator__name="联席会议").first()
    response = client_for("office").post(f"/coordination/assessment/scores/{score.pk}/", {
        "version": score.version, "value": "三次", "note": "据签到表"})
    assert response.status_code == 200 and "“联席会议”实际值应为数字，实为“三次”" in _text(response)
    assert fresh(score).value == score.value


def test_project_pages_show_the_sentence_the_chart_numbers_and_the_late_projects(users, client_for):
    pens = Project.objects.get(name="圈舍改建项目")
    office = client_for("office")
    page = _text(office.get(f"/coordination/projects/{pens.pk}/"))
    assert "计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户" in page
    assert "进度变化" in page and "改建圈舍（户）已开工" in page  # the chart's numbers as a table
    listing = office.get("/coordination/projects/?show=behind")
    assert "进度滞后项目1个" in _text(listing) and "圈舍改建项目" in _text(listing)
    assert "危旧房改造项目" not in _text(listing)
    assert 'src="/static/vendor/echarts.min.js"' in listing.content.decode()


def test_bad_project_input_in_the_browser_forms(users, client_for):
    office = client_for("office")
    response = office.post("/coordination/projects/create/", {
        "name": "道路项目", "area": "990101003000", "planned_start": days(0), "planned_end": days(90),
        "line_action": ["新建"], "line_subject": ["通村道路"], "line_measure": ["公里"], "line_planned": ["十二"]})
    assert response.status_code == 200 and "计划数应为数字，实为“十二”" in _text(response)
    assert not Project.objects.filter(name="道路项目").exists()
    pens = Project.objects.get(name="圈舍改建项目")
    houses = pens.lines.get(measure="户")
    response = office.post(f"/coordination/projects/{pens.pk}/progress/", {
        "version": pens.version, "reported_on": days(0), f"started_{houses.pk}": "-3"})
    assert response.status_code == 200 and "改建圈舍已开工（户）不能为负数" in _text(response)
    assert pens.updates.count() == 3  # the demo's three, nothing more


def test_after_verification_the_unit_is_told_why_it_can_no_longer_change_the_item(users, client_for):
    from guanai.coordination import oversight_supervision as supervision

    office = users["office"]
    item = make_item(office, make_round(office))
    supervision.report_progress(acting_user=users["unit"], item=item, expected_version=item.version,
                                status=RectificationItem.DONE, progress_note="已补建", completed_on=days(0))
    response = client_for("office").post(f"/coordination/supervision/items/{item.pk}/verify/", {
        "version": fresh(item).version, "verified_on": days(0), "note": "查阅台账"})
    assert response.status_code == 302 and fresh(item).verified_by == office
    page = _text(client_for("unit").get(f"/coordination/supervision/items/{item.pk}/"))
    assert f"{office}核验销号" in page
    assert "填报整改情况" not in page  # no longer offered
    response = client_for("unit").post(f"/coordination/supervision/items/{item.pk}/progress/", {
        "version": fresh(item).version, "status": "in_progress", "progress_note": "想改回"})
    assert response.status_code == 200 and "已由领导小组办公室核验销号，不能再修改" in _text(response)
    assert fresh(item).status == RectificationItem.DONE
