"""Every transition of a report, with its history and audit trail; conflicts; bad input."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from guanai.audit.models import AuditEvent
from guanai.coordination import workflow
from guanai.coordination.models import ReportEvent, UnitReport
from guanai.stats.metrics import compute

from .conftest import at, filled, submit

pytestmark = pytest.mark.django_db


def _start(form, unit, when="2025-10-09 09:00", period="2025Q3"):
    return workflow.start_report(acting_user=unit.liaison, form=form, unit=unit, period_key=period, at=at(when))


def test_a_new_report_is_a_draft_prefilled_from_the_units_records(report_form, units, county_office):
    from guanai.care.services import create_activity

    create_activity(user=county_office, title="西山县教育局送教下乡", kind="training", held_on=date(2025, 8, 20),
                    area_code="990102001001", organisers=[units[1]])
    create_activity(user=county_office, title="别的单位的活动", kind="training", held_on=date(2025, 8, 21),
                    area_code="990102001001", organisers=[units[0]])
    report = _start(report_form, units[1])
    recorded = compute("activities", units[1].area_id, "2025Q3", unit=units[1].pk)
    assert recorded == 1
    assert report.status == UnitReport.DRAFT
    assert report.values[report_form.activities.key] == "1" == report.recorded[report_form.activities.key]
    event = report.events.get()
    assert event.action == ReportEvent.CREATE and event.user == units[1].liaison
    assert _start(report_form, units[1]).pk == report.pk  # starting again finds the same report


def test_save_keeps_values_and_counts_what_changed(report_form, units):
    report = _start(report_form, units[0])
    values, narrative = filled(report_form)
    report = workflow.save_report(acting_user=units[0].liaison, report=report, version=report.version, values=values,
                                  narrative=narrative, at=at("2025-10-09 10:00"))
    assert report.values[report_form.total.key] == "30" and report.values[report_form.meeting.key] is True
    event = report.events.filter(action=ReportEvent.SAVE).get()
    assert event.changes["儿童总数"] == [None, "30"] and event.changes["主要做法"] == [None, "组织教师开展家访。"]
    assert AuditEvent.objects.filter(object_type="coordination.unitreport", object_id=str(report.pk),
                                     detail__startswith="保存").exists()


def test_bad_values_are_refused_each_naming_its_field(report_form, units):
    report = _start(report_form, units[0])
    values, narrative = filled(report_form, total="三十", girls="-2")
    with pytest.raises(ValidationError) as caught:
        workflow.save_report(acting_user=units[0].liaison, report=report, version=report.version, values=values,
                             narrative=narrative, at=at("2025-10-09 10:00"))
    errors = caught.value.message_dict
    assert "“儿童总数”应填写数字" in errors[f"ind_{report_form.total.pk}"][0]
    assert errors[f"ind_{report_form.girls.pk}"] == ["“其中：女童人数”不能为负数（填写了-2）"]
    report.refresh_from_db()
    assert report.values.get(report_form.total.key) is None  # nothing half-written


def test_a_broken_rule_blocks_the_submission_naming_both_sides(report_form, units):
    report = _start(report_form, units[0])
    values, narrative = filled(report_form, total="30", girls="35", note="")
    report = workflow.save_report(acting_user=units[0].liaison, report=report, version=report.version, values=values,
                                  narrative=narrative, at=at("2025-10-09 10:00"))
    with pytest.raises(ValidationError) as caught:
        workflow.submit_report(acting_user=units[0].liaison, report=report, version=report.version,
                               at=at("2025-10-09 10:05"))
    assert caught.value.messages == ["其中：女童人数(35) 不应大于 儿童总数(30)",
                                     "投入资金（已填）与 资金使用说明（未填）应同时填写或同时不填"]
    report.refresh_from_db()
    assert report.status == UnitReport.DRAFT and report.first_submitted_at is None


def test_required_entries_block_the_submission(report_form, units):
    report = _start(report_form, units[0])
    with pytest.raises(ValidationError) as caught:
        workflow.submit_report(acting_user=units[0].liaison, report=report, version=report.version,
                               at=at("2025-10-09 10:05"))
    assert "“儿童总数”为必填项" in caught.value.messages
    assert "“主要做法”为必填栏目，请填写" in caught.value.messages
    assert not any("存在问题" in m for m in caught.value.messages)  # an optional section


def test_the_whole_cycle_submit_return_resubmit_approve_reopen(report_form, units, county_office):
    unit = units[0]
    report = submit(report_form, unit, "2025Q3", "2025-10-10 10:00")
    assert report.status == UnitReport.SUBMITTED and report.submission_count == 1
    with pytest.raises(ValidationError, match="请填写退回理由"):
        workflow.return_report(acting_user=county_office, report=report, version=report.version, reason="  ",
                               at=at("2025-10-11 09:00"))
    report = workflow.return_report(acting_user=county_office, report=report, version=report.version,
                                    reason="请补充存在问题", at=at("2025-10-11 09:00"))
    assert report.status == UnitReport.RETURNED
    values, narrative = filled(report_form, total="32")
    narrative[report_form.problems.key] = "家访覆盖不够。"
    report = workflow.save_report(acting_user=unit.liaison, report=report, version=report.version, values=values,
                                  narrative=narrative, at=at("2025-10-13 09:00"))
    assert report.changes_since_submission == 2
    report = workflow.submit_report(acting_user=unit.liaison, report=report, version=report.version,
                                    at=at("2025-10-13 10:00"))
    assert report.status == UnitReport.RESUBMITTED and report.submission_count == 2
    assert report.first_submitted_at == at("2025-10-10 10:00")  # timeliness keeps the first submission
    resubmission = report.events.filter(action=ReportEvent.SUBMIT).last()
    assert resubmission.change_count == 2 and resubmission.changes["儿童总数"] == ["30", "32"]
    report = workflow.approve_report(acting_user=county_office, report=report, version=report.version,
                                     at=at("2025-10-14 09:00"))
    assert report.status == UnitReport.APPROVED and report.approved_by == county_office
    with pytest.raises(ValidationError, match="请填写重新打开理由"):
        workflow.reopen_report(acting_user=county_office, report=report, version=report.version, reason="")
    report = workflow.reopen_report(acting_user=county_office, report=report, version=report.version,
                                    reason="儿童总数与教育部门统计不一致", at=at("2025-10-15 09:00"))
    assert report.status == UnitReport.RETURNED and report.approved_at is None
    history = [(e.action, e.from_status, e.to_status, e.reason) for e in report.events.all()]
    assert history == [
        ("create", "", "draft", ""), ("save", "draft", "draft", ""), ("submit", "draft", "submitted", ""),
        ("return", "submitted", "returned", "请补充存在问题"), ("save", "returned", "returned", ""),
        ("submit", "returned", "resubmitted", ""), ("approve", "resubmitted", "approved", ""),
        ("reopen", "approved", "returned", "儿童总数与教育部门统计不一致")]
    assert all(e.user in (unit.liaison, county_office) for e in report.events.all())
    audit = AuditEvent.objects.filter(object_type="coordination.unitreport", object_id=str(report.pk))
    assert audit.filter(detail="退回：请补充存在问题", changes__status=["submitted", "returned"]).exists()


def test_an_approved_report_is_locked(report_form, units, county_office):
    report = submit(report_form, units[0], "2025Q3", "2025-10-10 10:00")
    report = workflow.approve_report(acting_user=county_office, report=report, version=report.version,
                                     at=at("2025-10-11 09:00"))
    values, narrative = filled(report_form, total="99")
    with pytest.raises(ValidationError, match="已审核通过并锁定，不能修改"):
        workflow.save_report(acting_user=units[0].liaison, report=report, version=report.version, values=values,
                             narrative=narrative, at=at("2025-10-12 09:00"))
    with pytest.raises(ValidationError, match="已审核通过，不能再次报送"):
        workflow.submit_report(acting_user=units[0].liaison, report=report, version=report.version,
                               at=at("2025-10-12 09:00"))
    with pytest.raises(ValidationError, match="只能退回待审核的报表"):
        workflow.return_report(acting_user=county_office, report=report, version=report.version, reason="再看看")
    report.refresh_from_db()
    assert report.values[report_form.total.key] == "30" and report.status == UnitReport.APPROVED


def test_two_offices_approving_at_once_cannot_both_win(report_form, units, county_office):
    from guanai.accounts.models import User

    colleague = User.objects.create_user("xs_office2", role="office", area_id=county_office.area_id)
    report = submit(report_form, units[0], "2025Q3", "2025-10-10 10:00")
    seen = report.version  # both offices opened the page at this version
    workflow.approve_report(acting_user=county_office, report=report, version=seen, at=at("2025-10-11 09:00"))
    with pytest.raises(ValidationError, match="已被他人修改或处理"):
        workflow.return_report(acting_user=colleague, report=report, version=seen, reason="数字有误")
    with pytest.raises(ValidationError, match="已被他人修改或处理"):
        workflow.approve_report(acting_user=colleague, report=report, version=seen)
    report.refresh_from_db()
    assert report.status == UnitReport.APPROVED and report.approved_by == county_office
    assert report.events.filter(action=ReportEvent.APPROVE).count() == 1


def test_a_unit_cannot_report_for_another_unit(report_form, units):
    with pytest.raises(ValidationError, match="只能填报本单位（西山县民政局）的报表"):
        workflow.start_report(acting_user=units[0].liaison, form=report_form, unit=units[1], period_key="2025Q3",
                              at=at("2025-10-09 09:00"))
    report = _start(report_form, units[1])
    values, narrative = filled(report_form)
    with pytest.raises(ValidationError, match="只能填报本单位"):
        workflow.save_report(acting_user=units[0].liaison, report=report, version=report.version, values=values,
                             narrative=narrative)


def test_only_the_office_running_the_conference_reviews(report_form, units, users):
    report = submit(report_form, units[0], "2025Q3", "2025-10-10 10:00")
    for name in ("office", "county", "unit"):  # the city office reads its counties' reports, does not approve them
        with pytest.raises(ValidationError, match="只有本级联席会议办公室可以审核"):
            workflow.approve_report(acting_user=users[name], report=report, version=report.version)
    with pytest.raises(ValidationError, match="只有本级联席会议办公室可以审核"):
        workflow.approve_report(acting_user=units[0].liaison, report=report, version=report.version)


def test_entry_of_a_locked_period_is_refused_until_the_office_opens_it(report_form, units, county_office):
    late_day = "2026-03-02 10:00"  # 2025Q4 locks 65 working days after 31 December: early April; 2025Q3 long before
    with pytest.raises(ValidationError, match="2025年第三季度已过填报期限"):
        _start(report_form, units[2], when=late_day)
    report = _start(report_form, units[1])  # begun in time, left as a draft
    values, narrative = filled(report_form)
    with pytest.raises(ValidationError, match="已过填报期限"):
        workflow.save_report(acting_user=units[1].liaison, report=report, version=report.version, values=values,
                             narrative=narrative, at=at(late_day))
    with pytest.raises(ValidationError, match="请填写开放填报理由"):
        workflow.open_entry(acting_user=county_office, form=report_form, unit=units[2], period_key="2025Q3",
                            until=date(2026, 3, 10), reason="", at=at(late_day))
    opened = workflow.open_entry(acting_user=county_office, form=report_form, unit=units[2], period_key="2025Q3",
                                 until=date(2026, 3, 10), reason="单位人员调整，补报", at=at(late_day))
    assert opened.entry_open_until == date(2026, 3, 10) and opened.status == UnitReport.DRAFT
    values, narrative = filled(report_form)
    opened = workflow.save_report(acting_user=units[2].liaison, report=opened, version=opened.version, values=values,
                                  narrative=narrative, at=at("2026-03-03 09:00"))
    opened = workflow.submit_report(acting_user=units[2].liaison, report=opened, version=opened.version,
                                    at=at("2026-03-03 10:00"))
    assert opened.status == UnitReport.SUBMITTED
    assert opened.events.filter(action=ReportEvent.UNLOCK, reason="单位人员调整，补报").exists()
    assert compute("unit_reports_late", "990102000000", "2025Q3") == 3  # still late: it came in March


def test_a_report_for_a_period_of_another_kind_is_refused(report_form, units):
    with pytest.raises(ValidationError, match="是季度报表，不能按月度填报"):
        _start(report_form, units[0], period="2025-09")
    with pytest.raises(ValidationError, match="自2025年第一季度起报送"):
        _start(report_form, units[0], period="2024Q4")


def test_values_far_from_the_units_history_are_flagged_not_refused(report_form, units):
    for quarter, when in (("2025Q1", "2025-04-10 10:00"), ("2025Q2", "2025-07-10 10:00"),
                          ("2025Q3", "2025-10-10 10:00")):
        submit(report_form, units[0], quarter, when, total=str(30 + int(quarter[-1])))
    report = submit(report_form, units[0], "2025Q4", "2026-01-08 10:00", total="300", girls="100")
    assert report.status == UnitReport.SUBMITTED
    # 女童 was 12 every quarter: no spread to judge by, so 100 is not flagged; 儿童总数 (31, 32, 33) is.
    assert set(report.flags) == {report_form.total.key}
    assert report.flags[report_form.total.key]["median"] == "32"
