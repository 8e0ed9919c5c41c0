"""The registry's figures: persons on file, new, exited, at risk, screening results.
Registered with ``stats.metrics`` when the app is ready (RegistryConfig.ready);
pages, exports and briefings ask them through ``stats.metrics.compute``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_filter
from guanai.stats.metrics import GROUPED, as_of, by_village, count_by, grouped_by, metric, records_metric
from guanai.stats.tallies import keep
from guanai.stats.periods import Period
from guanai.textproc.idcard import born_on_or_before

from . import categories as cat
from .models import Person, ScreeningCampaign, ScreeningReport
from .services import sixteenth_birthday_cutoff


def _day_start(day):
    """The first instant of ``day`` in the current time zone: ``created_at < _day_start(d + 1)``
    is ``created_at__date <= d`` without a per-row date conversion, so it uses the index."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _persons_on_file(area: str, period: Period, category: str | None = None):
    qs = Person.objects.filter(area_filter("area", area),
                               created_at__lt=_day_start(period.end + timedelta(days=1))).filter(
        Q(status=Person.ACTIVE) | Q(exit_date__gt=period.end))
    if category:
        qs = qs.filter(categories__category=category)
    return qs


@metric("persons_registered", "在册人员", "人", ("category",))
def persons_registered(area: str, period: Period, category: str | None = None) -> int:
    """Persons on file at the end of the period (registered by then, not exited by then)."""
    return _persons_on_file(area, period, category).count()


@grouped_by("persons_registered")
def persons_registered_by_category(area: str, period: Period) -> dict[str, int]:
    return count_by(_persons_on_file(area, period), "categories__category")


@by_village("persons_registered", grouped=True)
def persons_registered_by_village(area: str, period: Period, category: str | None = None) -> dict:
    if category == GROUPED:
        return count_by(_persons_on_file(area, period), "area_id", "categories__category")
    return count_by(_persons_on_file(area, period, category), "area_id")


@records_metric("persons_new", "新增建档", "人", ("category",))
def persons_new(area: str, period: Period, category: str | None = None):
    """Persons registered in the period."""
    qs = Person.objects.filter(area_filter("area", area), created_at__gte=_day_start(period.start),
                               created_at__lt=_day_start(period.end + timedelta(days=1)))
    if category:
        qs = qs.filter(categories__category=category)
    return qs


@records_metric("persons_exited", "退出管理", "人", ("category",))
def persons_exited(area: str, period: Period, category: str | None = None):
    qs = Person.objects.filter(area_filter("area", area), status=Person.EXITED,
                               exit_date__gte=period.start, exit_date__lte=period.end)
    if category:
        qs = qs.filter(categories__category=category)
    return qs


def _without_guardianship(area: str, period: Period):
    return _persons_on_file(area, period).filter(child_profile__guardianship_rating__in=cat.WEAK_GUARDIANSHIP)


@metric("children_without_guardianship", "缺乏有效监护的儿童", "人")
def children_without_guardianship(area: str, period: Period) -> int:
    return _without_guardianship(area, period).count()


@by_village("children_without_guardianship")
def children_without_guardianship_by_village(area: str, period: Period) -> dict[str, int]:
    return count_by(_without_guardianship(area, period), "area_id")


def _screening_reports(area: str, period: Period, campaign: int | str | None = None):
    """Village reports of ``area`` to the rounds running in the period (``campaign``: that round's only)."""
    reports = ScreeningReport.objects.filter(
        area_filter("village", area), campaign__start_date__lte=period.end, campaign__end_date__gte=period.start)
    return reports.filter(campaign=int(campaign)) if campaign else reports


@metric("screening_households", "摸底排查户数", "户", ("campaign",))
def screening_households(area: str, period: Period, campaign: int | str | None = None) -> int:
    return _screening_reports(area, period, campaign).aggregate(n=Sum("households_checked"))["n"] or 0


@metric("screening_found", "摸底排查发现", "人", ("category", "campaign"))
def screening_found(area: str, period: Period, category: str | None = None, campaign: int | str | None = None) -> int:
    reports = _screening_reports(area, period, campaign)
    if category:  # summed by the database: a city's reports were decoded one by one per category
        return reports.aggregate(n=Sum(_found(category)))["n"] or 0
    return sum(int(n) for counts in reports.values_list("counts", flat=True) for n in counts.values())


