"""Projects (项目): a plan with target lines, progress reported over time, how far each
project is against its schedule, and the sentences summaries say about them.

Figures are cumulative as of a day: a line's state is its latest progress reported on or
before that day. The metrics (oversight_metrics) read them through ``line_states``, so a
page, an export and a briefing say the same.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.scoping import area_filter, may_see_area, scope_queryset, serves_user_area, user_role
from guanai.audit.services import audited
from guanai.stats.metrics import compute, memoized
from guanai.stats.periods import Period
from guanai.textproc.progress import investment_sentence, progress_sentence

from guanai.textproc.numbers import trim_decimal
from .models import MEASURES, MONEY_MEASURE, MemberUnit, Project, ProjectLine, ProjectLineProgress, ProjectUpdate
from .oversight_services import (CREATE, UPDATE, audit, claim_version, conference_area, date_span, number,
                                 require_office, snapshot, today)

PROJECT_FIELDS = ["name", "area_id", "responsible_unit_id", "planned_start", "planned_end", "description"]
MEASURE_WORDS = [code for code, _label in MEASURES]
# Measure words in metric names: project_started_hu is in 户 (万元 has its own metrics).
MEASURE_CODES = {"户": "hu", "间": "jian", "公里": "km", "亩": "mu", "座": "zuo", "人": "ren"}
# A project is behind when its finished share trails the share of its planned time that
# has passed by more than this (or when its planned end has passed and it is not finished).
BEHIND_TOLERANCE = Decimal("0.10")
PROJECT_LEVELS = (codes.CITY, codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE)


def projects_for(user) -> QuerySet:
    return scope_queryset(Project.objects.all(), user)


# --- writing ------------------------------------------------------------------------------

def _lines_from(rows: list[dict]) -> list[ProjectLine]:
    """Target lines from form rows {action, subject, measure, planned}; blank rows are skipped."""
    lines, errors = [], {}
    for index, row in enumerate(rows, start=1):
        action = (row.get("action") or "").strip()
        subject = (row.get("subject") or "").strip()
        measure = (row.get("measure") or "").strip()
        planned_text = row.get("planned")
        if not action and not subject and (planned_text is None or not str(planned_text).strip()):
            continue
        label = f"第{index}项目标（{action}{subject}）" if subject else f"第{index}项目标"
        if not subject:
            errors.setdefault("lines", f"{label}：请填写建设内容，如“圈舍”")
            continue
        if measure not in MEASURE_WORDS:
            errors.setdefault("lines", f"{label}：计量单位应为{'、'.join(MEASURE_WORDS)}之一")
            continue
        planned = number(planned_text, field="lines", label=f"{label}的计划数", allow_blank=False, errors=errors)
        if planned is not None and planned == 0:
            errors.setdefault("lines", f"{label}：计划数应大于0")
        if len(action) > 20 or len(subject) > 40:
            errors.setdefault("lines", f"{label}：建设方式不超过20字，建设内容不超过40字")
        lines.append(ProjectLine(order=index, action=action, subject=subject, measure=measure, planned=planned or 0))
    if errors:
        raise ValidationError(errors)
    if not lines:
        raise ValidationError({"lines": "请至少填写一项计划目标（如：改建 圈舍 160 户）"})
    return lines


@audited
@transaction.atomic
def create_project(*, acting_user, name: str, area_code: str, planned_start: date, planned_end: date,
                   lines: list[dict], responsible_unit: MemberUnit | None = None, description: str = "") -> Project:
    require_office(acting_user, "登记项目")
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写项目名称"
    date_span(errors, planned_start, planned_end, fields=("planned_start", "planned_end"),
              labels=("计划开工日期", "计划完工日期"))
    area = None
    try:
        area = conference_area(acting_user, area_code, label="实施区划", levels=PROJECT_LEVELS)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if responsible_unit is not None:
        if not serves_user_area(acting_user, responsible_unit.area_id):
            errors["responsible_unit"] = f"责任单位“{responsible_unit.name}”不在您的管辖范围内"
        elif area is not None and not codes.is_within(area.code, responsible_unit.area_id):
            errors["responsible_unit"] = f"责任单位“{responsible_unit.name}”不是“{area.name}”所在地的成员单位"
    try:
        targets = _lines_from(lines)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    project = Project.objects.create(name=name.strip(), area=area, responsible_unit=responsible_unit,
                                     planned_start=planned_start, planned_end=planned_end,
                                     description=(description or "").strip(),
                                     created_by=acting_user if acting_user.pk else None)
    for line in targets:
        line.project = project
    ProjectLine.objects.bulk_create(targets)
    after = snapshot(project, PROJECT_FIELDS)
    after["lines"] = "；".join(f"{t.action}{t.subject}{trim_decimal(t.planned)}{t.measure}" for t in targets)
    audit(CREATE, user=acting_user, obj=project, after=after)
    return project


def may_report(user, project: Project) -> bool:
    """The office, staff of the project's area and the responsible unit report progress."""
    role = user_role(user)
    if role in (roles.ADMIN, roles.OFFICE, roles.STAFF):
        return may_see_area(user, project.area_id)
    if role == roles.UNIT:
        return project.responsible_unit_id is not None and project.responsible_unit_id == user.unit_id
    return False


