"""Follow-up rules (回访): how long a person may go without a visit, and who is due.

The rules are configuration, ``settings.GUANAI_FOLLOWUP_RULES`` over the defaults
below: a first visit within N working days of registration, a maximum interval
by category and by current risk level. An interval is ``{"days": n}`` (calendar
days) or ``{"workdays": n}`` (Chinese working days, holidays and 调休 included).
When several rules apply to a person, the strictest wins.

Everything here is expressed as SQL conditions on persons (``Exists`` on visits,
categories and assessments), so a count over a county is one query, and the due
list, the coverage page, the home cards and the metrics share one definition:

  should have been visited on D   on file on D, under some rule, and registered
                                  long enough ago that the first-visit deadline passed
  covered on D                    for every rule that applies, a visit within its interval
  overdue on T                    should have been visited and not covered
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, CharField, DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from guanai.core.workdays import add_workdays, earliest_start
from guanai.registry.models import Person, PersonCategory

from .models import Visit

DEFAULT_FOLLOWUP_RULES = {
    # First visit within 5 working days of registration.
    "first_visit": {"workdays": 5},
    # Monthly for left-behind children and children in difficulty, and for elderly
    # people in special difficulty (living alone, lost their only child, unable to care for themselves).
    "categories": {
        "left_behind_child": {"days": 30},
        "child_in_difficulty": {"days": 30},
        "solitary_elder": {"days": 30},
        "lost_only_child": {"days": 30},
        "disabled_elder": {"days": 30},
    },
    # Weekly for high risk.
    "risk": {"red": {"days": 7}},
    # "Due soon" on the worker's list: within this many days.
    "due_soon_days": 7,
}

OVERDUE, FIRST, SOON = "overdue", "first", "soon"
STATUS_LABELS = {OVERDUE: "逾期未访", FIRST: "待首访", SOON: "近期待访"}


def rules() -> dict:
    configured = getattr(settings, "GUANAI_FOLLOWUP_RULES", None) or {}
    return {**DEFAULT_FOLLOWUP_RULES, **configured}


def deadline(last: date, spec: dict) -> date:
    """The latest date of the next visit after one on ``last`` (the calendar's last day for a
    visit stored at its very end)."""
    try:
        if "workdays" in spec:
            return add_workdays(last, int(spec["workdays"]))
        return last + timedelta(days=int(spec["days"]))
    except OverflowError:
        return date.max


def window_start(day: date, spec: dict) -> date:
    """The earliest visit date that keeps the interval open on ``day``."""
    if "workdays" in spec:
        return earliest_start(day, int(spec["workdays"]))
    return day - timedelta(days=int(spec["days"]))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- SQL conditions on Person ------------------------------------------------------

def _has_category(categories) -> Exists:
    return Exists(PersonCategory.objects.filter(person=OuterRef("pk"), category__in=list(categories)))


def _has_risk(levels) -> Q:
    return Q(current_risk__in=list(levels))


def visited_between(start: date | None, end: date) -> Exists:
    """A visit to the person, or to their household, dated in [start, end]."""
    visits = Visit.objects.filter(Q(person=OuterRef("pk")) | Q(household=OuterRef("household")), visit_date__lte=end)
    if start is not None:
        visits = visits.filter(visit_date__gte=start)
    return Exists(visits)


def _rule_groups(day: date) -> list[tuple[date, Q]]:
    """(window start on ``day``, condition "a rule with that window applies") per distinct window."""
    cfg = rules()
    by_start: dict[date, tuple[set, set]] = {}
    for category, spec in cfg["categories"].items():
        by_start.setdefault(window_start(day, spec), (set(), set()))[0].add(category)
    for level, spec in cfg["risk"].items():
        by_start.setdefault(window_start(day, spec), (set(), set()))[1].add(level)
    groups = []
    for start, (categories, levels) in sorted(by_start.items()):
        condition = Q()
        if categories:
            condition |= Q(_has_category(categories))
        if levels:
            condition |= _has_risk(levels)
        groups.append((start, condition))
    return groups


def tracked_q() -> Q:
    """Persons some rule applies to."""
    cfg = rules()
    condition = Q(pk__in=[])
    if cfg["categories"]:
        condition |= Q(_has_category(cfg["categories"]))
    if cfg["risk"]:
        condition |= _has_risk(cfg["risk"])
    return condition


def on_file_q(day: date) -> Q:
    return Q(created_at__lt=_start_of(day + timedelta(days=1))) & (
        Q(status=Person.ACTIVE) | Q(exit_date__gt=day))


def first_deadline_passed_q(day: date) -> Q:
    """Registered so long before ``day`` that the first-visit deadline is over."""
    first = rules()["first_visit"]
    return Q(created_at__lt=_start_of(window_start(day, first)))


def covered_q(day: date) -> Q:
    condition = Q()
    for start, applies in _rule_groups(day):
        condition &= ~applies | Q(visited_between(start, day))
    return condition


def should_be_visited_q(day: date) -> Q:
    return on_file_q(day) & tracked_q() & first_deadline_passed_q(day)


def overdue_q(day: date) -> Q:
    return should_be_visited_q(day) & ~covered_q(day)


def first_pending_q(day: date) -> Q:
    return on_file_q(day) & tracked_q() & ~first_deadline_passed_q(day) & ~Q(visited_between(None, day))


# --- the due list ---------------------------------------------------------------------

def _latest_visits(today: date) -> QuerySet:
    return Visit.objects.filter(Q(person=OuterRef("pk")) | Q(household=OuterRef("household")),
                                visit_date__lte=today).order_by("-visit_date", "-pk")


def _with_last_visit(persons: QuerySet, today: date) -> QuerySet:
    latest = _latest_visits(today)
    return persons.annotate(
        last_visit=Subquery(latest.values("visit_date")[:1], output_field=DateField()),
        planned_next=Subquery(latest.values("next_visit_on")[:1], output_field=DateField()),
    )


def annotate_status(persons: QuerySet, today: date, known: str | None = None) -> QuerySet:
    """Persons with ``followup_status`` (overdue/first/soon/None), ``last_visit`` and
    ``planned_next`` annotated."""
    persons = _with_last_visit(persons, today)
    if known is not None:  # the caller filtered on the status already
        return persons.annotate(followup_status=Value(known, output_field=CharField()))
    # The When()s are tried in order, so "soon" needs no "not overdue, not first" here.
    return persons.annotate(followup_status=Case(
        When(overdue_q(today), then=Value(OVERDUE)),
        When(first_pending_q(today), then=Value(FIRST)),
        When(on_file_q(today) & tracked_q() & _soon_q(today, "planned_next"), then=Value(SOON)),
        default=Value(None), output_field=CharField(),
    ))


def due_persons(persons: QuerySet, today: date, status: str | None = None, *, by_urgency: bool = True) -> QuerySet:
    """The worker's list. By urgency: overdue first, then first visits, then due soon,
    longest unvisited first (for a village or township). Otherwise by area and name,
    which an index serves, for the long lists of a county or a city.

    Every condition is a handful of correlated subqueries per person: each is stated once. The
    list of every status is "overdue, or first, or due soon" without soon's own "neither overdue
    nor first" (implied once the other two are tried first), and its order reads one rank
    (overdue 0, first 1, soon 2) whose status is derived from it: the rank nested in a status
    nested in the order had each person's conditions planned and run three times over (a
    township's list: 54 subplans, 31 ms planning and 49,000 buffers for 1,000 persons)."""
    # Filter on the conditions themselves, before annotating, so the database can stop early.
    persons = _with_next_planned(persons, today)
    if status:
        annotated = annotate_status(persons.filter(_status_conditions(today)[status]), today, known=status)
        order = ("last_visit",)
    else:
        overdue, first = overdue_q(today), first_pending_q(today)
        persons = persons.filter(overdue | first | (on_file_q(today) & tracked_q() & _soon_q(today, "next_planned")))
        annotated = _with_last_visit(persons, today).annotate(followup_rank=Case(
            When(overdue, then=Value(0)), When(first, then=Value(1)), default=Value(2)))
        annotated = annotated.annotate(followup_status=Case(
            When(followup_rank=0, then=Value(OVERDUE)), When(followup_rank=1, then=Value(FIRST)),
            default=Value(SOON), output_field=CharField()))
        order = ("followup_rank", "last_visit")
    if not by_urgency:
        return annotated.order_by("area_id", "name", "pk")
    return annotated.order_by(*order, "area_id", "name", "pk")


