"""Workbooks no register is, refused when they are opened (while their XML is streamed, before
a reader builds the sheet), with a Chinese message; the error workbook of an import is built
by the job, and its download only sends it."""

import time
import tracemalloc
import zipfile

import pytest

from guanai import spreadsheets
from guanai.registry.importers import import_persons
from guanai.registry.models import Person

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
                 'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
                 'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


@pytest.fixture(autouse=True)
def _memory_ceiling():
    """A check that lets a giant sheet through fails here with MemoryError, not by taking the
    machine's memory (the reader would build the whole range)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    ceiling = used + 2 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (ceiling if hard == resource.RLIM_INFINITY else min(ceiling, hard), hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx(path, rows_xml: str, dimension: str = "", extra: dict | None = None):
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main">{dimension}<sheetData>{rows_xml}</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _header() -> str:
    cells = "".join(f'<c r="{_column(i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
                    for i, name in enumerate(["姓名", "身份证号", "村（社区）代码"], start=1))
    return f'<row r="1">{cells}</row>'


def _refused(path) -> str:
    result = import_persons(path, dry_run=True)
    assert result.created == 0 and len(result.errors) == 1 and result.errors[0].row == 0
    return result.errors[0].message


def test_one_row_of_very_many_cells_is_refused_at_once(tmp_path, db):
    wide = "".join(f'<c r="{_column(i)}2"><v>1</v></c>' for i in range(1, 16_385))  # columns A..XFD
    path = _xlsx(tmp_path / "wide.xlsx", _header() + f'<row r="2">{wide}</row>' * 40)
    tracemalloc.start()
    started = time.perf_counter()
    message = _refused(path)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "表格过大" in message and "列" in message
    assert peak < 64 * 1024 * 1024 and seconds < 30


def test_a_declared_giant_dimension_is_refused(tmp_path, db):
    path = _xlsx(tmp_path / "declared.xlsx", _header(), dimension='<dimension ref="A1:XFD1048576"/>')
    assert "声明有16384列" in _refused(path)


def test_a_single_cell_far_to_the_right_is_refused(tmp_path, db):
    far = '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="AAA2"><v>1</v></c></row>'
    assert "列" in _refused(_xlsx(tmp_path / "far.xlsx", _header() + far))


def test_a_sparse_sheet_spanning_a_giant_range_is_refused(tmp_path, db):
    # Two cells, far apart: a reader would build the whole range between them.
    corners = ('<row r="2"><c r="ZZ2"><v>1</v></c></row>'
               '<row r="999999"><c r="A999999"><v>1</v></c></row>')
    assert "单元格超过" in _refused(_xlsx(tmp_path / "sparse.xlsx", _header() + corners))
    far = '<row r="5000000"><c r="A5000000"><v>1</v></c></row>'
    assert "行" in _refused(_xlsx(tmp_path / "far.xlsx", _header() + far))


def test_cells_without_addresses_are_counted_row_by_row(tmp_path, db):
    bare = "<c><v>1</v></c>" * 3000  # columns follow from the order
    assert "超过702列" in _refused(_xlsx(tmp_path / "bare.xlsx", _header() + f"<row>{bare}</row>"))


def test_too_many_rows_or_cells_are_refused(tmp_path, db, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 50)
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 80))
    assert "超过50行" in _refused(_xlsx(tmp_path / "rows.xlsx", _header() + rows))
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 1_000_000)
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 100)
    assert "单元格超过100个" in _refused(_xlsx(tmp_path / "cells.xlsx", _header() + rows * 2))


def test_a_file_that_unpacks_too_large_is_refused(tmp_path, db, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNZIPPED_BYTES", 4 * 1024 * 1024)
    path = _xlsx(tmp_path / "bomb.xlsx", _header(), extra={"xl/sharedStrings.xml": "0" * (5 * 1024 * 1024)})
    assert "解压后超过4 MB" in _refused(path)


def test_a_csv_past_the_limits_is_refused(tmp_path, db):
    path = tmp_path / "wide.csv"
    path.write_text("姓名,身份证号\n" + ",".join(["1"] * 5000) + "\n", encoding="utf-8")
    assert "表格过大" in _refused(path)


def test_an_ordinary_workbook_passes_the_checks(tmp_path, db):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "村（社区）代码"] + [f"备注{i}" for i in range(40)])
    for n in range(300):
        ws.append([f"人{n}", "", "990101001001"] + ["x"] * 40)
    wb.save(tmp_path / "ok.xlsx")
    spreadsheets.check_workbook(tmp_path / "ok.xlsx")
    result = import_persons(tmp_path / "ok.xlsx", dry_run=True)
    assert all(error.row > 0 for error in result.errors)  # row errors (no birth dates), none for the file


def test_the_error_workbook_is_built_by_the_job_and_only_sent_by_the_download(
        tmp_path, client_for, django_capture_on_commit_callbacks, monkeypatch):
    from guanai.registry import exporting

    path = tmp_path / "bad.csv"
    path.write_text("姓名,身份证号,村（社区）代码\n坏行,12345,990101001001\n", encoding="utf-8")
    client = client_for("village")
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle})
    job_id = int(response["Location"].rstrip("/").split("/")[-1])

    def no_building(*args, **kwargs):
        raise AssertionError("the download built the workbook")

    monkeypatch.setattr(exporting, "build_error_workbook", no_building)
    download = client.get(f"/persons/import/{job_id}/errors.xlsx")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert not Person.objects.filter(name="坏行").exists()


@pytest.mark.parametrize("name", ["wide.xlsx"])
def test_a_giant_workbook_through_the_page_gets_the_message(tmp_path, name, client_for,
                                                             django_capture_on_commit_callbacks):
    wide = "".join(f'<c r="{_column(i)}2"><v>1</v></c>' for i in range(1, 5000))
    path = _xlsx(tmp_path / name, _header() + f'<row r="2">{wide}</row>')
    client = client_for("village")
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle})
    page = client.get(response["Location"]).content.decode()
    assert "表格过大" in page