@audited
@transaction.atomic
def report_progress(*, acting_user, project: Project, expected_version, reported_on: date, figures: dict,
                    spent_wan=None, note: str = "") -> ProjectUpdate:
    """Cumulative figures as of ``reported_on``: ``figures`` maps a line's pk to
    {"started": ..., "finished": ...} (text as typed, or numbers); 在建 = started − finished."""
    if not may_report(acting_user, project):
        raise ValidationError("您不能填报此项目的进度")
    errors = {}
    if reported_on is None:
        errors["reported_on"] = "请填写进度日期"
    elif reported_on > today():
        errors["reported_on"] = f"进度日期（{reported_on}）不能晚于今天"
    spent = number(spent_wan, field="spent_wan", label="累计完成投资（万元）", errors=errors)
    rows = []
    for line in project.lines.order_by("order"):
        if line.is_money:
            continue
        given = figures.get(line.pk) or figures.get(str(line.pk)) or {}
        name = f"{line.action}{line.subject}"
        started = number(given.get("started"), field=f"started_{line.pk}", label=f"{name}已开工（{line.measure}）",
                         errors=errors)
        finished = number(given.get("finished"), field=f"finished_{line.pk}",
                          label=f"{name}已完成（{line.measure}）", errors=errors)
        if started is not None and finished is not None and finished > started:
            errors.setdefault(f"finished_{line.pk}", f"{name}已完成（{trim_decimal(finished)}{line.measure}）"
                                                     f"不能多于已开工（{trim_decimal(started)}{line.measure}）")
        for value, key, word in ((started, "started", "已开工"), (finished, "finished", "已完成")):
            if value is not None and value > line.planned:
                errors.setdefault(f"{key}_{line.pk}", f"{name}{word}（{trim_decimal(value)}{line.measure}）超过计划数"
                                                      f"（{trim_decimal(line.planned)}{line.measure}），请核实或先调整计划")
        if started is not None or finished is not None:
            rows.append(ProjectLineProgress(line=line, started=started, finished=finished))
    if not errors and not rows and spent is None:
        errors["reported_on"] = "请至少填写一项进度（已开工、已完成或完成投资）"
    if errors:
        raise ValidationError(errors)
    before = {"version": project.version}
    claim_version(project, expected_version, what="项目")
    update = ProjectUpdate.objects.create(project=project, reported_on=reported_on, spent_wan=spent,
                                          note=(note or "").strip(),
                                          entered_by=acting_user if acting_user.pk else None)
    for row in rows:
        row.update = update
    ProjectLineProgress.objects.bulk_create(rows)
    after = {"version": project.version, "reported_on": str(reported_on),
             "progress": "；".join(f"{r.line.action}{r.line.subject}开工{r.started}完成{r.finished}{r.line.measure}"
                                  for r in rows),
             "spent_wan": None if spent is None else str(spent)}
    audit(UPDATE, user=acting_user, obj=project, before=before, after=after, reason="填报项目进度")
    return update


