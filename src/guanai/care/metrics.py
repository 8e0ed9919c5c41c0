"""Care's figures: visits, aid, follow-up coverage and activities. Registered with
``stats.metrics`` when the app is ready (CareConfig.ready). Coverage and the due counts
are states "as of" the period's last day, or today when it is not over."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.scoping import area_filter
from guanai.registry.models import Person, PersonCategory
from guanai.stats.metrics import (as_of, by_month, by_period, by_village, compute, count_by, count_by_month,
                                  grouped_by, metric, percent, records_metric, sum_by_month)
from guanai.stats.tallies import keep, keep_by_period, keep_monthly
from guanai.stats.periods import Period

from . import followup
from .models import Activity, AidItem, Pairing, Visit


def _person_in_category(category: str, person_ref: str = "person", household_ref: str | None = "household"):
    """Exists: the referenced person (or a member of the referenced household) has ``category``."""
    match = Q(person=OuterRef(person_ref))
    if household_ref:
        match |= Q(person__household=OuterRef(household_ref))
    return Exists(PersonCategory.objects.filter(match, category=category))


def _visits(area: str, period: Period, category: str | None = None, unit: int | None = None):
    qs = Visit.objects.filter(area_filter("area", area), visit_date__gte=period.start, visit_date__lte=period.end)
    if category:
        qs = qs.filter(_person_in_category(category))
    if unit:  # one of the visitors belongs to member unit ``unit`` (its pk)
        qs = qs.filter(pk__in=Visit.visitors.through.objects.filter(user__unit=unit).values("visit_id"))
    return qs


@metric("visits", "走访慰问", "次", ("category", "unit"))
def visits(area: str, period: Period, category: str | None = None, unit: int | None = None) -> int:
    """Visits dated in the period (to a person, or a household with a person of the category);
    with ``unit``, those a member unit's staff took part in."""
    return _visits(area, period, category, unit).count()


@by_month("visits")
def visits_by_month(area: str, period: Period) -> dict[tuple[str, str], int]:
    return count_by_month(_visits(area, period), "visit_date")


def _persons_of(area: str, category: str | None = None):
    qs = Person.objects.filter(area_filter("area", area))
    if category:
        qs = qs.filter(Exists(PersonCategory.objects.filter(person=OuterRef("pk"), category=category)))
    return qs


def _visited_persons(area: str, period: Period, category: str | None = None):
    # Two correlated EXISTS, each one index probe per person. ``pk IN (visits) OR household IN
    # (visits)`` cannot be a semi-join, and once a city's visits outgrow work_mem PostgreSQL
    # re-ran the subquery for every person: minutes for one figure.
    # A person counts in their own (present) village, whichever village a visit was filed in (one
    # made before they moved), as follow-up's "visited" does: so the figure of an area is the sum of
    # its villages' (a table's rows add up to its total, and each village's is kept, ``by_period``).
    visits_ = Visit.objects.filter(visit_date__gte=period.start, visit_date__lte=period.end)
    return _persons_of(area, category).filter(
        Exists(visits_.filter(person=OuterRef("pk"))) | Exists(visits_.filter(household=OuterRef("household"))))


@metric("persons_visited", "走访对象", "人", ("category",))
def persons_visited(area: str, period: Period, category: str | None = None) -> int:
    """Distinct persons of the area visited in the period, in person or through a visit to their
    (present) household; a visit filed in another village counts too (one made before they moved)."""
    return _visited_persons(area, period, category).count()


@grouped_by("persons_visited")
def persons_visited_by_category(area: str, period: Period) -> dict[str, int]:
    return count_by(_visited_persons(area, period), "categories__category")


@by_village("persons_visited")
def persons_visited_by_village(area: str, period: Period, category: str | None = None) -> dict[str, int]:
    return count_by(_visited_persons(area, period, category), "area_id")


class _MonthNumber(Func):
    """A date column's month as the integer YYYYMM (sorted and compared as a number, not as text)."""
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%Y%%m', %(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=(
            "CAST(EXTRACT(YEAR FROM %(expressions)s) * 100 + EXTRACT(MONTH FROM %(expressions)s) AS INTEGER)"), **extra)


