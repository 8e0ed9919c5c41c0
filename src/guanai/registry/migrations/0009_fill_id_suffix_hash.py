"""Fill the ID suffix hash of the persons on file, batch by batch (each batch its own short
transaction, so the person table is never locked for long)."""

from django.db import migrations


def fill(apps, schema_editor):
    from guanai.registry.keyrotation import fill_suffix_hashes

    fill_suffix_hashes(apps.get_model("registry", "Person"))


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch

    dependencies = [("registry", "0008_person_id_suffix_hash")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, hints={
            "safe_while_serving": "fills a new column in batches of 2,000 rows; rows the old code writes "
                                  "meanwhile get theirs from `guanai rotate-field-key --fill`"}),
    ]