# --- reading: states as of a day -------------------------------------------------------------

@dataclass
class LineState:
    line: ProjectLine
    started: Decimal | None = None
    finished: Decimal | None = None

    @property
    def planned(self) -> Decimal:
        return self.line.planned

    @property
    def building(self) -> Decimal | None:
        """在建 = started − finished, known when both were reported."""
        if self.started is None or self.finished is None:
            return None
        return self.started - self.finished


@dataclass
class ProjectState:
    project: Project
    lines: list[LineState] = field(default_factory=list)
    spent_wan: Decimal | None = None
    last_reported: date | None = None

    @property
    def physical(self) -> list[LineState]:
        return [state for state in self.lines if not state.line.is_money]

    @property
    def investment_wan(self) -> Decimal:
        return sum((s.line.planned for s in self.lines if s.line.is_money), Decimal(0))

    @property
    def finished_share(self) -> Decimal:
        """The least finished share (0 to 1) among its physical lines that report what is finished
        (rooms are often counted when work starts only); 0 before anything is reported finished."""
        shares = [min(s.finished / s.line.planned, Decimal(1)) for s in self.physical
                  if s.line.planned > 0 and s.finished is not None]
        return min(shares) if shares else Decimal(0)

    @property
    def complete(self) -> bool:
        return bool(self.physical) and self.finished_share >= 1


def project_states(projects, day: date) -> list[ProjectState]:
    """The state of each project on ``day`` in three queries."""
    projects = list(projects)
    states = {p.pk: ProjectState(p) for p in projects}
    lines = list(ProjectLine.objects.filter(project__in=projects).order_by("project_id", "order"))
    line_states = {}
    for line in lines:
        line.project = states[line.project_id].project
        line_states[line.pk] = LineState(line)
        states[line.project_id].lines.append(line_states[line.pk])
    progress = (ProjectLineProgress.objects.filter(line__in=lines, update__reported_on__lte=day)
                .order_by("update__reported_on", "update_id").values_list("line_id", "started", "finished"))
    for line_id, started, finished in progress:  # later reports overwrite earlier ones
        line_states[line_id].started, line_states[line_id].finished = started, finished
    updates = (ProjectUpdate.objects.filter(project__in=projects, reported_on__lte=day)
               .order_by("reported_on", "pk").values_list("project_id", "reported_on", "spent_wan"))
    for project_id, reported_on, spent in updates:
        state = states[project_id]
        state.last_reported = reported_on
        if spent is not None:
            state.spent_wan = spent
    return [states[p.pk] for p in projects]


# Inside ``one_reading()`` the states of an area and period are read once: a summary asks a
# dozen project metrics of the same projects.
_states_memo: ContextVar[dict | None] = ContextVar("project_states_memo", default=None)


@contextmanager
def one_reading():
    if _states_memo.get() is not None:
        yield
        return
    token = _states_memo.set({})
    try:
        yield
    finally:
        _states_memo.reset(token)


def states_in(area: str, period: Period, *, project=None) -> list[ProjectState]:
    """The projects of ``area`` under way in ``period``, as of its end (or today)."""
    memo = _states_memo.get()
    key = (area, period.key, str(project or ""))
    if memo is not None and key in memo:
        return memo[key]
    projects = Project.objects.filter(area_filter("area", area))
    if project not in (None, ""):
        try:
            projects = projects.filter(pk=int(project))
        except (TypeError, ValueError):
            projects = projects.none()
    states = states_of(projects, period)
    if memo is not None:
        memo[key] = states
    return states


