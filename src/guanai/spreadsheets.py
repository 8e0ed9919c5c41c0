"""Reading real-world tables: .xlsx, .xls and .csv, streamed row by row.

Offices' sheets carry title rows above the header, merged cells, headers with
notes such as （必填）, and numbers where text was meant. This module finds the
header among the first rows, maps its cells to field names through synonyms,
and yields each data row with the row number Excel shows. Workbooks going out write every
cell of user data with ``text_cell``.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from guanai.textproc.cells import match_header
from guanai.textproc.encoding import decode_chinese_text

HEADER_SEARCH_ROWS = 20
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_cell(sheet, value):
    """A cell for ``sheet`` (ordinary or write-only; ``sheet.append`` places it) holding ``value``
    as it is, text as a text cell (type "s", never "f"): =HYPERLINK(...) arrives in Excel as
    that text, not as a formula, and =1+1 imports back as =1+1 (no apostrophe added)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def put_cell(sheet, row: int, column: int, value):
    """``sheet.cell(row, column)`` of an ordinary sheet holding ``value``, text as a text cell
    (as ``text_cell`` does for rows appended)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


SUPPORTED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}

# What no register has: a workbook past these is refused when it is opened, before a
# reader holds it in memory (a 3.6 MB .xlsx can hold one row of 31 million cells).
MAX_COLUMNS = 702  # columns A to ZZ
MAX_ROWS = 1_000_000
MAX_CELLS = 10_000_000
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  # everything inside an .xlsx, decompressed
MAX_XLS_BYTES = 64 * 1024 * 1024
MAX_CSV_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024


logger = logging.getLogger(__name__)


class SpreadsheetError(ValueError):
    """The file cannot be read as a table (message in Chinese)."""


@dataclass
class Table:
    columns: dict[str, int]  # field name -> column index
    header_row: int  # Excel row number of the header
    header_labels: list[str]
    rows: Iterator[tuple[int, list]]  # (Excel row number, cell values)
    total_rows: int | None = None  # rows in the sheet (header included) when known

    def record(self, values: list) -> dict:
        return {field: (values[idx] if idx < len(values) else None) for field, idx in self.columns.items()}


def _decode_csv(data: bytes) -> str:
    text = decode_chinese_text(data)
    if text is None:
        raise SpreadsheetError("CSV文件编码无法识别，请另存为UTF-8编码后重试")
    return text


def _unreadable(path: Path, exc: Exception) -> SpreadsheetError:
    # The reader's own words are English and technical: kept in the log, not shown.
    logger.warning("cannot read spreadsheet %s: %s", path.name, exc)
    return SpreadsheetError("无法读取表格文件：文件可能已损坏，或并非Excel表格，请用Excel打开后另存为.xlsx再试")


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    """The rows of a CSV text, numbered; a row the csv module cannot read, or a table past
    the limits, is refused when the file is opened (one quick pass first), so an import never
    stops half-way through."""
    number = cells = 0
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells += len(values)
            _check_size("", number, len(values), cells)
    except csv.Error as exc:
        logger.warning("cannot read CSV row %s: %s", number + 1, exc)
        raise SpreadsheetError(f"CSV文件第{number + 1}行无法读取：单元格内容过长或引号不成对") from exc
    return enumerate(csv.reader(io.StringIO(text)), start=1)


def _too_big(what: str) -> SpreadsheetError:
    return SpreadsheetError(f"表格过大：{what}。人员、区划等登记表不会这样大，请检查文件，或拆分后分批导入")


def _check_size(sheet: str, rows: int, row_cells: int, cells: int) -> None:
    where = f"工作表“{sheet}”" if sheet else "文件"
    if row_cells > MAX_COLUMNS:
        raise _too_big(f"{where}第{rows}行有{row_cells}个单元格，超过{MAX_COLUMNS}列的上限")
    if rows > MAX_ROWS:
        raise _too_big(f"{where}超过{MAX_ROWS}行")
    if cells > MAX_CELLS:
        raise _too_big(f"{where}的单元格超过{MAX_CELLS}个")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData")
_DIGITS = re.compile(rb"\d+")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(path: str | Path) -> None:
    """Refuse, with a Chinese message, a workbook that no register is: too many columns,
    rows or cells in a sheet, or too much inside the file once unpacked. An .xlsx is read as
    a stream (its declared sizes, each sheet's declared dimension, then its cells counted
    chunk by chunk) without building the sheet; .xls and .csv files by their size."""
    path = Path(path)
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if suffix == ".csv" and size > MAX_CSV_BYTES:
        raise _too_big(f"CSV文件超过{MAX_CSV_BYTES // 1024 // 1024} MB")
    if suffix == ".xls" and size > MAX_XLS_BYTES:
        raise _too_big(f".xls文件超过{MAX_XLS_BYTES // 1024 // 1024} MB")
    if suffix in (".xlsx", ".xlsm"):
        _check_xlsx(path, path.stat().st_mtime_ns, size)


@functools.lru_cache(maxsize=16)
def _check_xlsx(path: Path, _mtime: int, _size: int) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable(path, exc) from exc
    with archive:
        members = archive.infolist()
        # The sizes a member declares are all zipfile will unpack of it.
        if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
            raise _too_big(f"文件解压后超过{MAX_UNZIPPED_BYTES // 1024 // 1024} MB")
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _scan_sheet(archive, member, Path(name).stem)


def _scan_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, sheet: str) -> None:
    """Stream one sheet's XML. Cells carry their address (r="K12", as Excel writes them): one
    regular-expression pass per chunk finds a cell right of the widest so far, a row number
    past the limit, or a cell without an address; the sheet's extent is the widest column by
    the last row. A sheet whose cells have no addresses is counted row by row instead."""
    col_max = row_max = 0
    prefix = None
    counter = None  # _RowCounter once a cell without an address is met
    carry = b""
    try:
        with archive.open(member) as stream:
            while True:
                data = stream.read(_CHUNK)
                block = carry + data
                if prefix is None:
                    _check_dimension(block, sheet)
                    found = _SHEET_DATA.search(block)
                    if found is None and data:
                        carry = block[-64 * 1024:]  # the sheet data starts further on
                        continue
                    prefix = (found.group(1) or b"") if found else b""
                # A tag starting near the chunk's end may be cut: it goes, whole from its "<", with
                # the next chunk (a tag's start further back is read with enough after it).
                cut = block.rfind(b"<", max(0, len(block) - 256)) if data else -1
                body, carry = (block[:cut], block[cut:]) if cut >= 0 else (block, b"")
                if counter is None and _odd_cell(prefix).search(body):
                    counter = _RowCounter(prefix, sheet)
                if counter is None:
                    position = 0
                    while (hit := _probe(prefix, col_max).search(body, position)) is not None:
                        if hit.group("bare") is not None:
                            counter = _RowCounter(prefix, sheet)
                            break
                        if hit.group("far") is not None:
                            raise _too_big(f"工作表“{sheet}”超过{MAX_ROWS}行")
                        col_max = _column_number(hit.group("col"))
                        if col_max > MAX_COLUMNS:
                            raise _too_big(f"工作表“{sheet}”有超过{MAX_COLUMNS}列的单元格")
                        position = hit.end()
                    last = body.rfind(b"<" + prefix + b'row r="')
                    if last >= 0:
                        digits = _DIGITS.match(body, last + len(prefix) + 8)
                        row_max = max(row_max, int(digits.group()) if digits else 0)
                    if row_max > MAX_ROWS:
                        raise _too_big(f"工作表“{sheet}”超过{MAX_ROWS}行")
                    if col_max * row_max > MAX_CELLS:
                        raise _too_big(f"工作表“{sheet}”有{row_max}行、{col_max}列，单元格超过{MAX_CELLS}个")
                if counter is not None:
                    counter.feed(body)
                if not data:
                    break
    except zipfile.BadZipFile as exc:
        raise _unreadable(Path(member.filename), exc) from exc


@functools.lru_cache(maxsize=64)
def _probe(prefix: bytes, col_max: int) -> re.Pattern:
    """A cell right of column ``col_max``, a cell in a row past MAX_ROWS, or a cell without an
    address (written as Excel writes cells: ``<c r="B7" ...>``)."""
    return re.compile(b"<" + prefix + rb'c (?:r="(?P<col>' + _columns_beyond(col_max) + rb")\d"
                      + rb'|r="[A-Z]{1,3}(?P<far>\d{%d})' % len(str(MAX_ROWS + 1))
                      + rb'|(?P<bare>(?!r=")))')


@functools.lru_cache(maxsize=8)
def _odd_cell(prefix: bytes) -> re.Pattern:
    """A cell tag written otherwise (no attributes, or another blank after the name)."""
    return re.compile(b"<" + prefix + rb"c[\t\r\n>/]")


def _columns_beyond(n: int) -> bytes:
    """A pattern of the column letters of columns numbered above ``n`` (A is 1, up to 3 letters)."""
    if n < 26:
        return b"[A-Z]{2,3}|[%c-Z]" % (65 + n)
    if n < 702:
        first, second = (n - 1) // 26, (n - 1) % 26 + 1  # n is the two letters first, second
        options = [b"[A-Z]{3}"]
        if first < 26:
            options.append(b"[%c-Z][A-Z]" % (65 + first))
        if second < 26:
            options.append(b"%c[%c-Z]" % (64 + first, 65 + second))
        return b"|".join(options)
    return b"[A-Z]{3}"


class _RowCounter:
    """Rows and cells counted one by one, for cells without addresses (their columns follow
    from their order): a row's cells, the rows and all cells against the limits."""

    def __init__(self, prefix: bytes, sheet: str):
        self.row_tag = b"<" + prefix + b"row"
        self.cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>")
        self.sheet = sheet
        self.rows = self.row_cells = self.cells = 0

    def feed(self, body: bytes) -> None:
        for index, part in enumerate(body.split(self.row_tag)):
            if index:
                self.rows += 1
                self.row_cells = 0
            counted = part.count(self.cell_tags[0]) + part.count(self.cell_tags[1])
            self.row_cells += counted
            self.cells += counted
            _check_size(self.sheet, self.rows, self.row_cells, self.cells)


