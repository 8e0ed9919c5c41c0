from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The API's rate-limit counters (settings.CACHES["api"]): a database cache, shared by every process.
    call_command("createcachetable", "guanai_api_cache", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop,
                                       hints={"safe_while_serving": "creates a new empty table only"})]
