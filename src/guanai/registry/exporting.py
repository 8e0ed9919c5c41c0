"""Workbooks going out: the import template, the error workbook of an import,
and the export of a (scoped, filtered) list of persons.

Every cell written from user data is a text cell (``spreadsheets.text_cell``: data type "s"), so that a
value such as ``=HYPERLINK(...)`` arrives in Excel as that text, not as a formula, and imports
back unchanged (no apostrophe added to the value).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from guanai.importing import RowError
from guanai.spreadsheets import XLSX_CONTENT_TYPE, text_cell  # noqa: F401  (XLSX_CONTENT_TYPE: the pages use it)

from . import categories as cat
from . import crypto
from .importers import ETHNICITIES

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")


# --- the template -------------------------------------------------------------

# (header, width, note, drop-down list name or None, required)
_COMMON = [
    ("姓名", 10, "必填", None, True),
    ("性别", 6, "男/女；可不填，按身份证号推定", "性别", False),
    ("民族", 8, None, "民族", False),
    ("出生日期", 12, "如2010-5-3、2010年5月3日或20100503；可不填，按身份证号推定", None, False),
    ("身份证号", 21, "18位，请按文本格式填写（本列已设为文本）", None, True),
    ("联系电话", 14, None, None, False),
    ("村（社区）代码", 15, "12位统计用区划代码；与“所在村（社区）”二选一", None, False),
    ("所在村（社区）", 12, "村（社区）名称，须在所选地区下唯一", None, False),
    ("现住址", 24, None, None, False),
    ("户籍所在地", 20, None, None, False),
    ("人员类别", 14, "从下拉列表中选择；多个类别用顿号分隔", "人员类别", True),
]
_CHILD = [
    ("监护情况", 16, None, "监护情况", False),
    ("委托监护人", 10, None, None, False),
    ("监护人电话", 14, None, None, False),
    ("父亲", 10, None, None, False),
    ("母亲", 10, None, None, False),
    ("就学情况", 10, None, "就学情况", False),
]
TEMPLATE_SHEETS = [
    ("儿童", _COMMON + _CHILD, ["农村留守儿童", "困境儿童"]),
    ("老年人", _COMMON, ["空巢老人", "独居老人", "失独家庭", "失能/半失能老人"]),
    ("其他人员", _COMMON, ["残疾人", "低保/困难家庭", "建档立卡贫困户", "留守妇女"]),
]
TEMPLATE_ROWS = 2000  # rows prepared with text format and drop-downs


def _option_lists() -> dict[str, list[str]]:
    return {
        "性别": ["男", "女"],
        "民族": ETHNICITIES,
        "人员类别": [label for _c, label in cat.CATEGORY_CHOICES],
        "监护情况": [label for _c, label in cat.GUARDIANSHIP_RATING],
        "就学情况": [label for _c, label in cat.SCHOOLING],
    }


def build_template(path: str | Path) -> Path:
    """The import template: one sheet per kind of person, Chinese headers,
    drop-downs for enumerations (lists on a hidden sheet), ID and phone columns as text."""
    wb = Workbook()
    wb.remove(wb.active)
    options = _option_lists()
    lists = wb.create_sheet("选项")
    list_ranges = {}
    for col, (title, values) in enumerate(options.items(), start=1):
        letter = get_column_letter(col)
        lists.cell(row=1, column=col, value=title)
        for i, value in enumerate(values, start=2):
            lists.cell(row=i, column=col, value=value)
        list_ranges[title] = f"选项!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"

    for position, (title, columns, _kinds) in enumerate(TEMPLATE_SHEETS):
        ws = wb.create_sheet(title, position)
        for col, (header, width, note, choice, required) in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=col, value=header)
            cell.font = _HEADER_FONT
            cell.fill = _REQUIRED_FILL if required else _HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if note:
                cell.comment = Comment(note, "关爱平台")
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = width
            if header in ("身份证号", "联系电话", "监护人电话", "村（社区）代码", "出生日期"):
                for row in range(2, TEMPLATE_ROWS + 2):
                    ws.cell(row=row, column=col).number_format = "@"
            if choice:
                dv = DataValidation(type="list", formula1=f"={list_ranges[choice]}", allow_blank=True,
                                    showErrorMessage=choice != "人员类别")
                dv.error = f"请从下拉列表中选择{header}"
                dv.errorTitle = "输入有误"
                dv.prompt = f"请选择{header}"
                dv.promptTitle = header
                dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"

    notes = wb.create_sheet("填写说明", len(TEMPLATE_SHEETS))
    notes.column_dimensions["A"].width = 100
    for line in [
        "人员信息导入模板填写说明",
        "1. 按人员类型在“儿童”“老年人”“其他人员”工作表中填写，每行一人；不需要的工作表留空即可。",
        "2. 姓名、身份证号、人员类别为必填；身份证号请按文本填写，避免被表格软件改成科学计数法。",
        "3. 所在村（社区）可填写12位村（社区）代码，或填写名称（须在所选地区下唯一，重名时请填写代码）。",
        "4. 出生日期、性别可不填，系统按身份证号推定；填写时须与身份证号一致。",
        "5. 系统按身份证号识别人员：再次导入同一人时更新其信息，不会重复建档；空白单元格不会清除已有信息。",
        "6. 导入前系统逐行校验并给出预览，确认后才写入；有错误的行可下载错误清单，改正后重新导入。",
        "示例：张小明，男，汉族，2014-03-05，110105201403050017，13800138000，村（社区）代码110105001001，人员类别：农村留守儿童",
    ]:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    wb.save(path)
    return Path(path)


# --- the error workbook ----------------------------------------------------------

ERROR_COLUMN = "错误说明"
ROW_COLUMN = "原行号"


def build_error_workbook(source: str | Path, errors: Iterable[dict | RowError], path: str | Path) -> Path:
    """The rows of ``source`` that had errors, as they were, plus 原行号 and 错误说明 columns.

    Errors name their sheet in the message (［工作表“X”］) when the file had
    several; each such sheet gets its own sheet here, with its header row first.
    """
    from .importers import open_tables

    by_row: dict[tuple[str, int], list[str]] = {}
    whole_file: list[str] = []
    for error in errors:
        if isinstance(error, RowError):
            error = {"row": error.row, "column": error.column, "message": error.message}
        sheet, message = _split_sheet(error["message"])
        text = f"{error['column']}：{message}" if error["column"] else message
        if error["row"]:
            by_row.setdefault((sheet, int(error["row"])), []).append(text)
        else:
            whole_file.append(text)

    wb = Workbook(write_only=True)
    try:
        tables = open_tables(source) if by_row else []
    except Exception:  # the upload is gone or unreadable: list the errors alone
        tables = []
    several = len(tables) > 1
    written = False
    for name, table in tables:
        rows = {row: msgs for (sheet, row), msgs in by_row.items() if sheet == (name if several else "")}
        if not rows:
            continue
        ws = wb.create_sheet((name or "错误清单")[:31])
        ws.append([_header_cell(ws, v) for v in table.header_labels]
                  + [_header_cell(ws, ROW_COLUMN), _header_cell(ws, ERROR_COLUMN)])
        header_messages = rows.pop(table.header_row, None)
        last = max(rows, default=0)
        width = len(table.header_labels)
        for number, values in table.rows:
            if number > last:
                break
            if number in rows:
                cells = [text_cell(ws, _plain(v)) for v in values]
                cells += [None] * (width - len(cells))
                ws.append(cells + [number, text_cell(ws, "；".join(rows[number]))])
        if header_messages:
            ws.append([None] * width + [table.header_row, text_cell(ws, "；".join(header_messages))])
        written = True
    if not written and by_row:
        ws = wb.create_sheet("错误清单")
        ws.append([ROW_COLUMN, ERROR_COLUMN])
        for (_sheet, row), messages in sorted(by_row.items(), key=lambda item: item[0][1]):
            ws.append([row, text_cell(ws, "；".join(messages))])
    if whole_file or not (written or by_row):
        ws = wb.create_sheet("文件问题")
        ws.append([ERROR_COLUMN])
        for message in whole_file:
            ws.append([text_cell(ws, message)])
    wb.save(path)
    return Path(path)


def _split_sheet(message: str) -> tuple[str, str]:
    if message.startswith("［工作表“") and "”］" in message:
        head, rest = message.split("”］", 1)
        return head[len("［工作表“"):], rest
    return "", message


def _header_cell(ws, value) -> WriteOnlyCell:
    cell = text_cell(ws, _plain(value))
    cell.font = _HEADER_FONT
    return cell


def _plain(value):
    """A cell read by calamine as it can be written back."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, (datetime, date)) or value is None or isinstance(value, (int, float)):
        return value
    return str(value)


