"""A ledger spanning several townships names each village with its township, as its list does
(光明村（城关镇）): villages of one name in two townships are told apart. A township's ledger
needs no more than the village's name; the person list keeps the import template's columns."""

from __future__ import annotations

from datetime import date

import pytest

from guanai.areas.models import Area
from guanai.areas.scoping import area_filter
from guanai.care.listing import pairing_listing
from guanai.care.models import Visit
from guanai.protection.models import Case
from guanai.registry.exporting import EXPORT_HEADERS

from .helpers import fetch

pytestmark = pytest.mark.django_db

COUNTY, TOWNSHIP = "990101000000", "990101001000"


def _with_township(area: Area) -> str:
    return f"{area.name}（{area.parent.name}）"


def test_a_county_visit_ledger_names_each_village_with_its_township(client_for):
    ledger = fetch(client_for("county"), "/care/export/?period=2026Q3")
    visits = Visit.objects.filter(area_filter("area", COUNTY), visit_date__gte=date(2026, 7, 1),
                                  visit_date__lte=date(2026, 9, 30)).select_related("area__parent")
    expected = [_with_township(v.area) for v in visits.order_by("visit_date", "pk")]
    assert len({v.area.parent_id for v in visits}) > 1  # the county's ledger spans townships
    assert ledger.column("所在村（社区）") == expected


def test_a_township_ledger_names_the_village_alone(client_for):
    ledger = fetch(client_for("county"), f"/care/export/?area={TOWNSHIP}&period=2026Q3")
    names = set(Area.objects.filter(parent_id=TOWNSHIP).values_list("name", flat=True))
    assert ledger.rows and set(ledger.column("所在村（社区）")) <= names


def test_the_county_case_and_pairing_ledgers_name_the_township_too(client_for, users):
    client = client_for("county")
    cases = fetch(client, "/protection/export/?show=all")
    found = {c.number: _with_township(c.area) for c in
             Case.objects.filter(area_filter("area", COUNTY)).select_related("area__parent")}
    assert cases.rows and all(row["发现地"] == found[row["案件编号"]] for row in cases.rows)
    pairings = fetch(client, "/care/pairings/export/?show=all")
    listed = pairing_listing(users["county"], {"show": "all"}).records.select_related("area__parent")
    assert pairings.column("所在村（社区）") == [_with_township(p.area) for p in
                                               listed.order_by("area_id", "start_date", "pk")] != []


def test_the_person_ledger_keeps_the_import_templates_columns(client_for):
    ledger = fetch(client_for("county"), "/persons/export/")
    assert ledger.header == EXPORT_HEADERS
    codes = {row["村（社区）代码"] for row in ledger.rows}
    names = dict(Area.objects.filter(pk__in=codes).values_list("pk", "name"))
    assert ledger.rows and all(row["所在村（社区）"] == names[row["村（社区）代码"]] for row in ledger.rows)
