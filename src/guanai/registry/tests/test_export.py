"""Export of a person list to xlsx: the list's filters and scope, masked IDs unless
asked for by a permitted role, no formula injection, every export audited."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from guanai.accounts import roles
from guanai.audit.models import AuditEvent
from guanai.registry import services
from guanai.ledgers.tests.helpers import fetch
from guanai.registry.exporting import EXPORT_HEADERS
from guanai.registry.importers import import_persons
from guanai.registry.models import Person
from guanai.textproc import idcard

pytestmark = pytest.mark.django_db

VILLAGE = "990101001001"
OTHER_VILLAGE = "990101002002"


def _id(born: date, seq: int) -> str:
    first17 = f"630102{born:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_digit(first17)


@pytest.fixture
def people(db):
    born = date(2017, 4, 1)  # a child for years yet: nothing here depends on the exact age
    mine = services.create_person(user=None, area_code=VILLAGE, data={"name": "导出甲", "phone": "13800000001"},
                                  categories=["left_behind_child"], id_number=_id(born, 11))
    formula = services.create_person(user=None, area_code=VILLAGE,
                                     data={"name": "=HYPERLINK(\"http://evil\",\"点我\")", "address": "+1+2",
                                           "hukou_place": "@SUM(A1)"},
                                     categories=["left_behind_child"], id_number=_id(born, 13))
    theirs = services.create_person(user=None, area_code=OTHER_VILLAGE, data={"name": "外村导出"},
                                    categories=["left_behind_child"], id_number=_id(born, 15))
    return {"mine": mine, "formula": formula, "theirs": theirs, "born": born}


def _rows(client, url) -> list[tuple]:
    """The header and the rows of the ledger (at once, or through its background job)."""
    ledger = fetch(client, url)
    return [tuple(ledger.header)] + [tuple(row.values()) for row in ledger.rows]


def _by_name(rows) -> dict:
    header = rows[0]
    return {row[0]: dict(zip(header, row)) for row in rows[1:]}


def test_export_masks_id_numbers_by_default(client_for, people):
    rows = _rows(client_for("village"), "/persons/export/")
    assert rows[0] == tuple(EXPORT_HEADERS)
    row = _by_name(rows)["导出甲"]
    full = _id(people["born"], 11)
    assert row["身份证号"] == full[:6] + "********" + full[-4:]


def test_export_gives_full_id_numbers_only_to_a_permitted_role(client_for, people, monkeypatch):
    full = _id(people["born"], 11)
    rows = _by_name(_rows(client_for("village"), "/persons/export/?full_id=1"))
    assert rows["导出甲"]["身份证号"] == full
    event = AuditEvent.objects.filter(action=AuditEvent.EXPORT).latest("pk")
    assert "完整" in event.detail
    # Take the village role out of those that may see full numbers: the same request is masked.
    monkeypatch.setattr(roles, "FULL_ID_ROLES", frozenset({roles.ADMIN}))
    rows = _by_name(_rows(client_for("village"), "/persons/export/?full_id=1"))
    assert rows["导出甲"]["身份证号"] != full and "*" in rows["导出甲"]["身份证号"]


def test_export_holds_only_the_users_scope(client_for, people):
    rows = _rows(client_for("village"), "/persons/export/")
    names = set(_by_name(rows))
    assert "导出甲" in names and "外村导出" not in names
    code = rows[0].index("村（社区）代码")
    assert {row[code] for row in rows[1:]} == {VILLAGE}
    admin_names = set(_by_name(_rows(client_for("admin"), "/persons/export/")))
    assert "外村导出" in admin_names


def test_export_applies_the_list_filters(client_for, people):
    rows = _by_name(_rows(client_for("admin"), f"/persons/export/?area={OTHER_VILLAGE}"))
    assert set(rows) == set(Person.objects.filter(area_id=OTHER_VILLAGE, status="active").values_list("name", flat=True))
    rows = _by_name(_rows(client_for("admin"), "/persons/export/?q=导出甲"))
    assert list(rows) == ["导出甲"]


def test_export_writes_formula_like_text_as_text_cells(client_for, people):
    ledger = fetch(client_for("village"), "/persons/export/")
    wb = load_workbook(io.BytesIO(ledger.content))
    cells = [cell for row in wb.worksheets[0].iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    row = {r["姓名"]: r for r in ledger.rows}["=HYPERLINK(\"http://evil\",\"点我\")"]
    assert row["现住址"] == "+1+2" and row["户籍所在地"] == "@SUM(A1)"  # the values themselves, no apostrophe
    by_value = {cell.value: cell for cell in cells}
    assert by_value["+1+2"].data_type == "s" and by_value["@SUM(A1)"].data_type == "s"


def test_a_formula_like_name_imports_back_unchanged(client_for, people, tmp_path):
    response = client_for("admin").get(f"/persons/export/?full_id=1&area={VILLAGE}&q=" + "=HYPERLINK")
    path = tmp_path / "formula.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    result = import_persons(str(path), user=None, options={})
    assert result.errors == [] and (result.created, result.updated, result.unchanged) == (0, 0, 1)
    people["formula"].refresh_from_db()
    assert people["formula"].name == "=HYPERLINK(\"http://evil\",\"点我\")"


def test_each_export_is_audited(client_for, people, users):
    before = AuditEvent.objects.filter(action=AuditEvent.EXPORT).count()
    client_for("village").get("/persons/export/?category=left_behind_child")
    events = AuditEvent.objects.filter(action=AuditEvent.EXPORT).order_by("pk")
    assert events.count() == before + 1
    event = events.last()
    assert event.user_id == users["village"].pk and event.object_type == "registry.person"
    assert "脱敏" in event.detail and "农村留守儿童" in event.detail


def test_export_is_refused_to_roles_without_personal_records(client_for, people):
    for username in ("leader", "office", "volunteer", "unit"):
        assert client_for(username).get("/persons/export/").status_code == 403


def test_an_export_with_full_ids_imports_back_unchanged(client_for, people, tmp_path):
    response = client_for("admin").get(f"/persons/export/?full_id=1&area={VILLAGE}&q=导出甲")
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    result = import_persons(str(path), user=None, options={})
    assert result.errors == [] and (result.created, result.updated, result.unchanged) == (0, 0, 1)


@pytest.mark.parametrize("bad", ["110000000001", "abc", "000000000000"])
def test_a_code_that_is_no_area_gives_an_empty_list_and_export(client_for, people, bad):
    client = client_for("admin")
    assert _rows(client, f"/persons/export/?area={bad}")[1:] == []
    listing = client.get(f"/persons/?area={bad}")
    assert listing.status_code == 200 and "导出甲" not in listing.content.decode()


def test_the_demo_villages_export_imports_back_with_nothing_changed(client_for, users, tmp_path):
    """The village worker's whole list, full ID numbers: the template's columns (guardian and parent
    columns included), and the importer finds every row unchanged, in the preview and on commit."""
    persons = Person.objects.filter(area_id=VILLAGE, status="active")
    ledger = fetch(client_for("village"), "/persons/export/?full_id=1")
    assert ledger.header == EXPORT_HEADERS
    assert {"监护情况", "委托监护人", "监护人电话", "父亲", "母亲", "就学情况"} <= set(ledger.header)
    assert len(ledger.rows) == persons.count() > 10
    assert any(row["父亲"] or row["委托监护人"] for row in ledger.rows)  # the child columns are filled
    path = tmp_path / "village.xlsx"
    path.write_bytes(ledger.content)
    before = dict(persons.values_list("pk", "version"))
    for dry_run in (True, False):
        result = import_persons(str(path), user=users["village"], dry_run=dry_run, options={})
        assert result.errors == []
        assert (result.created, result.updated, result.unchanged) == (0, 0, len(before))
    assert dict(persons.values_list("pk", "version")) == before
    event = AuditEvent.objects.filter(action=AuditEvent.EXPORT).latest("pk")
    assert "完整" in event.detail and event.user == users["village"]