def _found(category: str) -> Cast:
    """A report's count of ``category`` (its key in ``counts``; none: NULL, which sums as nothing)."""
    return Cast(KeyTextTransform(category, "counts"), IntegerField())


def _at_risk(area: str, period: Period, level: str = "red", category: str | None = None):
    return _persons_on_file(area, period, category).filter(current_risk=level)


@metric("persons_at_risk", "风险人员", "人", ("level", "category"))
def persons_at_risk(area: str, period: Period, level: str = "red", category: str | None = None) -> int:
    """Persons on file whose current assessment (as of today) has the given level."""
    return _at_risk(area, period, level, category).count()


@by_village("persons_at_risk", grouped=True)
def persons_at_risk_by_village(area: str, period: Period, level: str = "red", category: str | None = None) -> dict:
    if level == GROUPED:
        return count_by(_persons_on_file(area, period, category), "area_id", "current_risk")
    return count_by(_at_risk(area, period, level, category), "area_id")


def _aging_out(area: str, period: Period, within_days: int = 90):
    cutoff = sixteenth_birthday_cutoff(period.end, within_days)
    return _persons_on_file(area, period, "left_behind_child").filter(birth_date__lte=cutoff)


@metric("children_aging_out", "即将年满16周岁的留守儿童", "人", ("within_days",))
def children_aging_out(area: str, period: Period, within_days: int = 90) -> int:
    """Left-behind children on file who turn 16 within ``within_days`` after the period's end."""
    return _aging_out(area, period, within_days).count()


@by_village("children_aging_out")
def children_aging_out_by_village(area: str, period: Period, within_days: int = 90) -> dict[str, int]:
    return count_by(_aging_out(area, period, within_days), "area_id")


# --- the national aggregate table of children ------------------------------------------------
# The columns of the national information system's statistics table of left-behind children and
# children in difficulty (民发〔2016〕42号): each a condition on a child on file at the period's end
# and their profile (ChildProfile). dashboards.national lays them out and checks that each whole
# equals the sum of its parts, so a gap in the registry (no birth date, no schooling recorded, a
# child with no guardian named but not rated 无人监护) shows before the table goes upward.

AID_WORDS = {"aid_dibao": "低保", "aid_temporary": "临时救助", "aid_medical": "医疗救助", "aid_housing": "住房救助",
             "aid_other": "其他"}


def child_columns(period: Period) -> dict[str, Q]:
    """{column key: condition on Person}; ages are full years (周岁) on the period's last day, or
    today while the period runs: the children are those on file then (``as_of``), and so are
    their ages."""
    day = as_of(period)
    six, fourteen = born_on_or_before(day, 6), born_on_or_before(day, 14)
    profile = "child_profile__"
    columns = {
        "age_0_5": Q(birth_date__gt=six),
        "age_6_13": Q(birth_date__lte=six, birth_date__gt=fourteen),
        "age_14_up": Q(birth_date__lte=fourteen),
        "male": Q(sex="男"),
        "female": Q(sex="女"),
        # The keys of categories.PARENTS_AWAY and ACTUAL_GUARDIANSHIP (a guardian recorded through
        # registry.households writes these answers of the form: one source for the table).
        "both_parents_away": Q(**{f"{profile}both_parents_away": True}),
        "one_parent_away": Q(**{f"{profile}both_parents_away": False, f"{profile}one_parent_incapable": True}),
        # Who actually looks after the child: an entrusted guardian named on the form, or nobody.
        "entrusted": Q(**{f"{profile}isnull": False}) & ~Q(**{f"{profile}guardian_name": ""}),
        "unguarded": Q(**{f"{profile}guardian_name": ""}),
        **{f"rating_{code}": Q(**{f"{profile}guardianship_rating": code}) for code, _l in cat.GUARDIANSHIP_RATING},
        "assessed_good": Q(**{f"{profile}guardianship_rating": "good"}),
        "assessed_fair": Q(**{f"{profile}guardianship_rating": "fair"}),
        "assessed_poor": Q(**{f"{profile}guardianship_rating__in": cat.WEAK_GUARDIANSHIP}),
        **{f"school_{code}": Q(**{f"{profile}schooling": code}) for code, _l in cat.SCHOOLING},
        **{f"health_{code}": Q(**{f"{profile}health": code}) for code, _l in cat.HEALTH},
        "boarding": Q(**{f"{profile}boarding": True}),
        "hukou_yes": Q(hukou_registered=True),
        "hukou_no": Q(hukou_registered=False),
        "aided": Q(**{f"{profile}isnull": False}) & ~Q(**{f"{profile}assistance__in": ["", "无"]}),
        **{key: Q(**{f"{profile}assistance__contains": word}) for key, word in AID_WORDS.items()},
    }
    return columns


