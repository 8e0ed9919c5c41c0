"""Migrations are checked to be safe while the old code serves."""

from django.db import migrations, models

from guanai.ops.safe_migrations import AddIndexConcurrently, all_problems, problems


def _migration(app_label, *operations, atomic=True):
    migration = migrations.Migration("0099_example", app_label)
    migration.operations = list(operations)
    migration.atomic = atomic
    return migration


def test_every_migration_after_the_baseline_is_safe_while_old_code_serves():
    assert all_problems() == []


def test_an_index_on_a_big_table_must_be_built_concurrently():
    index = models.Index(fields=["name"], name="person_name_x")
    plain = _migration("registry", migrations.AddIndex("person", index))
    assert "AddIndexConcurrently" in problems(plain)[0]
    assert problems(_migration("registry", AddIndexConcurrently("person", index), atomic=False)) == []
    assert "atomic = False" in problems(_migration("registry", AddIndexConcurrently("person", index)))[0]
    # A small table may take a plain index.
    assert problems(_migration("coordination", migrations.AddIndex("memberunit", index))) == []


def test_columns_removed_renamed_or_added_without_default_are_refused():
    assert problems(_migration("care", migrations.RemoveField("visit", "notes")))
    assert problems(_migration("registry", migrations.RenameField("person", "phone", "mobile")))
    assert problems(_migration("care", migrations.AddField("visit", "score", models.IntegerField())))
    # A default only Django knows is dropped from the table after the column is added: the old
    # code's INSERTs, which do not name the column, would fail. It must stay in the database.
    assert problems(_migration("care", migrations.AddField("visit", "score", models.IntegerField(default=0))))
    assert problems(_migration("care", migrations.AddField("visit", "score", models.IntegerField(
        default=0, db_default=0)))) == []
    assert problems(_migration("care", migrations.AddField("visit", "note2", models.TextField(
        blank=True, default="", db_default="")))) == []
    assert problems(_migration("care", migrations.AddField("visit", "code", models.CharField(max_length=9,
                                                                                             db_index=True,
                                                                                             null=True))))


def test_data_migrations_must_say_why_they_are_safe():
    bare = migrations.RunPython(migrations.RunPython.noop)
    assert problems(_migration("registry", bare))
    said = migrations.RunPython(migrations.RunPython.noop, hints={"safe_while_serving": "touches 10 rows"})
    assert problems(_migration("registry", said)) == []
