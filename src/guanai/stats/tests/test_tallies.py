from django.utils import timezone

from guanai.registry import services
from guanai.stats import metrics, tallies
from guanai.stats.periods import Period
from guanai.stats.tallies import TALLIES, tally


def _today():
    return Period(timezone.localdate(), timezone.localdate(), timezone.localdate().isoformat())


def _kept_at(area: str) -> list[str]:
    """The keys kept for ``area``: a village has no row of the keys kept from the township up."""
    return tallies.village_keys() if area.endswith("001001") else list(TALLIES)


def test_tallies_equal_their_metrics_for_every_level(users):
    for area in ("990100000000", "990101000000", "990101001000", "990101001001"):
        for key in _kept_at(area):
            name, params = TALLIES[key]
            assert tally(area, key) == metrics.compute(name, area, _today(), **params), (area, key)
    # The national tables' columns are among them, and the demo fills them.
    assert tally("990101001000", "left_behind_children:age_6_13") > 0


def test_tallies_follow_writes_create_move_and_category_change(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # tallies are refreshed at the commit
        person = services.create_person(user=users["township"], area_code="990101001001", data={"name": "计数测试"},
                                        categories=["left_behind_child"])
    key = "persons_registered:left_behind_child"
    assert tally("990101001001", key) == metrics.compute("persons_registered", "990101001001", _today(),
                                                         category="left_behind_child")
    before_other = tally("990101001002", "persons_registered")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_person(user=users["township"], person=person, expected_version=person.version,
                               data={}, area_code="990101001002", categories=["solitary_elder"])
    assert tally("990101001002", "persons_registered") == before_other + 1
    for village in ("990101001001", "990101001002"):
        assert tally(village, key) == metrics.compute("persons_registered", village, _today(), category="left_behind_child")


def test_home_cards_show_the_tallies(client_for, users):
    body = client_for("county").get("/").content.decode()
    expected = metrics.compute("persons_registered", "990101000000", _today())
    assert f'data-card="在册人员">{expected}<' in body


def test_stale_tallies_are_recomputed_on_the_first_dashboard_of_a_day(users, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from guanai.stats import tallies
    from guanai.stats.kept_keys import DATED
    from guanai.stats.models import AreaTally

    # Yesterday's rows, the figures that move with the date as a day's change can leave them.
    AreaTally.objects.update(updated_at=timezone.now() - timedelta(days=1))
    AreaTally.objects.filter(key__in=DATED).update(value=0)
    tallies._refresh_requested_on = None
    client_for("county").get("/")  # the immediate task backend runs the refresh at once
    assert tally("990101000000", "persons_due_visit") == metrics.compute("persons_due_visit", "990101000000", _today())
    # A complete refresh ran today (village rows that did not change are not rewritten).
    assert tallies.tallies_fresh()
    stale = AreaTally.objects.filter(area__level__lt=5, key__in=DATED, updated_at__date__lt=timezone.localdate())
    assert stale.count() == 0


def test_red_risk_tally_follows_an_assessment(users, django_capture_on_commit_callbacks):
    person = services.create_person(user=users["village"], area_code="990101001001", data={"name": "风险计数"},
                                    categories=["left_behind_child"])
    before = tally("990101001001", "persons_at_risk:red")
    with django_capture_on_commit_callbacks(execute=True):
        services.assess_risk(user=users["village"], person=person, assessed_on=timezone.localdate(), scores={"safety": 3},
                             flags=[])
    assert tally("990101001001", "persons_at_risk:red") == before + 1


def test_a_full_refresh_records_no_audit_events_and_keeps_every_figure(users):
    """refresh_all replaced the kept rows through QuerySet.delete(), which sent a signal per row: the
    audit trail recorded every kept month as a deleted record (35,000 events per refresh of a
    city) and the refresh took minutes. Kept rows are derived; only the records are audited."""
    from guanai.audit.models import AuditEvent
    from guanai.stats import tallies
    from guanai.stats.models import MonthTally

    before = AuditEvent.objects.count()
    assert MonthTally.objects.exists()
    tallies.refresh_all()
    tallies.refresh_all()  # over rows already kept: replaced, not doubled
    assert AuditEvent.objects.count() == before
    year = metrics.parse_period(str(timezone.localdate().year))
    saved, metrics.kept_answer = metrics.kept_answer, None
    try:
        fresh = {(area, key): metrics.compute(name, area, _today(), **params)
                 for area in ("990100000000", "990101000000", "990101001000", "990101001001")
                 for key in _kept_at(area) for name, params in [TALLIES[key]]}
        fresh_visits = metrics.compute("visits", "990100000000", year)
        fresh_cash = metrics.compute("aid_cash_yuan", "990100000000", year)
    finally:
        metrics.kept_answer = saved
    assert {(area, key): tally(area, key) for area, key in fresh} == fresh
    assert tallies.tallies_fresh()
    assert metrics.compute("visits", "990100000000", year) == fresh_visits
    assert metrics.compute("aid_cash_yuan", "990100000000", year) == fresh_cash


def test_a_full_refresh_rewrites_only_the_rows_that_changed(users):
    """A province keeps about two million village rows, nearly all the same from one day to the
    next: a refresh that rewrote them all spent most of its time writing (and on PostgreSQL left
    a dead copy of each). Unchanged rows stay as they are; a wrong one is corrected; a row whose
    figure fell to nothing is removed."""
    from datetime import timedelta

    from django.utils import timezone

    from guanai.stats import tallies
    from guanai.stats.models import AreaTally, MonthTally

    tallies.refresh_all(month_ends=False)
    yesterday = timezone.now() - timedelta(days=1)
    village_rows = AreaTally.objects.filter(area__level=5)
    village_rows.update(updated_at=yesterday)
    right, wrong = village_rows.order_by("pk")[:2]
    AreaTally.objects.filter(pk=wrong.pk).update(value=wrong.value + 7)
    kept_month = MonthTally.objects.filter(area__level=5).order_by("pk").first()
    orphan = MonthTally.objects.create(area_id=kept_month.area_id, key=kept_month.key, month="1999-01", value=5)

    tallies.refresh_all(month_ends=False)

    right.refresh_from_db()
    assert right.updated_at == yesterday  # the same figure: not written again
    assert AreaTally.objects.get(pk=wrong.pk).value == wrong.value  # corrected
    assert MonthTally.objects.filter(pk=kept_month.pk, value=kept_month.value).exists()  # the same row
    assert not MonthTally.objects.filter(pk=orphan.pk).exists()


def test_a_sum_in_yuan_with_cents_is_not_rewritten_by_each_refresh(users, monkeypatch):
    """The stored rows are read as the driver gives them (``raw_rows``): on SQLite a sum like
    12.35 yuan comes back as a float, which no Decimal equals exactly. Compared as it is, every
    such row of a province was written again by every full refresh; compared as the value it
    stores, none is, and a sum one cent off is still corrected."""
    from decimal import Decimal

    from guanai.care.models import AidItem
    from guanai.stats.models import MonthTally

    cash = AidItem.objects.filter(kind=AidItem.CASH).order_by("pk").first()
    AidItem.objects.filter(pk=cash.pk).update(value_yuan=Decimal("12.35"))  # no signal: refresh_all counts it
    written: list[tuple] = []
    difference = tallies._difference

    def recorded(*args, **kwargs):
        rows, months, gone = difference(*args, **kwargs)
        written.extend(months)  # a full refresh's month rows are its villages'
        return rows, months, gone

    monkeypatch.setattr(tallies, "_difference", recorded)
    tallies.refresh_all(month_ends=False)
    village, month = cash.area_id, cash.given_on.strftime("%Y-%m")
    kept = MonthTally.objects.get(area_id=village, key="aid_cash_yuan", month=month)
    assert kept.value == metrics.METRICS["aid_cash_yuan"].by_month(village, tallies.ALL_TIME)[(village, month)]
    assert kept.value % 1 != 0  # cents: a float on SQLite

    written.clear()
    tallies.refresh_all(month_ends=False)
    assert written == []  # nothing changed, nothing written

    MonthTally.objects.filter(pk=kept.pk).update(value=kept.value + Decimal("0.01"))
    tallies.refresh_all(month_ends=False)
    assert [row[:3] for row in written] == [(village, "aid_cash_yuan", month)]
    assert MonthTally.objects.get(pk=kept.pk).value == kept.value


def test_refreshing_several_villages_of_a_township_asks_each_form_once_for_the_township(users):
    """A write touching many villages (an import) asked every per-village form of each village:
    four villages of one township cost four times one village's queries. Each form is now asked
    once per township, and the kept figures stay those of a fresh count."""
    from django.db import connection

    from guanai.areas.models import Area

    villages = sorted(Area.objects.filter(parent_id="990101001000").values_list("code", flat=True))
    assert len(villages) >= 4
    today = timezone.localdate()

    def queries(codes):
        sent = []
        with connection.execute_wrapper(lambda execute, sql, *rest: sent.append(sql) or execute(sql, *rest)):
            tallies.refresh_villages(dict.fromkeys(codes, today))  # today: no past month end to redo
        return len(sent)

    one, several = queries(villages[:1]), queries(villages)
    assert several < 1.5 * one, (one, several)
    for village in villages:
        for key in tallies.village_keys():
            name, params = TALLIES[key]
            assert tally(village, key) == metrics.METRICS[name].func(village, _today(), **params), (village, key)


def test_the_nightly_refresh_leaves_the_planner_statistics_and_a_bulk_refresh_renews_them(users, monkeypatch):
    """ANALYZE re-reads every table: at a province about a tenth of the nightly refresh, for the same
    statistics as the night before. Only a refresh of very many villages at once (an import into
    them, a bulk load) renews them."""
    from django.db import connection

    def analyzed(refresh) -> bool:
        statements = []

        def note(execute, sql, params, many, context):
            statements.append(sql.strip().upper())
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            refresh()
        return any(sql.startswith("ANALYZE") for sql in statements)

    assert not analyzed(lambda: tallies.refresh_all(month_ends=False))
    monkeypatch.setattr(tallies, "REFRESH_ALL_ABOVE", 1)
    assert analyzed(lambda: tallies.refresh_villages(["990101001001", "990101001002"]))


def test_the_nightly_refresh_of_a_complete_set_recomputes_only_todays_figures(users, monkeypatch):
    """Rows by month and period and the duplicate groups move only with the records, and every
    write keeps them: a new day's refresh recomputed them too (about half of it at a province).
    It now recomputes only the figures that move with the date (a record-only one stays as kept);
    after an import took the marks of a complete set away, everything."""
    from guanai.stats.models import AreaTally, MonthTally

    tallies.refresh_all(month_ends=False)
    assert tallies.tallies_complete()
    wrong = AreaTally.objects.filter(area__level=5, key="persons_due_visit").order_by("pk").first()
    AreaTally.objects.filter(pk=wrong.pk).update(value=wrong.value + 7)  # as a date change leaves one
    # A record-only figure is not recomputed: this wrong one (which no date change could make)
    # shows it, until the full refresh after an import.
    record_only = AreaTally.objects.filter(area__level=5, key="persons_registered").order_by("pk").first()
    AreaTally.objects.filter(pk=record_only.pk).update(value=record_only.value + 7)
    months_before = sorted(MonthTally.objects.values_list("area_id", "key", "month", "value"))
    asked = []
    monkeypatch.setattr(tallies, "_month_rows", lambda *args: asked.append("months") or [])
    monkeypatch.setattr(tallies, "_period_rows", lambda *args: asked.append("periods") or [])
    monkeypatch.setattr(tallies, "AFTER_REFRESH", [lambda villages: asked.append("duplicates")])

    tallies.refresh_all_task.call()

    assert asked == []
    assert AreaTally.objects.get(pk=wrong.pk).value == wrong.value  # today's figure corrected
    assert sorted(MonthTally.objects.values_list("area_id", "key", "month", "value")) == months_before
    assert tallies.tallies_fresh()
    village = wrong.area_id
    assert tally(village, "persons_due_visit") == metrics.compute("persons_due_visit", village, _today())
    assert AreaTally.objects.get(pk=record_only.pk).value == record_only.value + 7

    tallies.invalidate_tallies()
    tallies.refresh_all_task.call()
    assert sorted(set(asked)) == ["duplicates", "months", "periods"]
    assert AreaTally.objects.get(pk=record_only.pk).value == record_only.value


def _fresh_counts(areas) -> dict[tuple[str, str], object]:
    """Every kept key of ``areas`` counted from the records, the kept rows unread."""
    saved, metrics.kept_answer = metrics.kept_answer, None
    try:
        return {(area, key): metrics.compute(name, area, _today(), **params)
                for area in areas for key in _kept_at(area) for name, params in [TALLIES[key]]}
    finally:
        metrics.kept_answer = saved


def test_a_new_days_refresh_of_the_dated_keys_leaves_every_kept_figure_as_a_fresh_count(users):
    """The nightly refresh recomputes only the keys kept as moving with the date (ages, visit
    deadlines: ``DATED``); a key that moves with the date but was kept as record-only would stay
    stale. A year and a half later, with no write between, every kept figure of every level is
    what a fresh count says, and the date did move some of them (children changed age bands,
    persons fell due)."""
    from datetime import timedelta

    import time_machine

    from guanai.stats.kept_keys import DATED

    areas = ("990100000000", "990101000000", "990101001000", "990101001001")
    assert "persons_registered" not in DATED and "left_behind_children:age_0_5" in DATED
    tallies.refresh_all(month_ends=False)
    before = {(area, key): tally(area, key) for area in areas for key in _kept_at(area)}
    with time_machine.travel(timezone.now() + timedelta(days=550), tick=False):
        tallies.refresh_all(month_ends=False, dated_only=True)
        kept = {(area, key): tally(area, key) for area in areas for key in _kept_at(area)}
        assert kept == _fresh_counts(areas)
    moved = {key for (area, key), value in kept.items() if value != before[(area, key)]}
    assert moved & {"left_behind_children:age_0_5", "left_behind_children:age_6_13",
                    "left_behind_children:age_14_up"}, moved
    assert moved & {"persons_due_visit", "persons_visited_in_time", "persons_visit_due_soon"}, moved
    assert not moved - DATED


def test_the_kept_figures_counted_on_several_connections_are_those_counted_on_one(users, outside_a_transaction,
                                                                                  settings):
    """Outside a transaction (the worker's refresh) each metric's grouped counts, its rows by month
    and by period are reads of their own, run on GUANAI_METRIC_WORKERS connections at once; each
    metric's keys stay together (its grouped form answers them all), and the figures are those
    counted on one connection."""
    import threading

    from guanai.stats import kept_keys

    settings.GUANAI_METRIC_WORKERS = 3
    keys, villages, tops, period = list(TALLIES), kept_keys.all_villages(), kept_keys.roots(), kept_keys.today_period()
    reads = kept_keys.value_reads(tops, period, keys, villages)
    reads["months"] = lambda: tallies._month_rows(tops, villages)
    reads["periods"] = lambda: tallies._period_rows(tops, villages)
    one_by_one = {name: read() for name, read in reads.items()}
    threads = set()
    spied = {name: (lambda read=read: threads.add(threading.get_ident()) or read()) for name, read in reads.items()}
    with outside_a_transaction():
        in_parallel = kept_keys.reads_in_parallel(spied)
        merged = kept_keys.values_in_parallel(tops, period, keys, villages)  # as fill_month_ends asks a month's
    assert in_parallel == one_by_one
    assert merged == kept_keys.values_at(tops, period, keys, villages)
    assert len(threads) > 1 and threading.get_ident() not in threads
    assert one_by_one["values:persons_registered"][("990101001001", "persons_registered")] > 0
    assert one_by_one["months"] and one_by_one["periods"]