def child_column_keys() -> list[str]:
    """The columns' keys (the same for any period)."""
    return list(child_columns(Period(date(2000, 1, 1), date(2000, 1, 1), "")))


def _children_by_column(area: str, period: Period, category: str, column: str | None) -> int:
    children = _persons_on_file(area, period, category)
    if column is None:
        return children.count()
    columns = child_columns(period)
    if column not in columns:
        raise ValueError(f"unknown column {column!r}")
    return children.filter(columns[column]).count()


def _children_all_columns(area: str, period: Period, category: str) -> dict[str, int]:
    """Every column in one query (conditional counts over the same children)."""
    return _persons_on_file(area, period, category).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in child_columns(period).items()})


def _children_all_columns_by_village(area: str, period: Period, category: str) -> dict[tuple[str, str], int]:
    """Every column for every village of ``area`` in one query: {(village, column): children}."""
    columns = child_columns(period)
    rows = (_persons_on_file(area, period, category).order_by().values("area_id")
            .annotate(**{f"c_{i}": Count("pk", filter=condition) for i, condition in enumerate(columns.values())}))
    keys = list(columns)
    return {(row["area_id"], key): row[f"c_{i}"] for row in rows for i, key in enumerate(keys) if row[f"c_{i}"]}


def _children_by_village(area: str, period: Period, category: str, column: str | None) -> dict:
    if column == GROUPED:
        return _children_all_columns_by_village(area, period, category)
    children = _persons_on_file(area, period, category)
    if column is not None:
        children = children.filter(child_columns(period)[column])
    return count_by(children, "area_id")


@metric("left_behind_children", "农村留守儿童（分项）", "人", ("column",))
def left_behind_children(area: str, period: Period, column: str | None = None) -> int:
    """Left-behind children on file at the period's end meeting one column's condition (all without)."""
    return _children_by_column(area, period, cat.LEFT_BEHIND_CHILD, column)


@grouped_by("left_behind_children")
def left_behind_children_by_column(area: str, period: Period) -> dict[str, int]:
    return _children_all_columns(area, period, cat.LEFT_BEHIND_CHILD)


@by_village("left_behind_children", grouped=True)
def left_behind_children_by_village(area: str, period: Period, column: str | None = None) -> dict:
    return _children_by_village(area, period, cat.LEFT_BEHIND_CHILD, column)


@metric("children_in_difficulty", "困境儿童（分项）", "人", ("column",))
def children_in_difficulty(area: str, period: Period, column: str | None = None) -> int:
    """Children in difficulty on file at the period's end meeting one column's condition (all without)."""
    return _children_by_column(area, period, cat.CHILD_IN_DIFFICULTY, column)


@grouped_by("children_in_difficulty")
def children_in_difficulty_by_column(area: str, period: Period) -> dict[str, int]:
    return _children_all_columns(area, period, cat.CHILD_IN_DIFFICULTY)


@by_village("children_in_difficulty", grouped=True)
def children_in_difficulty_by_village(area: str, period: Period, column: str | None = None) -> dict:
    return _children_by_village(area, period, cat.CHILD_IN_DIFFICULTY, column)


# --- screening progress ---------------------------------------------------------------------

