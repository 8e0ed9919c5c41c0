"""Migrations that run while the old code still serves.

An upgrade migrates first and then restarts the processes, so for a while the old code
runs against the new schema, and a migration must not lock a big table for long.
``problems(migration)`` names what breaks either rule; ``guanai check_migrations`` and
the test suite refuse any migration after the baseline with a problem. The fixes:

- an index on a big table: ``AddIndexConcurrently`` below (CREATE INDEX CONCURRENTLY
  on PostgreSQL, a plain index on SQLite; the migration needs ``atomic = False``);
- a new column: nullable or with a default kept in the database (db_default: the old code's
  INSERTs do not name it; PostgreSQL adds it without rewriting);
- removing or renaming a column or table: two releases (stop using it, then drop it);
- data migrations (RunPython/RunSQL): batch them, and say why they are safe with
  ``hints={"safe_while_serving": "reason"}``.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import NOT_PROVIDED
from django.db.migrations.operations.base import Operation

# Tables that reach millions of rows in a province (persons, visits, audit trail...).
BIG_TABLES = {
    "registry.person", "registry.household", "registry.personcategory", "registry.childprofile",
    "registry.elderprofile", "registry.riskassessment", "care.visit", "care.aiditem", "care.pairing",
    "audit.auditevent", "stats.areatally", "archive.document", "archive.documentfact",
}

# Migrations written before this check, reviewed by hand: each ran when its tables were
# new or small. Only migrations after these are held to the rules.
BASELINE = {
    "accounts.0001_initial", "archive.0001_initial", "archive.0002_search_index", "areas.0001_initial",
    "audit.0001_initial", "audit.0002_append_only_triggers", "briefings.0001_initial", "care.0001_initial",
    "coordination.0001_initial", "core.0001_initial", "protection.0001_initial", "registry.0001_initial",
    "registry.0002_screeningcampaign_screeningreport", "registry.0003_person_merged_into_alter_person_exit_reason",
    "registry.0004_person_list_indexes", "registry.0005_person_current_risk_and_phone_index",
    "registry.0006_fewer_redundant_indexes", "stats.0001_initial", "stats.0002_tally_sum_index",
}

BREAKS_OLD_CODE = (migrations.RemoveField, migrations.RenameField, migrations.DeleteModel,
                   migrations.RenameModel, migrations.AlterModelTable)


class AddIndexConcurrently(migrations.AddIndex):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (no write lock while it builds), a plain
    CREATE INDEX on SQLite. Put it in a migration with ``atomic = False``."""

    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


def _table(app_label: str, op: Operation) -> str | None:
    name = getattr(op, "model_name", None) or getattr(op, "name", None)
    return f"{app_label}.{name.lower()}" if isinstance(name, str) else None


def problems(migration) -> list[str]:
    """What in ``migration`` would lock a big table for long or break the serving code."""
    found = []
    label = f"{migration.app_label}.{migration.name}"
    for op in migration.operations:
        table = _table(migration.app_label, op)
        big = table in BIG_TABLES
        kind = type(op).__name__
        if isinstance(op, BREAKS_OLD_CODE):
            found.append(f"{label}: {kind} {table}: the code still serving uses it; do it in two releases")
        elif isinstance(op, (migrations.RunPython, migrations.RunSQL)) and "safe_while_serving" not in op.hints:
            found.append(f"{label}: {kind} without hints={{'safe_while_serving': ...}}: batch it and say why")
        elif not big:
            continue
        elif isinstance(op, AddIndexConcurrently):
            if getattr(migration, "atomic", True):
                found.append(f"{label}: AddIndexConcurrently needs the migration to say atomic = False")
        elif isinstance(op, (migrations.AddIndex, migrations.AddConstraint)):
            found.append(f"{label}: {kind} on {table} locks it while the index builds; use "
                         "guanai.ops.safe_migrations.AddIndexConcurrently")
        elif isinstance(op, migrations.AddField):
            field = op.field
            # A Python-side default is dropped from the table after the column is added, so
            # the old code's INSERTs (which do not name the column) would fail: the default
            # must stay in the database (db_default).
            if not field.null and field.db_default is NOT_PROVIDED and not field.many_to_many:
                found.append(f"{label}: AddField {table}.{op.name} is NOT NULL without a default kept "
                             "in the database (db_default)")
            if field.unique or field.db_index or (field.is_relation and field.many_to_one):
                found.append(f"{label}: AddField {table}.{op.name} builds an index or a foreign key under lock; "
                             "add the column plain, then the index with AddIndexConcurrently")
        elif isinstance(op, migrations.AlterField):
            found.append(f"{label}: AlterField {table}.{op.name} may rewrite the table under lock")
    return found


def all_problems() -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = []
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        module = type(migration).__module__
        if module.startswith("guanai.") and f"{app_label}.{name}" not in BASELINE:
            found.extend(problems(migration))
    return found