# --- export ----------------------------------------------------------------------

# The export's columns are the import template's (the 儿童 sheet: every column the importer reads,
# guardian and parent columns included), so an export with full ID numbers imports back unchanged.
EXPORT_COLUMNS = [(header, width) for header, width, *_rest in _COMMON + _CHILD]
EXPORT_HEADERS = [header for header, _width in EXPORT_COLUMNS]


def person_rows(queryset, *, full_ids: bool):
    """Rows of ``queryset`` (already scoped and filtered) under ``EXPORT_HEADERS``, streamed in
    chunks; ID numbers in full only when ``full_ids`` (the caller checks the role and audits)."""
    labels = cat.CATEGORY_LABELS
    guardianship = dict(cat.GUARDIANSHIP_RATING)
    schooling = dict(cat.SCHOOLING)
    qs = (queryset.select_related("area", "child_profile").prefetch_related("categories")
          .order_by("area_id", "name", "pk"))
    for person in qs.iterator(chunk_size=2000):
        if full_ids and person.id_number_encrypted:
            id_number = crypto.decrypt(person.id_number_encrypted)
        else:
            id_number = person.id_number_masked
        categories = "、".join(labels.get(c.category, c.category) for c in person.categories.all())
        child = getattr(person, "child_profile", None)
        yield [
            person.name, person.sex, person.ethnicity, person.birth_date.isoformat() if person.birth_date else "",
            id_number, person.phone, person.area_id, person.area.name if person.area_id else "",
            person.address, person.hukou_place, categories,
            guardianship.get(child.guardianship_rating, "") if child else "",
            child.guardian_name if child else "", child.guardian_phone if child else "",
            child.father_name if child else "", child.mother_name if child else "",
            schooling.get(child.schooling, "") if child else "",
        ]
