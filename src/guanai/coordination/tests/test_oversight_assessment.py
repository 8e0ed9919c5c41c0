"""The yearly assessment: scoring rules, schemes and indicators, scores computed through
the metric functions or entered with a note, ranking, exports; and the rectification
metrics the schemes use."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanai.core import clock
from guanai.coordination import oversight_assessment as assessment
from guanai.coordination import oversight_documents as documents
from guanai.coordination import oversight_supervision as supervision
from guanai.coordination.models import AssessmentIndicator, AssessmentScheme, AssessmentScore, RectificationItem
from guanai.coordination.tests.oversight_helpers import (CITY, TOWNSHIP, days, demo_scheme, fresh, make_item,
                                                         make_round, unit)
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period

A = AssessmentIndicator


@pytest.mark.parametrize("rule,target,deduct,higher,value,score", [
    (A.FULL, 4, None, True, 4, "10.00"),
    (A.FULL, 4, None, True, 3, "0.00"),
    (A.PROPORTIONAL, 100, None, True, 87.5, "8.75"),
    (A.PROPORTIONAL, 100, None, True, 120, "10.00"),  # never above the points
    (A.DEDUCTION, 4, "2.5", True, 2, "5.00"),  # 少两次扣5分
    (A.DEDUCTION, 4, "2.5", True, 0, "0.00"),  # never below zero
    (A.DEDUCTION, 0, "3", False, 2, "4.00"),  # two overdue items cost 3 each
    (A.DEDUCTION, 0, "3", False, 0, "10.00"),
    (A.FULL, 0, None, False, 1, "0.00"),
])
def test_scoring_rules(rule, target, deduct, higher, value, score):
    assert assessment.rule_score(rule=rule, points=10, target=target, deduct_per=deduct, higher_is_better=higher,
                                 value=value) == Decimal(score)


def test_a_manual_rule_or_a_missing_value_scores_nothing_by_itself():
    assert assessment.rule_score(rule=A.MANUAL, points=5, value=3) is None
    assert assessment.rule_score(rule=A.FULL, points=5, target=1, value=None) is None


def _scheme(office, subject=AssessmentScheme.UNITS, year=None, total=100):
    return assessment.create_scheme(acting_user=office, title="年度关爱服务工作考核", year=year or days(0).year,
                                    area_code=CITY, subject=subject, total_points=total)


def test_one_scheme_per_year_area_and_subject(users):
    office = users["office"]
    _scheme(office)
    with pytest.raises(ValidationError) as caught:
        _scheme(office)
    assert "已有考核成员单位的方案" in caught.value.message_dict["year"][0]
    _scheme(office, AssessmentScheme.TOWNSHIPS)  # the townships are another scheme


@pytest.mark.parametrize("year,total,field,words", [
    ("二〇二五", 100, "year", "考核年度应为数字"),
    ("1999", 100, "year", "2000年至"),
    ("2025", 150, "total_points", "100分或200分"),
])
def test_bad_schemes_are_refused_naming_the_field(users, year, total, field, words):
    with pytest.raises(ValidationError) as caught:
        assessment.create_scheme(acting_user=users["office"], title="考核", year=year, area_code=CITY,
                                 subject=AssessmentScheme.UNITS, total_points=total)
    assert words in caught.value.message_dict[field][0]
    assert not AssessmentScheme.objects.filter(title="考核").exists()


@pytest.mark.parametrize("args,field,words", [
    ({"points": "五分"}, "points", "分值应为数字，实为“五分”"),
    ({"points": "-5"}, "points", "分值不能为负数"),
    ({"points": "101"}, "points", "超过方案总分100分"),
    ({"rule": A.DEDUCTION, "target": "4"}, "deduct_per", "每差1扣多少分"),
    ({"rule": A.FULL}, "target", "需要填写目标值"),
    ({"rule": A.PROPORTIONAL, "target": "100", "higher_is_better": False}, "rule", "越低越好"),
    ({"rule": A.FULL, "target": "90", "metric": "no_such_metric"}, "metric", "未知的统计指标"),
    ({"rule": A.PROPORTIONAL, "target": "100", "metric": "visit_coverage"}, "metric", "不能按成员单位计算"),
    ({"rule": A.FULL, "target": "0", "higher_is_better": False, "metric": "rectification_items_late",
      "metric_params": {"category": "x"}}, "metric_params", "没有参数"),
])
def test_bad_indicators_are_refused_naming_the_field(users, args, field, words):
    scheme = _scheme(users["office"])
    given = {"name": "领导机制", "points": "5", "rule": A.MANUAL}
    given.update(args)
    with pytest.raises(ValidationError) as caught:
        assessment.add_indicator(acting_user=users["office"], scheme=scheme, **given)
    assert words in caught.value.message_dict[field][0]
    assert not scheme.indicators.exists()


def test_the_unit_scores_come_from_the_records_and_the_entries_and_rank_the_units(users):
    office = users["office"]
    # This year's rectifications: 教育局 late once, 公安局 on time, 财政局 late twice.
    r = make_round(office, started=-40)
    late = make_item(office, r, deadline=-10)
    on_time = make_item(office, r, deadline=-10, responsible_unit=unit("公安局"))
    supervision.report_progress(acting_user=office, item=on_time, expected_version=on_time.version,
                                status=RectificationItem.DONE, progress_note="已整改", completed_on=days(-12))
    for _n in range(2):
        make_item(office, r, deadline=-3, responsible_unit=unit("财政局"))
    year = parse_period(str(days(0).year))
    assert compute("rectification_items_late", CITY, year, unit=unit("财政局").pk) >= 2
    scheme = _scheme(office)
    assessment.add_indicator(acting_user=office, scheme=scheme, name="整改落实", points=30, rule=A.DEDUCTION,
                             target=0, deduct_per=10, higher_is_better=False, metric="rectification_items_late",
                             requirement="每逾期一项扣10分")
    leadership = assessment.add_indicator(acting_user=office, scheme=scheme, name="领导机制", points="5",
                                          rule=A.MANUAL)
    meetings = assessment.add_indicator(acting_user=office, scheme=scheme, name="联席会议", points=10,
                                        rule=A.DEDUCTION, target=4, deduct_per="2.5")
    computed = assessment.compute_scores(acting_user=office, scheme=scheme)
    assert computed == 10  # one metric indicator × ten member units

    def score_of(indicator, suffix):
        return AssessmentScore.objects.get(indicator=indicator, unit=unit(suffix))

    rect = scheme.indicators.get(name="整改落实")
    expected = {s: max(30 - 10 * compute("rectification_items_late", CITY, year, unit=unit(s).pk), 0)
                for s in ("教育局", "公安局", "财政局")}
    assert {s: score_of(rect, s).score for s in expected} == {s: Decimal(v) for s, v in expected.items()}
    assert score_of(rect, "财政局").value == compute("rectification_items_late", CITY, year, unit=unit("财政局").pk)
    # Entered: a 直接评分 needs a note and may not exceed its points; a counted value is scored by the rule.
    row = score_of(leadership, "教育局")
    with pytest.raises(ValidationError) as caught:
        assessment.enter_score(acting_user=office, score=row, expected_version=row.version, score_value="6",
                               note="")
    assert set(caught.value.message_dict) == {"score", "note"}
    for suffix, points, meetings_attended in (("教育局", "5", 4), ("公安局", "4.5", 3), ("财政局", "5", 4)):
        row = score_of(leadership, suffix)
        assessment.enter_score(acting_user=office, score=row, expected_version=row.version, score_value=points,
                               note="查阅领导小组文件")
        row = score_of(meetings, suffix)
        assessment.enter_score(acting_user=office, score=row, expected_version=row.version, value=meetings_attended,
                               note="据签到表")
    assert score_of(meetings, "公安局").score == Decimal("7.50")  # 少一次扣2.5分
    assert score_of(meetings, "公安局").source == AssessmentScore.ENTERED
    _indicators, rows = assessment.ranking(scheme)
    totals = {row.subject.name: row.total for row in rows}
    assert totals["示范市公安局"] == Decimal(30) + Decimal("4.5") + Decimal("7.5")
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)
    assert rows[0].subject.name == "示范市公安局"  # the only one with no late rectification among those scored
    assert all(row.missing == 2 for row in rows if row.subject.name[3:] not in ("教育局", "公安局", "财政局"))


def test_a_recompute_keeps_the_entered_scores(users):
    office = users["office"]
    scheme = _scheme(office)
    manual = assessment.add_indicator(acting_user=office, scheme=scheme, name="领导机制", points=5, rule=A.MANUAL)
    assessment.compute_scores(acting_user=office, scheme=scheme)
    row = AssessmentScore.objects.get(indicator=manual, unit=unit("教育局"))
    assessment.enter_score(acting_user=office, score=row, expected_version=row.version, score_value="4",
                           note="查阅文件")
    assessment.compute_scores(acting_user=office, scheme=scheme)
    assert fresh(row).score == Decimal("4.00") and fresh(row).note == "查阅文件"


def test_a_metric_indicator_cannot_be_entered_by_hand(users):
    office = users["office"]
    scheme = _scheme(office)
    assessment.add_indicator(acting_user=office, scheme=scheme, name="整改落实", points=30, rule=A.DEDUCTION,
                             target=0, deduct_per=10, higher_is_better=False, metric="rectification_items_late")
    assessment.compute_scores(acting_user=office, scheme=scheme)
    row = scheme.scores.first()
    with pytest.raises(ValidationError, match="由统计指标计算"):
        assessment.enter_score(acting_user=office, score=row, expected_version=row.version, value=1, note="改")


def test_two_offices_entering_one_score_at_once_cannot_both_win(users):
    office = users["office"]
    scheme = _scheme(office)
    manual = assessment.add_indicator(acting_user=office, scheme=scheme, name="领导机制", points=5, rule=A.MANUAL)
    assessment.compute_scores(acting_user=office, scheme=scheme)
    row = AssessmentScore.objects.get(indicator=manual, unit=unit("教育局"))
    version = row.version
    assessment.enter_score(acting_user=office, score=fresh(row), expected_version=version, score_value="4", note="甲")
    with pytest.raises(ValidationError, match="在您编辑期间已被他人修改"):
        assessment.enter_score(acting_user=users["admin"], score=fresh(row), expected_version=version,
                               score_value="2", note="乙")
    assert fresh(row).score == Decimal("4.00")


def test_townships_are_scored_by_area_metrics(users):
    office = users["office"]
    scheme = _scheme(office, AssessmentScheme.TOWNSHIPS, year=days(0).year)
    assessment.add_indicator(acting_user=office, scheme=scheme, name="走访覆盖率", points=30, rule=A.PROPORTIONAL,
                             target=100, metric="visit_coverage")
    assessment.compute_scores(acting_user=office, scheme=scheme)
    row = AssessmentScore.objects.get(scheme=scheme, township_id=TOWNSHIP)
    coverage = compute("visit_coverage", TOWNSHIP, parse_period(str(days(0).year)))
    assert row.value == Decimal(str(coverage)).quantize(Decimal("0.01"))
    assert row.score == (Decimal(30) * min(Decimal(str(coverage)) / 100, Decimal(1))).quantize(Decimal("0.01"))
    _indicators, rows = assessment.ranking(scheme)
    assert len(rows) == 9 and rows[0].subject.name.endswith("镇")  # the small demo's nine townships


def test_ties_share_a_rank(users):
    office = users["office"]
    scheme = _scheme(office)
    manual = assessment.add_indicator(acting_user=office, scheme=scheme, name="领导机制", points=5, rule=A.MANUAL)
    assessment.compute_scores(acting_user=office, scheme=scheme)
    for suffix, points in (("教育局", "5"), ("公安局", "5"), ("财政局", "3")):
        row = AssessmentScore.objects.get(indicator=manual, unit=unit(suffix))
        assessment.enter_score(acting_user=office, score=row, expected_version=row.version, score_value=points,
                               note="查阅文件")
    _indicators, rows = assessment.ranking(scheme)
    ranks = {row.subject.name: row.rank for row in rows}
    assert ranks["示范市教育局"] == ranks["示范市公安局"] == 1 and ranks["示范市财政局"] == 3


def test_the_exports_carry_the_ranking(users):
    from docx import Document
    from openpyxl import load_workbook

    office = users["office"]
    scheme = demo_scheme(AssessmentScheme.UNITS)
    indicators, rows = assessment.ranking(scheme)  # the demo's: last year's, every score given
    book = load_workbook(io.BytesIO(documents.export_assessment(acting_user=office, scheme=scheme, fmt="xlsx",
                                                                day=days(0))))
    sheet = book["考核得分"]
    assert sheet["A1"].value == scheme.title
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["排名", "成员单位", "领导机制（5分）"] and header[-2] == "合计（满分100分）"
    first = [c.value for c in sheet[3]]
    assert first[0] == 1 and first[1] == rows[0].subject.name and first[-2] == float(rows[0].total)
    assert sheet.max_row == 2 + len(rows)
    doc = Document(io.BytesIO(documents.export_assessment(acting_user=office, scheme=scheme, fmt="docx",
                                                          day=days(0))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"关于{scheme.year}年度成员单位关爱服务工作考核结果的通报" in text
    assert "示范市关爱服务工作领导小组办公室" in text
    table = [[cell.text for cell in row.cells] for row in doc.tables[0].rows]
    assert table[0] == ["排名", "成员单位", "得分"]
    assert table[1][1] == rows[0].subject.name and len(table) == len(rows) + 1


def test_the_demo_assessment_of_last_year_ranks_every_unit_and_township(db):
    schemes = AssessmentScheme.objects.filter(area_id=CITY, year=clock.today().year - 1)
    assert {s.subject for s in schemes} == {AssessmentScheme.UNITS, AssessmentScheme.TOWNSHIPS}
    for scheme in schemes:
        _indicators, rows = assessment.ranking(scheme)
        assert rows and all(row.missing == 0 for row in rows)
        assert sum(i.points for i in scheme.indicators.all()) == scheme.total_points
        assert len({row.total for row in rows}) > 1  # the scores differ


# --- the rectification metrics -----------------------------------------------------------------

def test_rectification_metrics_due_on_time_late_rate_and_overdue(users):
    office = users["office"]
    year = parse_period(str(days(-10).year))
    names = ("rectification_items_due", "rectification_items_done_on_time", "rectification_items_overdue")
    before = {name: compute(name, TOWNSHIP, year) for name in names}
    r = make_round(office, started=-40)
    on_time = make_item(office, r, deadline=-10, responsible_area_code=TOWNSHIP)
    late = make_item(office, r, deadline=-10, responsible_area_code=TOWNSHIP)
    make_item(office, r, deadline=-1, responsible_area_code=TOWNSHIP)  # still open: overdue
    make_item(office, r, deadline=0, responsible_area_code=TOWNSHIP)  # due today: not late yet
    for item, done_on in ((on_time, -11), (late, -2)):
        supervision.report_progress(acting_user=office, item=item, expected_version=item.version,
                                    status=RectificationItem.DONE, progress_note="已整改", completed_on=days(done_on))
    after = {name: compute(name, TOWNSHIP, year) for name in names}
    same_year = int(days(-1).year == days(-10).year)
    assert after["rectification_items_due"] - before["rectification_items_due"] == 2 + same_year
    assert after["rectification_items_done_on_time"] - before["rectification_items_done_on_time"] == 1
    assert compute("rectification_items_late", TOWNSHIP, year) == (
        after["rectification_items_due"] - after["rectification_items_done_on_time"])
    assert compute("rectification_on_time_rate", TOWNSHIP, year) == round(
        100 * after["rectification_items_done_on_time"] / after["rectification_items_due"], 1)
    this_year = parse_period(str(days(0).year))
    assert compute("rectification_items_overdue", TOWNSHIP, this_year) == RectificationItem.objects.filter(
        RectificationItem.overdue_q(days(0)), area__gte=TOWNSHIP, area__lt="990101002000").count()
    # A unit's figures count its own items only; a bad unit id counts nothing.
    assert compute("rectification_items_due", CITY, year, unit="abc") == 0


def test_overdue_on_an_earlier_day_counts_items_put_right_after_it(users):
    office = users["office"]
    r = make_round(office, started=-60)
    item = make_item(office, r, deadline=-40, responsible_area_code=TOWNSHIP)
    supervision.report_progress(acting_user=office, item=item, expected_version=item.version,
                                status=RectificationItem.DONE, progress_note="已整改", completed_on=days(-5))
    item = fresh(item)
    overdue_then = RectificationItem.objects.filter(RectificationItem.overdue_q(days(-20)), pk=item.pk)
    overdue_now = RectificationItem.objects.filter(RectificationItem.overdue_q(days(0)), pk=item.pk)
    assert item.display_status(days(-20)) == RectificationItem.OVERDUE and overdue_then.exists()
    assert item.display_status(days(0)) == RectificationItem.DONE and not overdue_now.exists()


def test_both_documents_open_in_libreoffice(users, tmp_path):
    import subprocess

    office = users["office"]
    scheme = demo_scheme(AssessmentScheme.TOWNSHIPS)
    supervision_round = RectificationItem.objects.filter(area_id=TOWNSHIP).first().round
    (tmp_path / "notice.docx").write_bytes(documents.export_assessment(acting_user=office, scheme=scheme, fmt="docx",
                                                                       day=days(0)))
    (tmp_path / "report.docx").write_bytes(documents.export_rectification_report(
        acting_user=office, supervision_round=supervision_round, day=days(0)))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "notice.docx"), str(tmp_path / "report.docx")],
                   check=True, capture_output=True, timeout=180)
    for name, words in (("notice", "考核结果的通报"), ("report", "整改情况的报告")):
        text = subprocess.run(["pdftotext", str(tmp_path / f"{name}.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout.replace("\n", "").replace(" ", "")
        assert words in text and "示范市关爱服务工作领导小组办公室" in text


def test_a_metric_gone_since_the_scheme_was_written_is_named_not_a_crash(users, client_for):
    office = users["office"]
    scheme = _scheme(office)
    indicator = assessment.add_indicator(acting_user=office, scheme=scheme, name="整改落实", points=30,
                                         rule=A.DEDUCTION, target=0, deduct_per=10, higher_is_better=False,
                                         metric="rectification_items_late")
    AssessmentIndicator.objects.filter(pk=indicator.pk).update(metric="renamed_metric")
    with pytest.raises(ValidationError, match="“整改落实”的数据来源“renamed_metric”已不存在"):
        assessment.compute_scores(acting_user=office, scheme=scheme)
    assert not scheme.scores.exists()  # nothing half-written
    response = client_for("office").post(f"/coordination/assessment/{scheme.pk}/compute/", follow=True)
    assert response.status_code == 200 and "renamed_metric" in response.content.decode()
