"""Every prefix search of the person list is served by an index, on SQLite and PostgreSQL.

A search for a common surname once read the whole person table on PostgreSQL: its index on
name could not serve LIKE '王%' (collations other than "C"). The planner is told to avoid
full scans where it can; what it cannot avoid shows as a plan without an index condition."""

import pytest
from django.db import connection

from guanai.core.db import prefix_q
from guanai.registry.models import Person

pytestmark = pytest.mark.django_db

# The fields search_persons looks up by prefix, with a typical search for each.
SEARCHED = [("name", "王"), ("pinyin_full", "zhang"), ("pinyin_initials", "zs"), ("phone", "1380")]


@pytest.mark.parametrize("field,prefix", SEARCHED)
def test_a_prefix_search_is_an_index_range(field, prefix):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Person.objects.filter(prefix_q(field, prefix)).values("pk").explain()
    if connection.vendor == "postgresql":
        assert f"(({field})::text ~>=~ " in plan, plan  # an index condition, not a filter
    else:
        assert f"({field}>? AND {field}<?)" in plan, plan
