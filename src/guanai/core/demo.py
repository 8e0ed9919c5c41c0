"""The demo city 示范市 (codes beginning 99): what every app's demo step shares.
Each app adds its records with ``@demo_step(order)`` in ``<app>/demo_data.py``; a
step takes the DemoContext and returns nothing. The loader (``guanai.portal.demo``,
``guanai demo``) builds the areas, member units and one account per role, then runs
every step in order.

Never loaded on a real installation: its accounts share a published password.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DEMO_PASSWORD = "demo-guanai-2026"
PROVINCE_CODE = "990000000000"
CITY_CODE = "990100000000"

SCALES = {
    # counties per city, townships per county, villages per township, cities
    "small": {"cities": 1, "counties": 3, "townships": 3, "villages": 4},
    "city": {"cities": 1, "counties": 8, "townships": 10, "villages": 12},
    "province": {"cities": 12, "counties": 8, "townships": 10, "villages": 24},
}


@dataclass
class DemoContext:
    scale: str
    today: date
    rng: random.Random
    areas: dict[int, list] = field(default_factory=dict)  # level -> [Area]
    users: dict[str, object] = field(default_factory=dict)
    units: list = field(default_factory=list)


_STEPS: list[tuple[int, object]] = []
_BULK: set = set()


def demo_step(order: int, *, bulk: bool = False):
    """Register a step. ``bulk``: it writes records by the million at a province (with
    ``bulk_insert``/``insert_rows``); consecutive bulk steps run with the big tables' indexes
    and foreign keys deferred (``indexes_deferred``), so their queries read without them."""

    def decorate(func):
        _STEPS.append((order, func))
        _STEPS.sort(key=lambda item: item[0])
        if bulk:
            _BULK.add(func)
        return func

    return decorate


def steps() -> list:
    """The registered steps, in order."""
    return [step for _order, step in _STEPS]


def is_bulk(step) -> bool:
    return step in _BULK


# ---------------------------------------------------------------------------------------
# Bulk writing for the large scales: a province is a million persons and millions of visits.
# ---------------------------------------------------------------------------------------


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def reserve_ids(model, objs: list) -> None:
    """Give every unsaved instance its primary key now, in order, from the table's own
    sequence (what bulk_create would have given them on a fresh database), so rows that
    point at them can be built before anything is written. SQLite: left to bulk_create."""
    from django.db import connection

    missing = [obj for obj in objs if obj.pk is None]
    if not missing or not _postgres():
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
                       [meta.db_table, meta.pk.column, len(missing)])
        for obj, (pk,) in zip(missing, cursor.fetchall()):
            obj.pk = pk


def bulk_insert(model, objs: list) -> None:
    """Insert model instances: COPY on PostgreSQL (ten times bulk_create's speed), bulk_create
    elsewhere. The same rows either way: fields' pre_save (auto_now_add...) and database
    preparation are Django's own, each distinct value prepared once."""
    from django.db import connection

    objs = list(objs)
    if not objs:
        return
    if not _postgres():
        model.objects.bulk_create(objs, batch_size=2000)
        return
    reserve_ids(model, objs)
    meta = model._meta
    fields = list(meta.concrete_fields)
    caches: list[dict] = [{} for _ in fields]
    qn = connection.ops.quote_name
    sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")
            row = []
            for index, field in enumerate(fields):
                value = field.pre_save(obj, add=True)
                if value is None or type(value) in (int, str):
                    row.append(value)
                    continue
                cache = caches[index]
                try:
                    prepared = cache.get(value)
                except TypeError:  # unhashable (JSON lists and dicts)
                    prepared = None
                    cache = None
                if prepared is None:
                    prepared = field.get_db_prep_save(value, connection)
                    if cache is not None:
                        cache[value] = prepared
                row.append(prepared)
            copy.write_row(row)
            obj._state.adding = False
            obj._state.db = connection.alias


# Field types whose values go to the database as Python gives them (str, int, bool, None).
_RAW_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "IntegerField", "BigIntegerField", "SmallIntegerField",
              "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "BooleanField",
              "AutoField", "BigAutoField", "SmallAutoField", "ForeignKey", "OneToOneField"}