def _visit_marks(area: str):
    """(person, YYYYMM) of every month a person of ``area`` was visited in, in person or through
    their (present) household: the records ``_visited_persons`` tests, by month."""
    persons = _persons_of(area).order_by()
    direct = (persons.filter(visits__isnull=False).annotate(pid=F("pk"), m=_MonthNumber("visits__visit_date"))
              .values_list("pid", "m"))
    household = (persons.filter(household__visits__isnull=False)
                 .annotate(pid=F("pk"), m=_MonthNumber("household__visits__visit_date")).values_list("pid", "m"))
    return direct.union(household)  # UNION: each (person, month) once, in (person, month) order


@by_period("persons_visited")
def persons_visited_by_period(area: str) -> dict[tuple[str, str], int]:
    """{(village, period key): persons visited} for every month, quarter, half and year in which
    persons of ``area`` were visited, in one query: the (person, month) marks, each month's count,
    and of those the persons not visited earlier in the same quarter, half and year, whose sums
    over a quarter's (half's, year's) months are its distinct count. A person counts in their
    present village (``_visited_persons``)."""
    marks_sql, params = _visit_marks(area).query.get_compiler(connection=connection).as_sql()
    # prev, m: YYYYMM, the previous month the person was visited in and this one ("%%": the driver's %)
    new_in = {
        "year": "prev IS NULL OR prev / 100 <> m / 100",
        "half": "prev IS NULL OR prev / 100 <> m / 100 OR (prev %% 100 <= 6) <> (m %% 100 <= 6)",
        "quarter": "prev IS NULL OR prev / 100 <> m / 100 OR (prev %% 100 + 2) / 3 <> (m %% 100 + 2) / 3",
    }
    sums = ", ".join(f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END)" for test in new_in.values())
    person = connection.ops.quote_name(Person._meta.db_table)
    sql = (f"SELECT p.area_id, m, COUNT(*), {sums} FROM (SELECT pid, m, LAG(m) OVER (PARTITION BY pid ORDER BY m) "
           f"AS prev FROM ({marks_sql}) marks) ordered JOIN {person} p ON p.id = ordered.pid GROUP BY p.area_id, m")
    result: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for village, month, n, new_year, new_half, new_quarter in cursor.fetchall():
            year, number = divmod(int(month), 100)
            result[(village, f"{year:04d}-{number:02d}")] = n
            for key, new in ((f"{year:04d}", new_year), (f"{year:04d}S{1 if number <= 6 else 2}", new_half),
                             (f"{year:04d}Q{(number + 2) // 3}", new_quarter)):
                result[(village, key)] = result.get((village, key), 0) + new
    return result


def _due(area: str, period: Period, category: str | None = None):
    return _persons_of(area, category).filter(followup.should_be_visited_q(as_of(period)))


def _visited_in_time(area: str, period: Period, category: str | None = None):
    return _due(area, period, category).filter(followup.covered_q(as_of(period)))


@metric("persons_due_visit", "应走访人数", "人", ("category",))
def persons_due_visit(area: str, period: Period, category: str | None = None) -> int:
    """Persons under a follow-up rule whose first-visit deadline had passed (care.followup)."""
    return _due(area, period, category).count()


@by_village("persons_due_visit")
def persons_due_visit_by_village(area: str, period: Period, category: str | None = None) -> dict[str, int]:
    return count_by(_due(area, period, category), "area_id")


@metric("persons_visited_in_time", "按期走访人数", "人", ("category",))
def persons_visited_in_time(area: str, period: Period, category: str | None = None) -> int:
    """Of the persons due, those visited within the interval their rules allow."""
    return _visited_in_time(area, period, category).count()


@by_village("persons_visited_in_time")
def persons_visited_in_time_by_village(area: str, period: Period, category: str | None = None) -> dict[str, int]:
    return count_by(_visited_in_time(area, period, category), "area_id")


@metric("visit_coverage", "走访覆盖率", "%", ("category",),
        built_from=("persons_visited_in_time", "persons_due_visit"))
def visit_coverage(area: str, period: Period, category: str | None = None) -> float:
    """Visited within the interval / should have been visited, in percent (0 when nobody was due)."""
    return percent(compute("persons_visited_in_time", area, period, category=category),
                    compute("persons_due_visit", area, period, category=category))