def with_status(persons: QuerySet, today: date, status: str) -> QuerySet:
    """Those of ``persons`` the due list shows under ``status`` on ``today``."""
    return _with_next_planned(persons, today).filter(_status_conditions(today)[status])


def status_counts(persons: QuerySet, today: date) -> dict[str, int]:
    """How many of ``persons`` the due list shows under each status (the same conditions)."""
    return {status: with_status(persons, today, status).count() for status in STATUS_LABELS}


def area_status_counts(area: str | None, category: str | None = None) -> dict[str, int]:
    """How many persons of ``area`` (None: every top area, the admin's) the due list shows under
    each status today, asked of the metrics (care.metrics: the same conditions as
    ``status_counts``) as every page asks today's figures (``stats.tallies.current_figure``): a
    township's or larger area's read from its kept tallies when fresh, a village's counted."""
    from guanai.stats.metrics import memoized
    from guanai.stats.tallies import current_figure

    params = {"category": category} if category else {}
    names = ((OVERDUE, "persons_overdue_visit"), (FIRST, "persons_first_visit_pending"),
             (SOON, "persons_visit_due_soon"))
    with memoized():
        return {status: current_figure(name, area, **params) for status, name in names}


def _soon_q(today: date, planned_field: str) -> Q:
    """Due within the coming days: the rules' deadline, or the date planned at the last visit
    (``planned_field``, an annotation of the latest visit's next_visit_on)."""
    horizon = today + timedelta(days=int(rules()["due_soon_days"]))
    return (should_be_visited_q(horizon) & ~covered_q(horizon)) | Q(**{f"{planned_field}__lte": horizon})


