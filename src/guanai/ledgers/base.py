"""One way to export a ledger (台账) for every list page.

An app registers a *source* per ledger: ``(user, params) -> Source``, where ``params`` is the list
page's query string as a plain dict, parsed by the same function the list page uses, and the
records come through ``areas.scoping``. A filter the list page refused (a period not begun or
unreadable: the page shows its default with the reason) refuses the ledger (``Refused``): never a
file of other dates. ``export`` writes it at once, or starts a background job
when the area is above a township or the rows are many; either way the rows stream into a
write-only workbook (openpyxl writes each row to disk as it comes, strings inline), so memory
stays flat however long the ledger. Every export is audited with its conditions.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from guanai.areas import codes
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.core import uploads
from guanai.core.jobs import runner, start_job
from guanai.spreadsheets import text_cell

from .office import default_filler, office_fields

# Above this many rows, or for an area above a township, the export runs in the background.
ROW_LIMIT = 5000
JOB_KIND = "ledger"
PROGRESS_EVERY = 2000

_TITLE_FONT = Font(bold=True, size=16, name="SimHei")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class Source:
    """What a ledger writes: its columns (header, width), its rows (values, lazily), and how many
    (a function: a large area goes to the background without being counted in the request)."""

    title: str
    columns: list[tuple[str, int]]
    rows: Callable[[], Iterable[list]]
    count: Callable[[], int]
    area: object | None = None  # the Area the ledger covers (None: every area the user sees)
    period: str = ""  # 统计期间 as written, or ""
    conditions: str = ""  # the list's filters in words (shown and audited)
    object_type: str = ""
    audit_note: str = ""  # e.g. 身份证号完整 (the audit says what left)
    sheet_title: str = ""
    refused: str = ""  # the list page's reason for refusing a filter (Listing.problem): nothing is written
    summed: tuple[str, ...] = ()  # headers of the columns that add up (money, counts): totalled on 合计

    def __post_init__(self):
        unknown = set(self.summed) - {header for header, _width in self.columns}
        if unknown:  # a mistake of the source's, found before a workbook is begun
            raise ValueError(f"{self.title}: no column {sorted(unknown)} to sum")

    def place(self, area) -> str:
        """A row's village (or area) as the ledger names it: with its township when the ledger spans
        several, as the list does (Area.place; rows select_related("area__parent__parent"))."""
        return area.place_label(self.area.code if self.area is not None else None)

    @property
    def area_name(self) -> str:
        return self.area.full_name if self.area is not None else "全部区划"


@dataclass
class Export:
    """The outcome: a file to send now, or a job to follow."""

    path: Path | None = None
    filename: str = ""
    rows: int = 0
    job: object | None = None
    extra: dict = field(default_factory=dict)


class Refused(Exception):
    """A ledger not written: its list refused a filter (the reason, in Chinese, is the message)."""

    def __init__(self, reason: str, title: str):
        super().__init__(reason)
        self.title = title


_SOURCES: dict[str, Callable[..., Source]] = {}


def register(name: str):
    """``@register("care.visits")`` on ``source(user, params) -> Source``."""

    def decorate(func):
        _SOURCES[name] = func
        return func

    return decorate


def source_for(name: str, user, params: Mapping[str, str]) -> Source:
    """The ledger's source, or ``Refused``: before any job starts or any row is written."""
    source = _SOURCES[name](user, params)
    if source.refused:
        raise Refused(source.refused, source.title)
    if source.area is None and user.area_id:  # no area asked: the user's own is the ledger's
        source.area = user.area
    return source


def needs_job(source: Source, user) -> bool:
    """Large areas go to the background: above a township, or more rows than ``ROW_LIMIT``."""
    code = source.area.code if source.area is not None else user.area_id
    above_township = not code or codes.level_of(code) < codes.TOWNSHIP
    return above_township or source.count() > ROW_LIMIT


def filename(source: Source) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{source.area.name if source.area is not None else ''}{source.title}-{stamp}.xlsx"


