"""Drop the index of object_type alone: every look-up by object type is served by the
(object_type, object_id) index, whose first column it is (equality, and the admin's list of
types), and no query matches object types by prefix (PostgreSQL's second, "_like" index).
One index fewer to update for every audit event (an import writes one per person)."""

from django.db import migrations, models


def _object_type_indexes(schema_editor, model) -> list[str]:
    # The indexes on object_type alone (on PostgreSQL also its varchar_pattern_ops twin),
    # not the (object_type, object_id) one.
    return schema_editor._constraint_names(model, ["object_type"], index=True, unique=False, primary_key=False)


def drop(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in _object_type_indexes(schema_editor, model):
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    if _object_type_indexes(schema_editor, model):
        return
    plain = models.CharField(max_length=100, blank=True)
    plain.set_attributes_from_name("object_type")
    plain.model = model
    indexed = models.CharField(max_length=100, blank=True, db_index=True)
    indexed.set_attributes_from_name("object_type")
    indexed.model = model
    schema_editor.alter_field(model, plain, indexed)


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="object_type",
                    field=models.CharField(blank=True, max_length=100, verbose_name="对象类型"),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop, create, elidable=False, hints={
                    "safe_while_serving": "drops two indexes (concurrently on PostgreSQL) that no query of "
                                          "the old code needs: the (object_type, object_id) index serves them"}),
            ],
        ),
    ]