def _check_dimension(head: bytes, sheet: str) -> None:
    found = _DIMENSION.search(head[:64 * 1024])
    if found is None or found.group(3) is None:
        return
    columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
    rows = int(found.group(4)) - int(found.group(2)) + 1
    if columns > MAX_COLUMNS:
        raise _too_big(f"工作表“{sheet}”声明有{columns}列，超过{MAX_COLUMNS}列的上限")
    if rows > MAX_ROWS:
        raise _too_big(f"工作表“{sheet}”声明有{rows}行，超过{MAX_ROWS}行的上限")
    if columns * rows > MAX_CELLS:
        raise _too_big(f"工作表“{sheet}”声明有{columns * rows}个单元格，超过{MAX_CELLS}个的上限")


def visible_sheets(path: str | Path) -> list[int]:
    """Indexes of the visible worksheets of a workbook ([0] for a CSV file)."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES - {".csv"}:
        return [0]
    check_workbook(path)
    try:
        metadata = CalamineWorkbook.from_path(str(path)).sheets_metadata
    except Exception as exc:
        raise _unreadable(path, exc) from exc
    indexes = [i for i, m in enumerate(metadata)
               if "Hidden" not in str(m.visible) and "WorkSheet" in str(m.typ)]
    return indexes or [0]


def _open_rows(path: str | Path, sheet: int = 0) -> tuple[int | None, Iterator[tuple[int, list]]]:
    """(number of rows when known, iterator of rows); raises SpreadsheetError."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SpreadsheetError(f"不支持的文件类型“{suffix or path.name}”，请上传 .xlsx、.xls 或 .csv 文件")
    check_workbook(path)
    if suffix == ".csv":
        text = _decode_csv(path.read_bytes())
        return None, _csv_rows(text)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        worksheet = workbook.get_sheet_by_index(sheet)
    except Exception as exc:  # calamine raises several types for a damaged file
        raise _unreadable(path, exc) from exc
    return worksheet.height, _sheet_rows(worksheet)