def write(source: Source, *, user, path: str | Path, progress=None, total: int | None = None) -> int:
    """Stream ``source`` into ``path``: title, area and period, 填报单位/填报人/制表日期, the
    column headers (repeated on each printed page), the rows, 合计 (the rows' count, and each
    ``summed`` column's sum under it). Returns the rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet((source.sheet_title or source.title)[:31])
    for i, (_header, width) in enumerate(source.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    header_row = 5 if source.conditions else 4
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    title = text_cell(sheet, f"{source.area.full_name if source.area is not None else ''}{source.title}")
    title.font = _TITLE_FONT
    sheet.append([title])
    sheet.append([text_cell(sheet, f"区划：{source.area_name}"),
                  text_cell(sheet, f"统计期间：{source.period or '全部日期'}")])
    sheet.append([text_cell(sheet, text) for text in office_fields(filler=default_filler(user), made_by=user)])
    if source.conditions:
        sheet.append([text_cell(sheet, f"筛选条件：{source.conditions}")])
    headers = []
    for header, _width in source.columns:
        cell = text_cell(sheet, header)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        headers.append(cell)
    sheet.append(headers)

    count = 0
    total = total or 0
    sums = _Sums(source)
    for values in source.rows():
        sheet.append([text_cell(sheet, v) if isinstance(v, str) else WriteOnlyCell(sheet, value=v) for v in values])
        sums.add(values)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, max(total, count), f"已写入{count}条")
    sheet.append([])
    footer = [WriteOnlyCell(sheet, value=v) for v in sums.line(len(source.columns))]
    footer[0] = text_cell(sheet, f"合计：共{count}条")
    for cell in footer:
        cell.font = _HEADER_FONT
    sheet.append(footer)
    book.save(path)
    return count


class _Sums:
    """The ``summed`` columns' totals, added row by row as the rows stream (exact in decimals: money
    in yuan and cents adds up to the cent, as a float sum may not)."""

    def __init__(self, source: Source):
        headers = [header for header, _width in source.columns]
        self._totals = {headers.index(header): Decimal(0) for header in source.summed}
        self._fractional: set[int] = set()

    def add(self, values: list) -> None:
        for i in self._totals:
            value = values[i] if i < len(values) else None
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                continue  # an empty cell (a village yet to report) adds nothing
            if not isinstance(value, int):
                self._fractional.add(i)
            self._totals[i] += Decimal(str(value))

    def line(self, width: int) -> list:
        """The total line's values, each sum under its column (an int where every value was)."""
        values: list = [None] * width
        for i, value in self._totals.items():
            values[i] = float(value) if i in self._fractional else int(value)
        return values


def _audit(source: Source, *, user, rows: int, request=None) -> None:
    detail = f"导出{source.title}{rows}条，区划：{source.area_name}"
    if source.period:
        detail += f"，期间：{source.period}"
    if source.conditions:
        detail += f"，条件：{source.conditions}"
    if source.audit_note:
        detail += f"（{source.audit_note}）"
    record(AuditEvent.EXPORT, user=user, request=request, object_type=source.object_type, detail=detail[:300])


def _temporary() -> Path:
    handle = tempfile.NamedTemporaryFile(prefix="guanai-ledger-", suffix=".xlsx", delete=False)
    handle.close()
    return Path(handle.name)


def export(name: str, *, user, params: Mapping[str, str], request=None) -> Export:
    """The ledger ``name`` with the list's ``params``: written now (and audited), or as a job;
    ``Refused`` when the list refused one of them."""
    source = source_for(name, user, params)
    if needs_job(source, user):
        label = f"导出{source.area_name}{source.title}"[:200]
        job = start_job(JOB_KIND, label, user, {"ledger": name, "params": dict(params)})
        return Export(job=job)
    path = _temporary()
    rows = write(source, user=user, path=path)
    _audit(source, user=user, rows=rows, request=request)
    return Export(path=path, filename=filename(source), rows=rows)


@runner(JOB_KIND, retry_safe=True)
def _run_ledger(job, progress) -> dict:
    """The export of a large area: the same source (the user's scope at run time), sealed at rest
    until downloaded (kept ``uploads.KEEP``)."""
    from django.urls import reverse

    source = source_for(job.params["ledger"], job.user, job.params.get("params") or {})
    total = source.count()
    progress(0, total, "正在导出")
    path = _temporary()
    try:
        rows = write(source, user=job.user, path=path, progress=progress, total=total)
        sealed = uploads.seal(path)
    finally:
        path.unlink(missing_ok=True)
    _audit(source, user=job.user, rows=rows)
    return {"file": sealed, "filename": filename(source), "rows": rows,
            "expires": uploads.expiry().isoformat(),
            "url": reverse("ledger_download", args=[job.pk]), "url_label": f"下载{source.title}（{rows}条）"}
