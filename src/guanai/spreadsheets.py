"""Reading real-world tables: .xlsx, .xls and .csv, streamed row by row.

Offices' sheets carry title rows above the header, merged cells, headers with
notes such as （必填）, and numbers where text was meant. This module finds the
header among the first rows, maps its cells to field names through synonyms,
and yields each data row with the row number Excel shows.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from guanai.textproc.cells import match_header

HEADER_SEARCH_ROWS = 20
SUPPORTED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


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
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError("CSV文件编码无法识别，请另存为UTF-8编码后重试")


def _unreadable(path: Path, exc: Exception) -> SpreadsheetError:
    # The reader's own words are English and technical: kept in the log, not shown.
    logger.warning("cannot read spreadsheet %s: %s", path.name, exc)
    return SpreadsheetError("无法读取表格文件：文件可能已损坏，或并非Excel表格，请用Excel打开后另存为.xlsx再试")


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    """The rows of a CSV text, numbered; a row the csv module cannot read is refused when the
    file is opened (one quick pass first), so an import never stops half-way through."""
    number = 0
    try:
        for number, _values in enumerate(csv.reader(io.StringIO(text)), start=1):
            pass
    except csv.Error as exc:
        logger.warning("cannot read CSV row %s: %s", number + 1, exc)
        raise SpreadsheetError(f"CSV文件第{number + 1}行无法读取：单元格内容过长或引号不成对") from exc
    return enumerate(csv.reader(io.StringIO(text)), start=1)


def visible_sheets(path: str | Path) -> list[int]:
    """Indexes of the visible worksheets of a workbook ([0] for a CSV file)."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES - {".csv"}:
        return [0]
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
