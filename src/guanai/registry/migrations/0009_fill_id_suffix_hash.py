"""Fill the ID suffix hash of the persons on file, batch by batch (each batch its own short
transaction, so the person table is never locked for long) -- on a small registry only.

A province (a million persons) takes many minutes for this, which must not sit inside an
upgrade's `guanai migrate` (README, "Deployment"): past SMALL persons to fill, the migration
leaves them to `guanai fill-suffix-hashes` (resumable, run while serving) and says so. A new
installation has no persons yet: nothing to fill either way."""

import sys

from django.db import migrations

SMALL = 20_000  # a few seconds of filling


def fill(apps, schema_editor):
    from guanai.registry.keyrotation import fill_suffix_hashes, suffix_hashes_missing

    Person = apps.get_model("registry", "Person")
    if suffix_hashes_missing(Person)[:SMALL + 1].count() > SMALL:
        sys.stdout.write("\n  身份证后四位检索码待补齐的人员超过2万人，未在迁移中补齐："
                         "请在升级后运行 guanai fill-suffix-hashes（分批进行，可中断后继续，不停机）\n")
        return
    fill_suffix_hashes(Person)


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch

    dependencies = [("registry", "0008_person_id_suffix_hash")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, hints={
            "safe_while_serving": "fills a new column in batches of 2,000 rows, and only up to 20,000 rows: "
                                  "more are left to `guanai fill-suffix-hashes`; rows the old code writes "
                                  "meanwhile get theirs from that command too"}),
    ]
