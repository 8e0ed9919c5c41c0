"""The persons importer: open the sheets, validate row by row, write in batches inside one
transaction, then indexes, tallies and the audit event."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from datetime import date
from pathlib import Path

from django.db import connection, transaction

from guanai.core import clock
from guanai.core.db import inserts_in_background
from guanai.core.jobs import refuse_if_limited
from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.scoping import area_problem
from guanai.importing import ImportResult, RowError, no_progress, register
from guanai.spreadsheets import SpreadsheetError, open_table, visible_sheets
from guanai.stats.tallies import invalidate_tallies, refresh_villages
from guanai.tasks import task
from guanai.textproc.cells import clean_text

from .. import categories as cat
from .columns import PERSON_COLUMNS, REQUIRED_COLUMNS
from .validation import NOTE_ROW, Row, Validator, is_blank
from .villages import Villages
from .writing import SHEET_STRIDE, INLINE_TALLY_ROWS, Writer

BATCH_SIZE = 2000

# --- the importer -----------------------------------------------------------


@register("persons", "人员", error_workbook="guanai.registry.exporting.build_error_workbook")
def import_persons(path, *, user=None, dry_run=False, options=None, progress=no_progress) -> ImportResult:
    """Import persons from every visible sheet of ``path`` that has a 姓名 and a 身份证号 column.

    options: ``area`` (12-digit code the rows belong under), ``category`` (a
    category name for rows that give none), ``all_or_nothing`` (store nothing
    when any row has an error).
    """
    options = options or {}
    result = ImportResult()
    today = clock.today()

    base, base_name, problem = _base_area(user, options.get("area"))
    if problem:
        result.errors.append(RowError(0, "", problem))
        return result
    default_category = None
    if options.get("category"):
        default_category = cat.category_from_text(str(options["category"]))
        if default_category is None:
            known = "、".join(label for _c, label in cat.CATEGORY_CHOICES)
            result.errors.append(RowError(0, "", f"无法识别的人员类别“{options['category']}”，可选：{known}"))
            return result
    default_area = base if base and codes.level_of(base) == codes.VILLAGE else None

    try:
        tables = open_tables(path)
    except SpreadsheetError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result

    villages = Villages(user, base)
    villages.base_name = base_name
    writer = Writer(user, result, dry_run)
    writer.expected_rows = sum(t.total_rows or 0 for _name, t in tables)
    all_or_nothing = bool(options.get("all_or_nothing"))
    total = sum(t.total_rows or 0 for _name, t in tables) or None
    several = len(tables) > 1
    # Person key (16 bytes of the ID hash, or the no-ID key) -> where its first row is:
    # sheet position * SHEET_STRIDE + row number. Compact: it holds every row of the file.
    seen: dict = {}
    done = 0

    atomic = contextlib.nullcontext() if dry_run else transaction.atomic()
    with _bigger_cache(), _no_cycle_collection(), atomic, inserts_in_background():
        for sheet_pos, (sheet_name, table) in enumerate(tables):
            validator = Validator(table, villages, default_category, default_area, today)
            if "village_code" not in table.columns and "village" not in table.columns and not default_area:
                result.errors.append(RowError(table.header_row, "", _in_sheet(
                    several, sheet_name, "缺少“村（社区）代码”或“所在村（社区）”列；或在导入时选择一个村（社区）")))
                continue
            batch: list[Row] = []
            first_error = len(result.errors)
            name_i, id_i = validator.idx["name"], validator.idx["id_number"]
            for number, values in table.rows:
                done += 1
                values = validator.pad(values)
                name_cell, id_cell = values[name_i], values[id_i]
                if ((id_cell is None or id_cell == "" or (type(id_cell) is str and id_cell.isspace()))
                        and (is_blank(name_cell) or (type(name_cell) is str and NOTE_ROW.match(
                        name_cell.strip()))) and validator.is_blank_or_note(values)):
                    continue
                row, errors = validator.validate(number, values)
                if errors:
                    result.errors.extend(errors)
                    continue
                key = bytes.fromhex(row.id_hash[:32]) if row.id_hash else row.key
                earlier = seen.get(key)
                if earlier is not None:
                    earlier_sheet, earlier_row = divmod(earlier, SHEET_STRIDE)
                    where = (f"工作表“{tables[earlier_sheet][0]}”第{earlier_row}行"
                             if several and earlier_sheet != sheet_pos else f"第{earlier_row}行")
                    column = "id_number" if row.id_hash else "name"
                    result.errors.append(RowError(number, validator.label(column), f"与{where}是同一人（重复）"))
                    continue
                seen[key] = sheet_pos * SHEET_STRIDE + number
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    writer.apply(batch)
                    batch = []
                    progress(done, total, f"已处理{done}行")
                    _test_pause_per_batch()
            if batch:
                writer.apply(batch)
            if several:
                for error in result.errors[first_error:]:
                    error.message = _in_sheet(True, sheet_name, error.message)
        progress(done, total or done, f"已处理{done}行")
        result.errors.sort(key=lambda e: e.row)

        if dry_run:
            return result
        if all_or_nothing and result.errors:
            transaction.set_rollback(True)  # the rollback also brings back any index dropped meanwhile
            return result
        if writer.indexes is not None and writer.indexes.dropped:
            progress(done, total or done, "正在重建索引")
            writer.indexes.restore()
        if writer.touched:
            # Bulk writes send no signals: bring the villages' dashboard tallies up to date, in
            # the same transaction for a small import, by the task worker after a large one.
            villages = {code: since and since.isoformat() for code, since in sorted(writer.touched.items())}
            if result.created + result.updated <= INLINE_TALLY_ROWS:
                # Inside the import's transaction, as every kept aggregate: they commit or roll back
                # with the records.
                progress(done, total or done, "正在更新统计")
                refresh_village_tallies.call(villages)
            else:
                # Until the worker has refreshed them, figures are counted from the records.
                invalidate_tallies()
                transaction.on_commit(lambda: refresh_village_tallies.enqueue(villages))
        from guanai.audit.models import AuditEvent
        from guanai.audit.services import record

        record(AuditEvent.IMPORT, user=user, object_type="registry.person", username="" if user else "（命令行）",
               detail=(f"导入人员：{Path(str(path)).name}，新增{result.created}，更新{result.updated}，"
                       f"未变{result.unchanged}，错误{len(result.errors)}"))
        _test_pause_in_commit()
        refuse_if_limited()  # a limit swallowed on the way: roll back rather than keep part of it
    result.committed = True
    return result


@task()
def refresh_village_tallies(village_codes: dict[str, str | None] | list[str]) -> None:
    """The kept figures of the villages an import changed, each from its earliest changed day (ISO
    date; None: every kept month): an import of new persons changes no past month end. A list (a
    job queued before an upgrade): every kept month."""
    if isinstance(village_codes, list):
        village_codes = dict.fromkeys(village_codes)
    refresh_villages({code: since and date.fromisoformat(since) for code, since in village_codes.items()})


def _in_sheet(several: bool, sheet_name: str, message: str) -> str:
    return f"［工作表“{sheet_name}”］{message}" if several else message


def open_tables(path) -> list:
    """(sheet name, Table) for each visible sheet with a person header; the first sheet's error if none has."""
    from python_calamine import CalamineWorkbook

    indexes = visible_sheets(path)
    names = {}
    if Path(str(path)).suffix.lower() != ".csv":
        names = dict(enumerate(CalamineWorkbook.from_path(str(path)).sheet_names))
    tables, first_error = [], None
    for index in indexes:
        try:
            tables.append((names.get(index, ""), open_table(path, PERSON_COLUMNS, REQUIRED_COLUMNS, sheet=index)))
        except SpreadsheetError as exc:
            first_error = first_error or exc
    if not tables:
        raise first_error or SpreadsheetError("文件中没有可导入的工作表")
    return tables