def insert_rows(model, columns: list[str], rows) -> None:
    """Insert rows of plain values (field names ``columns``): COPY on PostgreSQL, INSERTs of
    many rows elsewhere. The model's other fields take their defaults, the same for every row
    (``auto_now``/``auto_now_add``: the time of the call); without the primary key among the
    columns the table numbers the rows in order (fields with a ``db_default``: the database
    fills them). Each distinct date, decimal or JSON value is
    prepared for the database once; strings, numbers and ids go as they are."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED
    from django.utils import timezone

    given = [model._meta.get_field(name) for name in columns]
    names = {field.name for field in given}
    rest = [f for f in model._meta.concrete_fields if f.name not in names and not f.primary_key
            and f.db_default is NOT_PROVIDED]  # a database default is the database's to give
    now = timezone.now()
    copy = _postgres()

    def prepare(column, value):
        value = column.get_db_prep_save(value, connection)
        # COPY reads dates, times and decimals from their text: written once per distinct value
        # here, not formatted row by row by the driver (three times the cost of the row).
        return str(value) if copy and isinstance(value, (date, Decimal)) else value

    tail = tuple(prepare(f, now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                         else f.get_default()) for f in rest)
    fields = given + rest
    prep = [(i, f, {}) for i, f in enumerate(given) if f.get_internal_type() not in _RAW_TYPES]

    def prepared(row):
        if not prep:
            return (*row, *tail)
        out = [*row, *tail]
        for i, column, cache in prep:
            value = out[i]
            if value is None:
                continue
            try:
                out[i] = cache[value]
            except KeyError:
                out[i] = cache[value] = prepare(column, value)
            except TypeError:  # unhashable (JSON lists and dicts)
                out[i] = prepare(column, value)
        return out

    qn = connection.ops.quote_name
    table, names_sql = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if copy:
            with cursor.cursor.copy(f"COPY {table} ({names_sql}) FROM STDIN") as writer:
                write = writer.write_row
                for row in rows:
                    write(prepared(row))
            return
        sql = f"INSERT INTO {table} ({names_sql}) VALUES ({', '.join(['%s'] * len(fields))})"
        rows = list(rows)
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [prepared(row) for row in rows[start:start + 5000]])


# The tables a demo fills by the million: their secondary indexes and foreign keys are dropped
# while the bulk steps run and made again afterwards (one sort per index, one join per key,
# instead of a million index insertions and a million deferred checks).
BULK_TABLES = ["registry_person", "registry_personcategory", "registry_childprofile", "registry_elderprofile",
               "registry_riskassessment", "care_visit", "care_aiditem", "care_visit_visitors"]


@contextmanager
def indexes_deferred(tables: list[str] = BULK_TABLES):
    """Inside the load's transaction: drop the tables' secondary indexes (PostgreSQL: and foreign
    keys), run the block, create them again from their saved definitions (a failure rolls the
    whole load back, the definitions with it)."""
    from django.db import connection

    from .db import sqlite_secondary_indexes

    if connection.vendor == "sqlite":
        # A province's five million visits went into seven live B-trees each, most of the load's time.
        with connection.cursor() as cursor:
            indexes = sqlite_secondary_indexes(cursor, tables)
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
        return
    if not _postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check of earlier rows left pending on these tables
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT ix.indexrelid::regclass::text, pg_get_indexdef(ix.indexrelid) FROM pg_index ix"
            " JOIN pg_class t ON t.oid = ix.indrelid WHERE t.relname = ANY(%s) AND NOT ix.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)", [tables])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ANY(%s) AND c.contype = 'f'", [tables])
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
