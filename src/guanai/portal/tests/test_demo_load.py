"""The demo's bulk loading (COPY and deferred indexes on PostgreSQL) gives the records the
ORM would have given: what users of the demo see does not depend on how it was written."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from guanai.core.demo import BULK_TABLES, bulk_insert, indexes_deferred, insert_rows
from guanai.registry.models import Person, RiskAssessment

pytestmark = pytest.mark.django_db


def test_bulk_insert_writes_what_bulk_create_would(db):
    before = timezone.now()
    people = [Person(name=name, sex="女", area_id="990101001001", current_risk="red" if i == 0 else "",
                     birth_date=timezone.localdate() - timedelta(days=3000 + i))
              for i, name in enumerate(["韦小燕", "龙秀梅", "吴春花"])]
    bulk_insert(Person, people)
    assert all(p.pk for p in people) and [p.pk for p in people] == sorted(p.pk for p in people)
    stored = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p in people])}
    for person in people:
        row = stored[person.pk]
        assert (row.name, row.birth_date, row.current_risk, row.status) == (
            person.name, person.birth_date, person.current_risk, Person.ACTIVE)
        assert row.created_at >= before - timedelta(seconds=1)  # auto_now_add filled, as by save()
    # The table's own sequence moved past them: the next person filed gets a new number.
    later = Person.objects.create(name="杨光", area_id="990101001001")
    assert later.pk > max(p.pk for p in people)


def test_insert_rows_gives_the_other_fields_their_defaults(db):
    before = timezone.now()
    top = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    born = timezone.localdate() - timedelta(days=4000)
    insert_rows(Person, ["id", "name", "sex", "birth_date", "area"], [(top, "韦小燕", "女", born, "990101001001"),
                                                                      (top + 1, "龙秀梅", "女", None, "990101001001")])
    first, second = Person.objects.filter(pk__in=[top, top + 1]).order_by("pk")
    assert (first.name, first.birth_date, second.birth_date) == ("韦小燕", born, None)
    assert (first.status, first.version, first.hukou_registered, first.address) == (Person.ACTIVE, 1, True, "")
    assert first.created_at >= before - timedelta(seconds=1) and first.updated_at >= before - timedelta(seconds=1)
    insert_rows(RiskAssessment, ["person", "assessed_on", "safety", "flags", "level"],
                [(top, born, 3, ("no_guardian",), "red")])
    stored = RiskAssessment.objects.get(person_id=top)
    assert (stored.flags, stored.level, stored.safety, stored.schooling, stored.is_current) == (
        ["no_guardian"], "red", 3, 0, True)


def test_demo_persons_carry_their_latest_risk_level(db):
    latest = {}
    for person_id, level in (RiskAssessment.objects.filter(person__area__code__startswith="99")
                             .order_by("person_id", "assessed_on", "pk").values_list("person_id", "level")):
        latest[person_id] = level
    assert latest, "the demo assesses some children"
    risks = dict(Person.objects.filter(pk__in=latest).values_list("pk", "current_risk"))
    assert risks == latest
    assert Person.objects.filter(area__code__startswith="99").exclude(pk__in=latest).exclude(current_risk="").count() == 0


def test_demo_registration_dates_are_spread_over_the_year(db):
    days = {p.created_at.date() for p in Person.objects.filter(area__code__startswith="99")}
    assert len(days) >= 25 and min(days) < timezone.localdate() - timedelta(days=365)


def _index_and_key_definitions():
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(BULK_TABLES))
            cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})"
                           " ORDER BY 1", BULK_TABLES)
            return cursor.fetchall(), []
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1", [BULK_TABLES])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t"
                       " ON t.oid = c.conrelid WHERE t.relname = ANY(%s) ORDER BY 1", [BULK_TABLES])
        return indexes, cursor.fetchall()


def test_deferred_indexes_and_keys_come_back(db):
    before = _index_and_key_definitions()
    assert before[0], "the bulk tables have secondary indexes"
    with indexes_deferred():
        during = _index_and_key_definitions()
        # Dropped while the bulk steps run (PostgreSQL: the foreign keys too; SQLite: unique ones stay).
        assert len(during[0]) < len(before[0])
        if connection.vendor == "postgresql":
            assert not any("FOREIGN KEY" in d for _n, d in during[1])
        else:
            assert all(sql is None or sql.upper().startswith("CREATE UNIQUE") for _name, sql in during[0])
    assert _index_and_key_definitions() == before
