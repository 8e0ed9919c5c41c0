"""Issue 14, point 5: the kept aggregates (per village; per village and month) never disagree with
the records. Records are created, changed, moved (transfer), merged (duplicates), exited, deleted
and bulk-imported, each refreshed at its commit; then every kept figure of every village and month
(and state at a past month's end), and every large area's figure as compute answers it from them, is compared with a fresh count by
the metric's direct form."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.stats import tallies
from guanai.stats.metrics import METRICS, compute, month_key
from guanai.stats.models import AreaTally, MonthEndTally, MonthTally
from guanai.stats.periods import Period, parse_period


def _today() -> Period:
    today = timezone.localdate()
    return Period(today, today, today.isoformat())


def _months(n=13) -> list[Period]:
    day = timezone.localdate().replace(day=1)
    months = []
    for _ in range(n):
        months.append(parse_period(month_key(day)))
        day = (day - timedelta(days=1)).replace(day=1)
    return months


def _assert_kept_equal_records():
    today = _today()
    villages = list(Area.objects.filter(level=codes.VILLAGE).values_list("code", flat=True))
    kept = {(row.area_id, row.key): row.value for row in AreaTally.objects.all()}
    for village in villages:
        for key in tallies.village_keys():
            name, params = tallies.TALLIES[key]
            assert kept.get((village, key), 0) == METRICS[name].func(village, today, **params), (village, key)
    for township in Area.objects.filter(level=codes.TOWNSHIP).values_list("code", flat=True):
        for key in tallies.BY_TOWNSHIP:  # kept from the township up
            name, params = tallies.TALLIES[key]
            assert kept.get((township, key), 0) == METRICS[name].func(township, today, **params), (township, key)
    monthly = {(row.area_id, row.key, row.month): row.value for row in MonthTally.objects.all()}
    months = _months()
    # Flows kept per village and month; distinct counts (persons visited) per village and standard
    # period: every month, quarter, half and year of this year and last.
    periods = _standard_periods()
    for names, spans in ((tallies.MONTHLY, months), (tallies.PERIODIC, periods)):
        for village in villages:
            for name in names:
                for span in spans:
                    direct = METRICS[name].func(village, span)
                    assert monthly.get((village, name, span.key), 0) == direct, (village, name, span.key)
    # Month ends (a past period's state): last month, last year's end.
    ends = [months[1], parse_period(f"{today.end.year - 1}-12")]
    assert {p.key for p in ends} <= tallies.kept_months_now()
    ended = {(row.area_id, row.key, row.month): row.value for row in MonthEndTally.objects.filter(
        month__in=[p.key for p in ends])}
    for village in villages:
        for key in tallies.snapshot_keys():
            name, params = tallies.TALLIES[key]
            for period in ends:
                direct = METRICS[name].func(village, period, **params)
                assert ended.get((village, key, period.key), 0) == direct, (village, key, period.key)
    # Large areas as compute answers them (from the kept rows) equal their direct counts.
    large = list(Area.objects.filter(level__lt=codes.VILLAGE).values_list("code", flat=True))
    for area in large:
        for key in tallies.snapshot_keys():
            name, params = tallies.TALLIES[key]
            for period in (*ends, parse_period(str(today.end.year - 1))):
                assert tallies.kept_answer(METRICS[name], area, period, params) is not None, (area, key, period.key)
                assert compute(name, area, period, **params) == METRICS[name].func(area, period, **params), \
                    (area, key, period.key)
    assert tallies.tallies_fresh()
    year = parse_period(str(today.end.year))
    for area in large:
        assert tallies.kept_answer(METRICS["persons_registered"], area, year, {}) is not None  # answered from them
        for key, (name, params) in tallies.TALLIES.items():
            assert compute(name, area, today, **params) == METRICS[name].func(area, today, **params), (area, key)
        for name in tallies.MONTHLY:
            for period in [*months[:3], year]:
                assert compute(name, area, period) == METRICS[name].func(area, period), (area, name, period.key)
    # Distinct counts of a standard period: each large area's answer.
    for area in large:
        for name in tallies.PERIODIC:
            for period in periods:
                assert tallies.kept_answer(METRICS[name], area, period, {}) is not None, (area, name, period.key)
                assert compute(name, area, period) == METRICS[name].func(area, period), (area, name, period.key)


def _standard_periods() -> list[Period]:
    year = timezone.localdate().year
    keys = []
    for y in (year - 1, year):
        keys += [str(y), f"{y}S1", f"{y}S2", *(f"{y}Q{q}" for q in range(1, 5)), *(f"{y}-{m:02d}" for m in range(1, 13))]
    return [parse_period(key) for key in keys]


def test_kept_aggregates_equal_fresh_counts_after_every_kind_of_write(users, tmp_path, django_capture_on_commit_callbacks):
    from guanai.care import services as care
    from guanai.care.models import Visit
    from guanai.registry import services as registry
    from guanai.registry.duplicates import merge_persons
    from guanai.registry.households import add_person
    from guanai.registry.tests.test_import_persons import child_row, ok, run, write_xlsx
    from guanai.registry.transfers import move_person

    tallies.refresh_all()
    _assert_kept_equal_records()

    admin, today = users["admin"], timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=3)

    def committed(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    # created, with a category, assessed red, visited last month with aid
    child = committed(lambda: registry.create_person(user=admin, area_code="990101001001", data={"name": "聚合甲"},
                                                     categories=["left_behind_child"]))
    committed(lambda: registry.assess_risk(user=admin, person=child, assessed_on=today, scores={"safety": 3}, flags=[]))
    committed(lambda: care.create_visit(user=admin, person=child, visit_date=last_month, mode="home",
                                        aid=[{"kind": "cash", "value_yuan": "500"},
                                             {"kind": "goods", "description": "棉被", "quantity": "1", "unit": "床",
                                              "value_yuan": "260"}]))
    # changed: another category, moved to another village of the township
    child.refresh_from_db()
    committed(lambda: registry.update_person(user=admin, person=child, expected_version=child.version, data={},
                                             area_code="990101001002", categories=["child_in_difficulty"]))
    # moved to another county (a transfer)
    child.refresh_from_db()
    committed(lambda: move_person(user=admin, person=child, to_area_code="990102001001", reason="随父母迁居"))
    # merged: two records of one person
    first = committed(lambda: registry.create_person(user=admin, area_code="990101002001", data={"name": "聚合乙"},
                                                     categories=["solitary_elder"]))
    second = committed(lambda: registry.create_person(user=admin, area_code="990101002001", data={"name": "聚合乙"},
                                                      categories=["disabled_elder"]))
    committed(lambda: merge_persons(user=admin, keep=first, duplicate=second))
    # exited
    committed(lambda: registry.exit_person(user=admin, person=first, reason="deceased", exit_date=today))
    # deleted: a visit with its aid (persons are never deleted, only exited)
    visit = Visit.objects.filter(area_id="990101001001", aid_items__isnull=False).order_by("-visit_date").first()
    committed(lambda: visit.delete())
    # a long-registered person: moved, a category added, visited, each changing past month ends
    from guanai.registry.models import Person

    old = (Person.objects.filter(area_id="990101001003", status=Person.ACTIVE, created_at__date__lt=last_month)
           .filter(categories__category="left_behind_child").order_by("pk").first())
    committed(lambda: move_person(user=admin, person=old, to_area_code="990102001002", reason="随父母迁居"))
    old.refresh_from_db()
    committed(lambda: registry.update_person(user=admin, person=old, expected_version=old.version, data={},
                                             categories=["left_behind_child", "child_in_difficulty"]))
    committed(lambda: care.create_visit(user=admin, person=old, visit_date=last_month, mode="home"))
    # a visit edited: its date moved across a month (and a quarter, when last month was one's end)
    moved = Visit.objects.filter(person=old).order_by("-pk").first()
    moved.visit_date = today
    committed(lambda: moved.save())
    # a visit to a household: every member counts as visited, one who joins later too, one who
    # leaves no longer
    head = committed(lambda: registry.create_person(user=admin, area_code="990101002001", data={"name": "聚合户主"},
                                                    categories=["solitary_elder"]))
    home = committed(lambda: registry.create_household_for_person(user=admin, head=head))
    committed(lambda: care.create_visit(user=admin, household=home, visit_date=last_month, mode="home"))
    joins, leaves = (committed(lambda name=name: registry.create_person(
        user=admin, area_code="990101002001", data={"name": name}, categories=["disabled_elder"]))
        for name in ("聚合丙", "聚合丁"))
    for member in (joins, leaves):
        committed(lambda member=member: add_person(user=admin, household=home, expected_version=None, person=member,
                                                   relation="sibling"))
    leaves.refresh_from_db()
    committed(lambda: registry.remove_from_household(user=admin, person=leaves))
    # bulk-imported
    committed(lambda: ok(run(write_xlsx(tmp_path / "kept.xlsx", [child_row(name=f"聚合{i}") for i in range(3)])),
                         created=3))

    _assert_kept_equal_records()


def test_until_a_complete_refresh_large_areas_are_counted(users):
    tallies.refresh_all()
    info = METRICS["persons_registered"]
    assert tallies.kept_answer(info, "990100000000", _today(), {}) is not None
    visited, year = METRICS["persons_visited"], parse_period(str(timezone.localdate().year))
    assert tallies.kept_answer(visited, "990100000000", year, {}) is not None
    tallies.invalidate_tallies()
    assert tallies.kept_answer(info, "990100000000", _today(), {}) is None
    # after an import took the marks away, persons visited are counted too, and equal the records
    assert tallies.kept_answer(visited, "990100000000", year, {}) is None
    assert compute("persons_visited", "990100000000", year) == visited.func("990100000000", year)
    # only a standard period is kept: a span of its own (the last 30 days) is counted
    tallies.refresh_all()
    span = Period(timezone.localdate() - timedelta(days=29), timezone.localdate(), "last-30-days")
    assert tallies.kept_answer(visited, "990100000000", span, {}) is None
    # a village and a past period's state are always counted
    tallies.refresh_all()
    assert tallies.kept_answer(info, "990101001000", _today(), {}) is not None  # a township: its own row
    assert tallies.kept_answer(info, "990101001001", _today(), {}) is None
    assert tallies.kept_answer(info, "990100000000", parse_period("2020"), {}) is None