def states_of(projects: QuerySet, period: Period) -> list[ProjectState]:
    """Of ``projects``, those under way in ``period`` as of its end (or today): begun by its
    end, and planned to run into it or still unfinished."""
    day = min(period.end, today())
    projects = projects.filter(planned_start__lte=period.end).order_by("planned_start", "pk")
    return [state for state in project_states(projects, day)
            if state.project.planned_end >= period.start or not state.complete]


def schedule(state: ProjectState, day: date) -> dict:
    """How far the project should be on ``day`` by its planned dates, how far it is, and
    whether it is behind (see BEHIND_TOLERANCE)."""
    p = state.project
    span = (p.planned_end - p.planned_start).days
    if day < p.planned_start:
        expected = Decimal(0)
    elif span <= 0 or day >= p.planned_end:
        expected = Decimal(1)
    else:
        expected = Decimal((day - p.planned_start).days) / Decimal(span)
    actual = state.finished_share
    if day > p.planned_end:
        behind = not state.complete
    else:
        behind = day >= p.planned_start and actual + BEHIND_TOLERANCE < expected
    return {"expected": round(expected * 100, 1), "actual": round(actual * 100, 1), "behind": behind}


def behind_schedule(states: list[ProjectState], day: date) -> list[tuple[ProjectState, dict]]:
    return [(state, info) for state in states if (info := schedule(state, day))["behind"]]


# --- sentences -----------------------------------------------------------------------------------

def works(states: list[ProjectState]) -> dict[tuple[str, str], list[str]]:
    """The plan's works (action, subject: 改建 圈舍) across ``states`` with their measure words,
    in the order first planned."""
    found: dict[tuple[str, str], list[str]] = {}
    for state in states:
        for line_state in state.physical:
            line = line_state.line
            measures = found.setdefault((line.action, line.subject), [])
            if line.measure not in measures:
                measures.append(line.measure)
    return found


def summary_sentences(area: str, period: Period, *, project=None) -> list[str]:
    """计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户 — one sentence per work of
    the projects under way in ``area`` (or of one ``project``), then the investment when a plan
    states one. Every figure is asked of the metric functions."""
    sentences = []
    with memoized(), one_reading():
        states = states_in(area, period, project=project)
        for (action, subject), measures in works(states).items():
            def figures(kind):
                return [(compute(f"project_{kind}_{MEASURE_CODES[m]}", area, period, project=project, action=action,
                                 subject=subject), m) for m in measures]

            sentences.append(progress_sentence(action, subject, planned=figures("planned"),
                                               started=figures("started"), finished=figures("finished"),
                                               building=figures("building")))
        planned = compute("project_investment_wan", area, period, project=project)
        if planned:
            reported = any(state.spent_wan is not None for state in states)
            spent = compute("project_spent_wan", area, period, project=project) if reported else None
            sentences.append(investment_sentence(planned, spent))
    return sentences


def chart_series(project: Project) -> dict:
    """Per physical line, the cumulative started/finished at each reported date: the numbers
    behind the progress chart, and the table printed under it."""
    dates, series = [], defaultdict(dict)
    updates = (ProjectLineProgress.objects.filter(update__project=project)
               .select_related("update", "line").order_by("update__reported_on", "update_id"))
    for row in updates:
        day = row.update.reported_on.isoformat()
        if day not in dates:
            dates.append(day)
        series[row.line_id][day] = (row.started, row.finished)
    lines = []
    for line in project.lines.order_by("order"):
        if line.is_money:
            continue
        points, last = [], (None, None)
        for day in dates:
            last = series[line.pk].get(day, last)
            points.append({"date": day, "started": _num(last[0]), "finished": _num(last[1])})
        lines.append({"name": f"{line.action}{line.subject}（{line.measure}）", "planned": _num(line.planned),
                      "points": points})
    return {"dates": dates, "lines": lines}


def _num(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
