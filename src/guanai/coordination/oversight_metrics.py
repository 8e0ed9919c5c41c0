"""Metric functions of supervision and projects (registered in ``stats.metrics``), so pages,
assessment schemes, exports and briefings quote the same figures.

Rectification figures take ``unit`` (a MemberUnit pk): a unit's items of the conference's
area. An item counts where it belongs (its responsible area, or its unit's area).
"Due" items have their deadline in the period and before today; on time = completed on or
before the deadline; late = due − on time (done late, or not done).

Project figures are cumulative as of the period's end (or today) over the projects under
way in the period (oversight_projects.states_in), per measure word: project_planned_hu is
in 户, project_started_jian in 间 ... ; ``project`` (pk), ``action`` and ``subject`` narrow
them to a project or a work (改建 圈舍).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F

from guanai.areas.scoping import area_filter
from guanai.stats.metrics import as_of, compute, metric, percent
from guanai.stats.periods import Period

from . import oversight_projects as projects
from .models import MONEY_MEASURE, RectificationItem

# --- rectification ---------------------------------------------------------------------------


def _items(area: str, unit=None):
    items = RectificationItem.objects.filter(area_filter("area", area))
    if unit not in (None, ""):
        try:
            items = items.filter(responsible_unit_id=int(unit))
        except (TypeError, ValueError):
            return items.none()
    return items


def _due(area: str, period: Period, unit=None):
    from django.utils import timezone

    return _items(area, unit).filter(deadline__gte=period.start, deadline__lte=period.end,
                                     deadline__lt=timezone.localdate())


@metric("rectification_items", "督导发现问题整改事项", "项", ("unit",))
def rectification_items(area: str, period: Period, unit=None) -> int:
    """Items listed by the rounds that began in the period."""
    return _items(area, unit).filter(round__started_on__gte=period.start, round__started_on__lte=period.end).count()


@metric("rectification_items_due", "到期整改事项", "项", ("unit",))
def rectification_items_due(area: str, period: Period, unit=None) -> int:
    return _due(area, period, unit).count()


@metric("rectification_items_done_on_time", "按期完成整改事项", "项", ("unit",))
def rectification_items_done_on_time(area: str, period: Period, unit=None) -> int:
    return _due(area, period, unit).filter(status=RectificationItem.DONE, completed_on__lte=F("deadline")).count()


@metric("rectification_items_late", "未按期整改事项", "项", ("unit",),
        built_from=("rectification_items_due", "rectification_items_done_on_time"))
def rectification_items_late(area: str, period: Period, unit=None) -> int:
    return (compute("rectification_items_due", area, period, unit=unit)
            - compute("rectification_items_done_on_time", area, period, unit=unit))


@metric("rectification_on_time_rate", "整改按期完成率", "%", ("unit",),
        built_from=("rectification_items_done_on_time", "rectification_items_due"))
def rectification_on_time_rate(area: str, period: Period, unit=None) -> float:
    """On time / due, in percent (0 when nothing was due, as visit_coverage)."""
    return percent(compute("rectification_items_done_on_time", area, period, unit=unit),
                    compute("rectification_items_due", area, period, unit=unit))


@metric("rectification_items_overdue", "逾期未整改事项", "项", ("unit",))
def rectification_items_overdue(area: str, period: Period, unit=None) -> int:
    """Past the deadline and not put right, at the period's end (or today): what home pages list."""
    return _items(area, unit).filter(RectificationItem.overdue_q(as_of(period))).count()


# --- projects -------------------------------------------------------------------------------------

PROJECT_PARAMS = ("project", "action", "subject")


def _lines(area, period, project=None, action=None, subject=None):
    for state in projects.states_in(area, period, project=project):
        for line_state in state.lines:
            line = line_state.line
            if (action in (None, "") or line.action == action) and (subject in (None, "") or line.subject == subject):
                yield line_state


def _figure(measure: str, attribute: str):
    """The sum of a figure over the matching lines in ``measure``; a line that did not report
    it adds nothing (在建 only where both 开工 and 完成 were reported)."""
    def figure(area: str, period: Period, project=None, action=None, subject=None) -> Decimal:
        values = [getattr(s, attribute) for s in _lines(area, period, project, action, subject)
                  if s.line.measure == measure]
        return sum((v for v in values if v is not None), Decimal(0))

    return figure


for _measure, _code in projects.MEASURE_CODES.items():
    for _attribute, _word in (("planned", "计划数"), ("started", "已开工"), ("finished", "已完成"), ("building", "在建")):
        metric(f"project_{_attribute}_{_code}", f"项目{_word}（{_measure}）", _measure, PROJECT_PARAMS)(
            _figure(_measure, _attribute))


@metric("project_investment_wan", "项目计划投资", "万元", ("project",))
def project_investment_wan(area: str, period: Period, project=None) -> Decimal:
    return _figure(MONEY_MEASURE, "planned")(area, period, project)


@metric("project_spent_wan", "项目完成投资", "万元", ("project",))
def project_spent_wan(area: str, period: Period, project=None) -> Decimal:
    spent = [s.spent_wan for s in projects.states_in(area, period, project=project) if s.spent_wan is not None]
    return sum(spent, Decimal(0))


@metric("projects_under_way", "实施项目", "个")
def projects_under_way(area: str, period: Period) -> int:
    return len(projects.states_in(area, period))


@metric("projects_behind_schedule", "进度滞后项目", "个")
def projects_behind_schedule(area: str, period: Period) -> int:
    return len(projects.behind_schedule(projects.states_in(area, period), as_of(period)))