def _base_area(user, code) -> tuple[str | None, str, str | None]:
    """The area rows belong under: --area, else the user's own area; (code, name, problem)."""
    code = clean_text(code or "").replace(" ", "") or None
    if code:
        area, problem = area_problem(user, code, label="地区")
        if problem:
            return None, "", problem
        return code, area.name, None
    if user is not None and user_role(user) != roles.ADMIN:
        if user_role(user) not in roles.AREA_RECORD_ROLES or not user.area_id:
            return None, "", "您的账号无权导入人员档案"
        return user.area_id, user.area.name, None
    return None, "", None


@contextlib.contextmanager
def _bigger_cache(megabytes: int = 64):
    """On SQLite, a page cache large enough for the person table's indexes while the import
    runs (the default 2 MB makes every index insert go to disk); restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


@contextlib.contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused while the rows go through: each row makes a handful of
    short-lived containers (its cells, its Row, its insert tuples), none of them in a cycle, and
    the collector, run every few hundred of them, took about a twentieth of a large import.
    Reference counting still frees everything as it goes; the collector resumes afterwards
    (if it ran before: a caller that paused it keeps it paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _test_pause_per_batch() -> None:
    """Test hook: an import as slow as a big one on a busy server, so a browser test can watch
    its bar move whatever the speed of the machine it runs on."""
    seconds = os.environ.get("GUANAI_TEST_PAUSE_PER_BATCH")
    if seconds:
        time.sleep(float(seconds))


def _test_pause_in_commit() -> None:
    """Test hook: sleep inside the transaction so a test can kill the process mid-commit."""
    seconds = os.environ.get("GUANAI_TEST_PAUSE_IN_COMMIT")
    if seconds:
        sys.stderr.write("GUANAI_TEST_PAUSE_IN_COMMIT: paused inside the transaction\n")
        sys.stderr.flush()
        time.sleep(float(seconds))
