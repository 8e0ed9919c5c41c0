"""The full-text index of archived documents, one kind per database.

SQLite: an FTS5 table over the segmented text (rowid = document id), filled
and kept in step by archive.search.sync_index (called on every save/delete).
PostgreSQL: a generated tsvector column with the 'simple' configuration over
the segmented text, and a GIN index on it. The column is not a model field:
the ORM never writes it, the database computes it. A later migration that
changes archive_document.search_text on PostgreSQL must drop and re-add it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS archive_document_fts USING fts5("
    "search_text, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO archive_document_fts (rowid, search_text) SELECT id, search_text FROM archive_document",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS archive_document_fts"]
POSTGRES_FORWARD = [
    "ALTER TABLE archive_document ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX archive_document_search_vector ON archive_document USING gin (search_vector)",
    # Keep the vectors in the row, compressed, rather than out of line in TOAST:
    # ranking reads every matching vector, and a TOAST fetch per row is the
    # slowest part of a search.
    "ALTER TABLE archive_document ALTER COLUMN search_vector SET STORAGE MAIN",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS archive_document_search_vector",
    "ALTER TABLE archive_document DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [("archive", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
