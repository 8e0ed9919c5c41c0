"""Database housekeeping shared by bulk writers (demo, imports)."""

from django.db import connection


def refresh_planner_statistics() -> None:
    """Let the query planner see the new row counts after a bulk load; without
    it SQLite may pick a low-selectivity index (status) over the area range."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def prefix_q(field: str, prefix: str):
    """Q for ``field`` starting with ``prefix`` that an ordinary index can serve.

    PostgreSQL gets LIKE 'x%' (Django adds a pattern-ops index for indexed text
    columns); SQLite's LIKE ignores indexes, so there a half-open range is used.
    """
    from django.db.models import Q

    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