def _campaigns_over(area: str, period: Period, campaign: int | str | None = None):
    """Screening rounds running in the period whose area holds ``area`` or lies within it
    (``campaign``: that round only, if so)."""
    rounds = ScreeningCampaign.objects.filter(start_date__lte=period.end, end_date__gte=period.start)
    if campaign:
        rounds = rounds.filter(pk=int(campaign))
    return [c for c in rounds.only("pk", "area_id")
            if codes.is_within(area, c.area_id) or codes.is_within(c.area_id, area)]


@metric("screening_reports_due", "应上报排查结果的村（社区）", "个", ("campaign",))
def screening_reports_due(area: str, period: Period, campaign: int | str | None = None) -> int:
    """For each round running in the period, the villages of ``area`` it covers (each owes a report)."""
    villages = Area.objects.filter(area_filter("pk", area), level=codes.VILLAGE)
    return sum(villages.filter(area_filter("pk", c.area_id)).count() for c in _campaigns_over(area, period, campaign))


@metric("screening_reports_in", "已上报排查结果的村（社区）", "个", ("campaign",))
def screening_reports_in(area: str, period: Period, campaign: int | str | None = None) -> int:
    return ScreeningReport.objects.filter(
        area_filter("village", area), campaign__in=[c.pk for c in _campaigns_over(area, period, campaign)]).count()


def screening_by_child(area: str, period: Period, campaign: int | str | None = None,
                       categories: list[str] = ()) -> dict[str, dict]:
    """For each child area of ``area`` (a village's: none), in three queries whatever the area's
    size: {"due", "in", "households", "found": {category: n}} (``categories``' found), each equal to
    screening_reports_due, screening_reports_in, screening_households and screening_found (by
    category) of that child: the same rounds, the same reports, grouped by the child's code."""
    child_len = codes.child_prefix_length(area)
    if child_len is None:
        return {}

    def entry(code: str) -> dict:
        return result.setdefault(code.ljust(12, "0"), {"due": 0, "in": 0, "households": 0, "found": {}})

    result: dict[str, dict] = {}
    rounds = _campaigns_over(area, period, campaign)
    for round_ in rounds:  # one grouped count per round (a page asks one)
        villages = (Area.objects.filter(area_filter("pk", area), area_filter("pk", round_.area_id), level=codes.VILLAGE)
                    .annotate(child=Substr("code", 1, child_len)).values("child").annotate(n=Count("pk")).order_by())
        for row in villages:
            entry(row["child"])["due"] += row["n"]
    found = {f"found_{i}": Sum(_found(c)) for i, c in enumerate(categories)}
    reports = (_screening_reports(area, period, campaign).annotate(child=Substr("village_id", 1, child_len))
               .values("child").order_by()
               .annotate(reported=Count("pk", filter=Q(campaign__in=[c.pk for c in rounds])),
                         households=Sum("households_checked"), **found))
    for group in reports:
        row = entry(group["child"])
        row["in"] += group["reported"]
        row["households"] += group["households"] or 0
        row["found"] = {c: group[f"found_{i}"] or 0 for i, c in enumerate(categories)}
    return result


# --- kept per village (stats.tallies): the current figures of the home pages and dashboards --------
# On file "at the period's end" is on file today for any period not over: exits are never
# dated ahead (registry.services.exit_person), so these read today's state.
# Record-only keys (``dated=False``): on file, categories, risk and profile change only with records
# (exits are never dated ahead), and every write refreshes its villages, so the nightly refresh
# leaves them; ages and birthdays move with the date.
keep("persons_registered", dated=False)
for _code, _label in cat.CATEGORY_CHOICES:
    keep("persons_registered", category=_code, dated=False)
keep("children_without_guardianship", dated=False)
for _level in ("red", "orange", "yellow", "green"):
    keep("persons_at_risk", level=_level, aliases=({},) if _level == "red" else (), dated=False)
keep("children_aging_out", as_of_today=False, aliases=({"within_days": 90},))
# The national tables' columns, today's, from the township up (stats.tallies.BY_TOWNSHIP).
AGE_COLUMNS = ("age_0_5", "age_6_13", "age_14_up")
for _name in ("left_behind_children", "children_in_difficulty"):
    keep(_name, by_township=True, dated=False)
    for _column in child_column_keys():
        keep(_name, by_township=True, column=_column, dated=_column in AGE_COLUMNS)