def _sheet_rows(sheet) -> Iterator[tuple[int, list]]:
    merged = _merged_fill_map(sheet)
    first_row = sheet.start[0] if sheet.start else 0
    first_col = sheet.start[1] if sheet.start else 0
    if not merged and not first_col:
        # The common sheet: calamine's rows as they come (a fresh list each), numbered.
        yield from zip(itertools.count(first_row + 1), sheet.iter_rows())
        return
    fill = _MergedFill(merged)
    for offset, values in enumerate(sheet.iter_rows()):
        row_index = first_row + offset
        values = [None] * first_col + list(values)
        fill(values, row_index)
        yield row_index + 1, values


def _merged_fill_map(sheet):
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:
        return []
    return [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in ranges]


class _MergedFill:
    """A merged block keeps its value only in the top-left cell; this copies it across the
    block so each row reads complete (a village name merged over many rows). Rows come in
    order, so only the blocks spanning the current row are looked at: a sheet with
    thousands of merged blocks costs no more per row than one with a few."""

    def __init__(self, merged):
        self.pending = sorted(merged, reverse=True)  # by first row, the next one last
        self.active: list[list] = []  # [r0, c0, r1, c1, carried value]

    def __call__(self, values: list, row_index: int) -> None:
        pending = self.pending
        while pending and pending[-1][0][0] <= row_index:
            (r0, c0), (r1, c1) = pending.pop()
            self.active.append([r0, c0, r1, c1, None])
        if not self.active:
            return
        self.active = [block for block in self.active if block[2] >= row_index]
        for block in self.active:
            r0, c0, _r1, c1, _value = block
            if len(values) <= c1:
                values.extend([None] * (c1 + 1 - len(values)))
            if row_index == r0:
                block[4] = values[c0]
            for col in range(c0, c1 + 1):
                if (col != c0 or row_index != r0) and values[col] in (None, ""):
                    values[col] = block[4]


def open_table(path: str | Path, synonyms: dict[str, list[str]], required: set[str], sheet: int = 0) -> Table:
    """Find the header row and map it; raise SpreadsheetError naming missing columns."""
    total_rows, rows = _open_rows(path, sheet)
    best = None
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            number, values = next(rows)
        except StopIteration:
            break
        columns: dict[str, int] = {}
        for idx, cell in enumerate(values):
            field = match_header(str(cell), synonyms) if cell not in (None, "") else None
            if field and field not in columns:
                columns[field] = idx
        if required <= set(columns):
            return Table(columns, number, [str(v or "") for v in values], rows, total_rows)
        if best is None or len(columns) > len(best[1]):
            best = (number, columns)
    labels = {field: names[0] for field, names in synonyms.items()}
    found = set(best[1]) if best else set()
    missing = "、".join(labels[f] for f in sorted(required - found, key=list(synonyms).index))
    raise SpreadsheetError(f"未找到表头：表格前{HEADER_SEARCH_ROWS}行中缺少必需的列“{missing}”")
