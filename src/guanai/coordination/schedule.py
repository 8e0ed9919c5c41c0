"""When reports are due, when entry locks, and which reports were on time.

A report form asks every member unit of its conference for a report per period of
its type (quarter by default). The deadline is ``deadline_workdays`` Chinese working
days after the period ends (holidays and make-up working days from the working-day
helper), unless the office set that period's deadline by hand. The deadline is a
whole local day: a report first submitted on or before it, in Asia/Shanghai, is on
time. Entry locks ``lock_workdays`` working days after the period ends, unless the
office reopens it for a report.

A report is *due* once its deadline day is over. ``expected_reports`` lists the due
reports of an area's conferences for a period — the units that belonged to their
conference on the report period's last day, so a unit that left is on neither side
of a rate — with what each unit submitted. The metric functions (coordination.metrics),
the late list, the home cards and the report list all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from guanai.core.workdays import add_workdays, workdays_between
from guanai.stats.periods import Period, PeriodError, parse_period, period_containing, periods_ending_in

from .models import DeadlineOverride, MemberUnit, ReportForm, UnitReport


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in Asia/Shanghai."""
    return timezone.make_aware(datetime.combine(day, time.min))


def submitted_on_time(submitted_at: datetime | None, due_on: date) -> bool:
    """Submitted before the day after the deadline began, local time: 23:59:59 on the
    deadline day is on time, 00:00:00 the next day is not."""
    return submitted_at is not None and submitted_at < day_start(due_on + timedelta(days=1))


def deadline(form: ReportForm, period: Period, overrides: dict | None = None) -> date:
    """The last day to submit ``form`` for ``period``: the office's date for that period,
    else ``deadline_workdays`` working days after the period ends."""
    if overrides is None:
        overrides = dict(DeadlineOverride.objects.filter(form=form, period_key=period.key)
                         .values_list("period_key", "due_on"))
    if period.key in overrides:
        return overrides[period.key]
    return add_workdays(period.end, form.deadline_workdays)


def lock_day(form: ReportForm, period: Period) -> date | None:
    """The last day entry is open, or None when the form never locks."""
    if not form.lock_workdays:
        return None
    return add_workdays(period.end, form.lock_workdays)


def entry_closed_reason(form: ReportForm, period: Period, report: UnitReport | None, today: date) -> str:
    """Why a unit may not enter or change its report today ("" when it may)."""
    if today < period.start:
        return f"{period.label}尚未开始，暂不能填报"
    last = lock_day(form, period)
    if last is not None and today > last:
        if report is not None and report.entry_open_until and today <= report.entry_open_until:
            return ""
        return (f"{period.label}已过填报期限（{last.month}月{last.day}日后锁定），如需补报或修改，"
                "请联系联席会议办公室重新开放填报")
    return ""


def first_period(form: ReportForm) -> Period | None:
    try:
        return parse_period(form.first_period) if form.first_period else None
    except PeriodError:
        return None


def report_periods(form: ReportForm, period: Period) -> list[Period]:
    """The periods of the form's type that end within ``period``, from its first period on."""
    first = first_period(form)
    return [p for p in periods_ending_in(form.period_type, period) if first is None or p.end >= first.end]


def recent_periods(form: ReportForm, today: date, count: int = 4) -> list[Period]:
    """The running period of the form's type and up to ``count`` before it, newest first,
    from the form's first period on: what a unit's list of reports shows."""
    first = first_period(form)
    found = []
    current = period_containing(form.period_type, today)
    for _ in range(count + 1):
        if first is not None and current.end < first.end:
            break
        found.append(current)
        current = period_containing(form.period_type, current.start - timedelta(days=1))
    return found


@dataclass
class Expected:
    """One report a unit owes: the form, the unit, the report period, its deadline and what came in."""

    form: ReportForm
    unit: MemberUnit
    period: Period
    due_on: date
    report: UnitReport | None

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def on_time(self) -> bool:
        return self.report is not None and submitted_on_time(self.report.first_submitted_at, self.due_on)

    @property
    def approved(self) -> bool:
        return self.report is not None and self.report.status == UnitReport.APPROVED

    def workdays_late(self, today: date) -> int:
        """Working days between the deadline and the first submission (or today, when none came)."""
        if self.on_time:
            return 0
        until = timezone.localtime(self.report.first_submitted_at).date() if self.submitted else today
        return workdays_between(self.due_on, until)

    @property
    def lateness_label(self) -> str:
        return "逾期报送" if self.submitted else "未报送"


def forms_in(area_code: str):
    """The active report forms of the conferences in the subtree of ``area_code``."""
    from guanai.areas.scoping import in_area

    return in_area(ReportForm.objects.filter(active=True), area_code).select_related("conference", "conference__area")


def expected_reports(area_code: str, period: Period, *, today: date | None = None,
                     due_only: bool = True) -> list[Expected]:
    """The reports the member units of the area's conferences owe for report periods ending in
    ``period``: those whose deadline day is over (``due_only``), or all of them."""
    today = today or timezone.localdate()
    forms = list(forms_in(area_code))
    if not forms:
        return []
    overrides = {(form_id, key): day for form_id, key, day in DeadlineOverride.objects.filter(
        form__in=forms).values_list("form_id", "period_key", "due_on")}
    wanted: list[tuple[ReportForm, Period, date]] = []
    for form in forms:
        for p in report_periods(form, period):
            due_on = overrides.get((form.pk, p.key)) or deadline(form, p, {})
            if not due_only or due_on < today:
                wanted.append((form, p, due_on))
    if not wanted:
        return []
    conference_ids = {form.conference_id for form, _p, _d in wanted}
    units: dict[int, list[MemberUnit]] = {}
    for unit in MemberUnit.objects.filter(conference_id__in=conference_ids).order_by("-is_lead", "position", "name"):
        units.setdefault(unit.conference_id, []).append(unit)
    reports = {(r.form_id, r.unit_id, r.period_key): r for r in UnitReport.objects.filter(
        form__in=[f for f, _p, _d in wanted], period_key__in={p.key for _f, p, _d in wanted}).only(
        "pk", "form_id", "unit_id", "period_key", "status", "first_submitted_at", "submitted_at")}
    result = []
    for form, p, due_on in wanted:
        for unit in units.get(form.conference_id, []):
            if unit.member_on(p.end):
                result.append(Expected(form, unit, p, due_on, reports.get((form.pk, unit.pk, p.key))))
    return result


def latest_due_period(area_code: str, *, today: date | None = None) -> Period | None:
    """The latest report period of the area's forms whose deadline is over: the one the
    office's home and the report list open on."""
    today = today or timezone.localdate()
    best = None
    for form in forms_in(area_code):
        running = period_containing(form.period_type, today)
        candidate = period_containing(form.period_type, running.start - timedelta(days=1))
        for _ in range(3):  # the deadline of the period before the running one may not be over yet
            if deadline(form, candidate) < today:
                break
            candidate = period_containing(form.period_type, candidate.start - timedelta(days=1))
        first = first_period(form)
        if first is not None and candidate.end < first.end:
            continue
        if best is None or candidate.end > best.end:
            best = candidate
    return best