@metric("persons_first_visit_pending", "待首访人数", "人", ("category",))
def persons_first_visit_pending(area: str, period: Period, category: str | None = None) -> int:
    """Persons the due list shows as 待首访 at the period's end (or today): newly registered,
    never visited, their first-visit deadline not yet passed."""
    return followup.with_status(_persons_of(area, category), as_of(period), followup.FIRST).count()


@by_village("persons_first_visit_pending")
def persons_first_visit_pending_by_village(area: str, period: Period, category: str | None = None) -> dict:
    return count_by(followup.with_status(_persons_of(area, category), as_of(period), followup.FIRST), "area_id")


@metric("persons_visit_due_soon", "近期待访人数", "人", ("category",))
def persons_visit_due_soon(area: str, period: Period, category: str | None = None) -> int:
    """Persons the due list shows as 近期待访 at the period's end (or today): due within the
    coming days by the rules or by the date planned at their last visit."""
    return followup.with_status(_persons_of(area, category), as_of(period), followup.SOON).count()


@by_village("persons_visit_due_soon")
def persons_visit_due_soon_by_village(area: str, period: Period, category: str | None = None) -> dict:
    return count_by(followup.with_status(_persons_of(area, category), as_of(period), followup.SOON), "area_id")


def _child_code(area: str):
    """(expression: the child-area code of a record's area_id, its length) for a GROUP BY
    over the children of ``area``; None below the township (a village has no children)."""
    child_len = codes.child_prefix_length(area)
    return None if child_len is None else Substr("area_id", 1, child_len)


def visit_coverage_by_child(area: str, period: Period, category: str | None = None) -> dict[str, dict]:
    """For each child area of ``area``: {"due", "covered", "coverage", "visits"} in two grouped
    queries. Each entry equals persons_due_visit, persons_visited_in_time, visit_coverage and
    visits of that child."""
    child = _child_code(area)
    if child is None:
        return {}
    day = as_of(period)
    rows = (_persons_of(area, category).filter(followup.should_be_visited_q(day))
            .annotate(child=child).values("child")
            .annotate(due=Count("pk"), covered=Count("pk", filter=followup.covered_q(day))))
    result = {row["child"].ljust(12, "0"): {"due": row["due"], "covered": row["covered"],
                                            "coverage": percent(row["covered"], row["due"]), "visits": 0}
              for row in rows}
    visit_rows = _visits(area, period, category).order_by().annotate(child=child).values("child").annotate(n=Count("pk"))
    for row in visit_rows:
        entry = result.setdefault(row["child"].ljust(12, "0"), {"due": 0, "covered": 0, "coverage": 0.0})
        entry["visits"] = row["n"]
    return result


@metric("persons_overdue_visit", "逾期未走访", "人", ("category",),
        built_from=("persons_due_visit", "persons_visited_in_time"))
def persons_overdue_visit(area: str, period: Period, category: str | None = None) -> int:
    """Persons due a visit and not visited within their interval, at the period's end (or today):
    followup.overdue_q is "should be visited and not covered", so due minus those visited in time."""
    return (compute("persons_due_visit", area, period, category=category)
            - compute("persons_visited_in_time", area, period, category=category))


def _aid(area: str, period: Period, kind: str, category: str | None = None, unit: int | None = None):
    qs = AidItem.objects.filter(area_filter("area", area), kind=kind, given_on__gte=period.start,
                                given_on__lte=period.end)
    if category:
        qs = qs.filter(_person_in_category(category, "visit__person", "visit__household"))
    if unit:
        qs = qs.filter(visit__in=_visits(area, period, unit=unit).values("pk"))
    return qs


@metric("aid_cash_yuan", "发放慰问金", "元", ("category", "unit"))
def aid_cash_yuan(area: str, period: Period, category: str | None = None, unit: int | None = None) -> Decimal:
    return _aid(area, period, "cash", category, unit).aggregate(n=Sum("value_yuan"))["n"] or Decimal(0)


@by_month("aid_cash_yuan")
def aid_cash_yuan_by_month(area: str, period: Period) -> dict[tuple[str, str], Decimal]:
    return sum_by_month(_aid(area, period, "cash"), "given_on", "value_yuan")


