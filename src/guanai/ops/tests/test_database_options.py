"""The options every PostgreSQL connection is opened with."""

import json
import os
import subprocess
import sys

from django.db import connection


def _options(**env) -> str:
    """The connection options the settings give for ``env`` (a fresh interpreter: settings are
    read once per process)."""
    script = ("import json; from guanai import settings; "
              "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))")
    environ = {key: value for key, value in os.environ.items() if key != "GUANAI_DB_STATEMENT_TIMEOUT"}
    environ.update(GUANAI_SECRET_KEY="test-only", **env)
    out = subprocess.run([sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True)
    return json.loads(out.stdout).get("options", "")


def test_postgresql_connections_never_jit_compile_a_page_query(db):
    """With JIT on, PostgreSQL compiled a township's due list (a 70 ms query, estimated costly
    because of its per-person subqueries) for 14 seconds before running it."""
    url = "postgres://postgres@127.0.0.1:5432/guanai"
    assert "jit=off" in _options(DATABASE_URL=url)
    served = _options(DATABASE_URL=url, GUANAI_DB_STATEMENT_TIMEOUT="30")
    assert "jit=off" in served and "statement_timeout=30000" in served
    if connection.vendor == "postgresql":  # and the suite's own connection has it
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
