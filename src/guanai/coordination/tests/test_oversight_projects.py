"""Projects: plans with target lines, progress over time, metrics, the summary sentence
built from the records, behind-schedule detection, bad input refused whole."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanai.coordination import oversight_projects as projects
from guanai.coordination.models import Project, ProjectLineProgress, ProjectUpdate
from guanai.coordination.tests.oversight_helpers import COUNTY, OTHER_TOWNSHIP, days, fresh, unit
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period

VILLAGE = "990101003002"  # a village of 石桥镇, where the demo has no project


def _pens(office, area=VILLAGE, start=-240, end=60):
    return projects.create_project(
        acting_user=office, name="圈舍改建项目", area_code=area, responsible_unit=unit("财政局"),
        planned_start=days(start), planned_end=days(end),
        lines=[{"action": "改建", "subject": "圈舍", "measure": "户", "planned": "160"},
               {"action": "改建", "subject": "圈舍", "measure": "间", "planned": "480"},
               {"action": "", "subject": "项目投资", "measure": "万元", "planned": "464.9"}])


def _report(user, project, day, figures, **extra):
    project = fresh(project)
    lines = {(line.measure): line.pk for line in project.lines.all()}
    return projects.report_progress(acting_user=user, project=project, expected_version=project.version,
                                    reported_on=days(day),
                                    figures={lines[m]: values for m, values in figures.items()}, **extra)


def test_the_summary_sentence_is_built_from_the_records(users):
    office = users["office"]
    pens = _pens(office)
    _report(office, pens, -100, {"户": {"started": 30, "finished": 10}, "间": {"started": 90}})
    _report(office, pens, -3, {"户": {"started": "69", "finished": "47"}, "间": {"started": "207"}},
            spent_wan="215.6")
    year = parse_period(str(days(0).year))
    assert projects.summary_sentences(VILLAGE, year) == [
        "计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户",
        "计划投资464.9万元，已完成投资215.6万元"]
    # The same figures are metrics, by measure word.
    assert compute("project_planned_hu", VILLAGE, year) == Decimal(160)
    assert compute("project_started_jian", VILLAGE, year) == Decimal(207)
    assert compute("project_finished_hu", VILLAGE, year) == Decimal(47)
    assert compute("project_building_hu", VILLAGE, year) == Decimal(22)
    assert compute("project_building_jian", VILLAGE, year) == Decimal(0)  # 间 finished not reported
    assert compute("project_investment_wan", VILLAGE, year) == 464.9
    assert compute("project_spent_wan", VILLAGE, year) == 215.6
    # As of an earlier month: the report of that time.
    month = parse_period(f"{days(-100):%Y-%m}")
    if month.end < days(-3):
        assert compute("project_started_hu", VILLAGE, month, project=pens.pk) == Decimal(30)


def test_the_demo_has_both_projects_of_the_briefing(db):
    year = parse_period(str(days(0).year))
    sentences = projects.summary_sentences(COUNTY, year)
    assert "计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户" in sentences
    assert "计划改造危旧房41户，目前改造12户，其中在建12户" in sentences
    assert compute("project_started_hu", OTHER_TOWNSHIP, year, subject="危旧房") == Decimal(12)
    pens = Project.objects.get(name="圈舍改建项目")
    info = projects.schedule(projects.project_states([pens], days(0))[0], days(0))
    # Rooms are counted at the start only: the share finished is the households' 47/160.
    assert (info["actual"], info["expected"], info["behind"]) == (Decimal("29.4"), Decimal("80.0"), True)


def test_behind_schedule_against_the_planned_time(users):
    office = users["office"]
    pens = _pens(office)  # 80% of its time gone
    _report(office, pens, -3, {"户": {"started": 69, "finished": 47}, "间": {"started": 207, "finished": 150}})
    state = projects.project_states([pens], days(0))[0]
    info = projects.schedule(state, days(0))
    assert info["expected"] == Decimal("80.0") and info["actual"] == Decimal("29.4")  # 47/160, the lagging line
    assert info["behind"]
    fresh_start = projects.create_project(
        acting_user=office, name="危旧房改造项目", area_code=VILLAGE, planned_start=days(-30), planned_end=days(335),
        lines=[{"action": "改造", "subject": "危旧房", "measure": "户", "planned": "41"}])
    assert not projects.schedule(projects.project_states([fresh_start], days(0))[0], days(0))["behind"]
    ended = projects.create_project(
        acting_user=office, name="通村道路项目", area_code=VILLAGE, planned_start=days(-200), planned_end=days(-1),
        lines=[{"action": "新建", "subject": "通村道路", "measure": "公里", "planned": "10"}])
    _report(office, ended, -2, {"公里": {"started": 10, "finished": "9.8"}})
    assert projects.schedule(projects.project_states([ended], days(0))[0], days(0))["behind"]  # past its end
    year = parse_period(str(days(0).year))
    assert compute("projects_behind_schedule", VILLAGE, year) == 2
    assert compute("projects_under_way", VILLAGE, year) == 3


@pytest.mark.parametrize("lines,words", [
    ([{"action": "改建", "subject": "圈舍", "measure": "户", "planned": "一百六十"}], "计划数应为数字，实为“一百六十”"),
    ([{"action": "改建", "subject": "圈舍", "measure": "户", "planned": "-160"}], "计划数不能为负数"),
    ([{"action": "改建", "subject": "圈舍", "measure": "吨", "planned": "160"}], "计量单位应为户、间、公里、亩、座、人、万元之一"),
    ([{"action": "改建", "subject": "", "measure": "户", "planned": "160"}], "请填写建设内容"),
    ([{"action": "", "subject": "", "measure": "户", "planned": ""}], "请至少填写一项计划目标"),
])
def test_bad_plans_are_refused_whole(users, lines, words):
    before = Project.objects.count()
    with pytest.raises(ValidationError) as caught:
        projects.create_project(acting_user=users["office"], name="圈舍改建项目", area_code=VILLAGE,
                                planned_start=days(-10), planned_end=days(100), lines=lines)
    assert words in caught.value.message_dict["lines"][0]
    assert Project.objects.count() == before


def test_a_plan_ending_before_it_starts_or_outside_the_offices_area_is_refused(users):
    from guanai.coordination.tests.oversight_helpers import foreign_city

    line = [{"action": "改建", "subject": "圈舍", "measure": "户", "planned": "1"}]
    with pytest.raises(ValidationError) as caught:
        projects.create_project(acting_user=users["office"], name="项目", area_code=VILLAGE, planned_start=days(0),
                                planned_end=days(-1), lines=line)
    assert "不能早于计划开工日期" in caught.value.message_dict["planned_end"][0]
    with pytest.raises(ValidationError) as caught:
        projects.create_project(acting_user=users["office"], name="项目", area_code=foreign_city(),
                                planned_start=days(0), planned_end=days(1), lines=line)
    assert "不在您的管辖范围内" in caught.value.message_dict["area"][0]


@pytest.mark.parametrize("figures,field,words", [
    ({"户": {"started": "六十九"}}, "started", "改建圈舍已开工（户）应为数字，实为“六十九”"),
    ({"户": {"started": "-1"}}, "started", "改建圈舍已开工（户）不能为负数"),
    ({"户": {"started": "20", "finished": "30"}}, "finished", "已完成（30户）不能多于已开工（20户）"),
    ({"户": {"started": "170"}}, "started", "超过计划数（160户）"),
])
def test_bad_progress_is_refused_naming_the_field_and_nothing_is_written(users, figures, field, words):
    office = users["office"]
    pens = _pens(office)
    houses = pens.lines.get(measure="户")
    with pytest.raises(ValidationError) as caught:
        _report(office, pens, 0, figures, spent_wan="10")
    assert words in caught.value.message_dict[f"{field}_{houses.pk}"][0]
    assert not ProjectUpdate.objects.filter(project=pens).exists()
    assert not ProjectLineProgress.objects.filter(line__project=pens).exists()


def test_money_spent_must_be_a_number_and_a_future_date_is_refused(users):
    office = users["office"]
    pens = _pens(office)
    with pytest.raises(ValidationError) as caught:
        _report(office, pens, 1, {"户": {"started": 1}}, spent_wan="二百万")
    assert caught.value.message_dict["spent_wan"] == ["累计完成投资（万元）应为数字，实为“二百万”"]
    assert "不能晚于今天" in caught.value.message_dict["reported_on"][0]


def test_who_reports_progress(users):
    office = users["office"]
    pens = _pens(office, area=COUNTY)
    assert projects.may_report(users["county"], pens)  # staff of the area
    assert not projects.may_report(users["township"], pens)  # a township below cannot speak for the county
    assert not projects.may_report(users["unit"], pens)  # 教育局 is not responsible
    assert not projects.may_report(users["leader"], pens)
    with pytest.raises(ValidationError, match="不能填报此项目的进度"):
        _report(users["unit"], pens, 0, {"户": {"started": 1}})


def test_two_reports_from_one_form_cannot_both_win(users):
    office = users["office"]
    pens = _pens(office)
    houses = pens.lines.get(measure="户")
    version = fresh(pens).version
    projects.report_progress(acting_user=office, project=fresh(pens), expected_version=version, reported_on=days(0),
                             figures={houses.pk: {"started": 5}})
    with pytest.raises(ValidationError, match="在您编辑期间已被他人修改"):
        projects.report_progress(acting_user=users["county"], project=fresh(pens), expected_version=version,
                                 reported_on=days(0), figures={houses.pk: {"started": 6}})
    assert ProjectUpdate.objects.filter(project=pens).count() == 1


def test_chart_series_carry_the_numbers_per_date(users):
    office = users["office"]
    pens = _pens(office)
    _report(office, pens, -50, {"户": {"started": 30, "finished": 10}, "间": {"started": 90}})
    _report(office, pens, -3, {"户": {"started": 69, "finished": 47}})
    series = projects.chart_series(pens)
    assert series["dates"] == [days(-50).isoformat(), days(-3).isoformat()]
    houses, rooms = series["lines"]
    assert houses["name"] == "改建圈舍（户）" and houses["planned"] == 160
    assert [(p["started"], p["finished"]) for p in houses["points"]] == [(30, 10), (69, 47)]
    assert [p["started"] for p in rooms["points"]] == [90, 90]  # not reported again: carried forward


def test_a_figure_too_large_for_its_column_is_refused_not_a_database_error(users):
    with pytest.raises(ValidationError) as caught:
        projects.create_project(acting_user=users["office"], name="圈舍改建项目", area_code=VILLAGE,
                                planned_start=days(-10), planned_end=days(100),
                                lines=[{"action": "改建", "subject": "圈舍", "measure": "户", "planned": "1e20"}])
    assert "计划数（1e20）超出可填写的范围" in caught.value.message_dict["lines"][0]