@metric("aid_goods_value_yuan", "发放物资折款", "元", ("kind", "category", "unit"))
def aid_goods_value_yuan(area: str, period: Period, kind: str | None = None, category: str | None = None,
                         unit: int | None = None) -> Decimal:
    """Value of goods handed out at visits; ``kind`` is the item as written (大米, 食用油 ...)."""
    qs = _aid(area, period, "goods", category, unit)
    if kind:
        qs = qs.filter(description=kind)
    return qs.aggregate(n=Sum("value_yuan"))["n"] or Decimal(0)


@by_month("aid_goods_value_yuan")
def aid_goods_value_yuan_by_month(area: str, period: Period) -> dict[tuple[str, str], Decimal]:
    return sum_by_month(_aid(area, period, "goods"), "given_on", "value_yuan")


def _activities(area: str, period: Period, kind: str | None = None, unit: int | None = None):
    qs = Activity.objects.filter(area_filter("area", area), held_on__gte=period.start, held_on__lte=period.end)
    if kind:
        by_label = {str(label): code for code, label in Activity.KIND_CHOICES}
        qs = qs.filter(kind=by_label.get(kind, kind))
    if unit:  # organised by member unit ``unit`` (its pk)
        qs = qs.filter(pk__in=Activity.organisers.through.objects.filter(memberunit_id=unit).values("activity_id"))
    return qs


def _pairings_on(area: str, day, unit: int | None = None):
    qs = Pairing.objects.filter(area_filter("area", area), start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day))
    return qs.filter(helper__unit=unit) if unit else qs


@metric("persons_paired", "结对帮扶对象", "人", ("unit",))
def persons_paired(area: str, period: Period, unit: int | None = None) -> int:
    """Persons in a pairing on the period's last day (or today); with ``unit``, paired with its staff."""
    return _pairings_on(area, as_of(period), unit).values("person_id").distinct().count()


@records_metric("pairings_started", "新增结对帮扶", "对", ("unit",))
def pairings_started(area: str, period: Period, unit: int | None = None):
    qs = Pairing.objects.filter(area_filter("area", area), start_date__gte=period.start, start_date__lte=period.end)
    return qs.filter(helper__unit=unit) if unit else qs


# Activities held in the period (their records: ``_activities``), counted or summed; each with its
# per-village form, so a table of sub-areas asks one grouped query.
_ACTIVITY_PARAMS = ("kind", "unit")
activities = records_metric("activities", "开展活动", "场", _ACTIVITY_PARAMS)(_activities)


@grouped_by("activities")
def activities_by_kind(area: str, period: Period) -> dict[str, int]:
    """Activities of every kind in one query (a dashboard's chart of kinds), keyed by the kind's
    code and by its label, as ``_activities`` accepts either."""
    counts = count_by(_activities(area, period), "kind")
    return {**counts, **{str(label): counts[code] for code, label in Activity.KIND_CHOICES if code in counts}}


activity_participants = records_metric("activity_participants", "活动参与群众", "人次", _ACTIVITY_PARAMS,
                                       total="participants_count")(_activities)
activity_beneficiaries = records_metric("activity_beneficiaries", "活动受益人数", "人", _ACTIVITY_PARAMS,
                                        total="beneficiaries_count")(_activities)
activity_volunteers = records_metric("activity_volunteers", "活动参与志愿者", "人次", _ACTIVITY_PARAMS,
                                     total="volunteers_count")(_activities)
activity_consultations = records_metric("activity_consultations", "活动咨询人数", "人次", _ACTIVITY_PARAMS,
                                        total="consultations_count")(_activities)
activity_funds_yuan = records_metric("activity_funds_yuan", "活动投入资金", "元", _ACTIVITY_PARAMS,
                                     total="funds_yuan")(_activities)


# --- kept per village (stats.tallies) ----------------------------------------------------------------
# The follow-up states read as of the period's end or today (``as_of``); visits and aid add up by month.
for _name in ("persons_due_visit", "persons_visited_in_time", "persons_first_visit_pending", "persons_visit_due_soon"):
    keep(_name)
for _name in ("visits", "aid_cash_yuan", "aid_goods_value_yuan"):
    keep_monthly(_name)
# Distinct persons do not add up over months: kept per village and standard period (month, quarter,
# half, year), all of a village's recomputed when a visit to its persons, or a person, is written.
keep_by_period("persons_visited")
