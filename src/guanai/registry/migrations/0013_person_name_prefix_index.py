"""A PostgreSQL index that serves name searches (LIKE '王%').

The plain index on name cannot serve LIKE unless the database's collation is "C": a search
for a common surname then read the whole person table (a province: 120 ms of a city's list).
Django adds such a varchar_pattern_ops index by itself only for fields with db_index, as it
did for phone and the pinyin keys. SQLite searches names by a range, which its plain index
serves, so it gets nothing here."""

from django.db import migrations

FORWARD = ("CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_person_name_like "
           "ON registry_person (name varchar_pattern_ops)")
BACKWARD = "DROP INDEX CONCURRENTLY IF EXISTS registry_person_name_like"


def _on_postgresql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("registry", "0012_duplicate_members")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), hints={
            "safe_while_serving": "CREATE INDEX CONCURRENTLY takes no lock that blocks reads or writes"}),
    ]