def _status_conditions(today: date) -> dict[str, Q]:
    """The due list's statuses, mutually exclusive; SOON reads the ``next_planned`` alias.

    SOON is "on file under a rule, neither overdue nor first, and due within the coming days".
    For a person on file under a rule, "neither overdue nor first" is "covered, or visited while
    the first deadline runs" (covered implies visited: some rule applies), which asks a third
    fewer subqueries than negating both (the nightly refresh counts it over a province)."""
    overdue, first = overdue_q(today), first_pending_q(today)
    neither = (~first_deadline_passed_q(today) & Q(visited_between(None, today))) | covered_q(today)
    return {OVERDUE: overdue, FIRST: first,
            SOON: on_file_q(today) & tracked_q() & neither & _soon_q(today, "next_planned")}


def _with_next_planned(persons: QuerySet, today: date) -> QuerySet:
    return persons.alias(next_planned=Subquery(_latest_visits(today).values("next_visit_on")[:1],
                                               output_field=DateField()))


# --- one person, in Python (forms, the rows of a page) -------------------------------

def specs_for(categories, risk_level: str | None) -> list[dict]:
    cfg = rules()
    specs = [cfg["categories"][c] for c in categories if c in cfg["categories"]]
    if risk_level and risk_level in cfg["risk"]:
        specs.append(cfg["risk"][risk_level])
    return specs


def suggest_next_visit(categories, risk_level: str | None, visit_date: date) -> date | None:
    """The next visit date the rules require after a visit on ``visit_date``."""
    specs = specs_for(categories, risk_level)
    return min(deadline(visit_date, spec) for spec in specs) if specs else None


def due_date(person, categories, today: date) -> date | None:
    """When ``person`` (annotated by ``annotate_status``) must next be visited."""
    last = getattr(person, "last_visit", None)
    if last is None:
        registered = timezone.localtime(person.created_at).date()
        return deadline(registered, rules()["first_visit"])
    due = suggest_next_visit(categories, person.current_risk, last)
    planned = getattr(person, "planned_next", None)
    if planned and (due is None or planned < due):
        due = planned
    return due
