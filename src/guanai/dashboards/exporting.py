"""A statistics table as the .xlsx offices send upward: the title, 统计期间 and 计量单位 above,
grouped headers with the column numbers (栏次 甲, 1, 2 …), the rows and 合计, the cross-column
checks and their outcome below, and 填报单位 / 填报人 / 制表日期 at the foot; A4 landscape, the
headers repeated on every printed page."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.ledgers.office import office_fields, period_text
from guanai.spreadsheets import put_cell
from guanai.textproc.numbers import trim_decimal

from .tables import BuiltTable

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(bold=True, name="SimSun")
_BODY = Font(name="SimSun", size=10)


def _number(value, unit: str):
    """A cell's value: a number the sheet can sum (rates to one decimal, money to the cent)."""
    if value is None:
        return None
    text = trim_decimal(value, 1 if unit == "%" else 2)
    return float(text) if "." in text else int(text)


def exported_workbook(table: BuiltTable, *, filler: str, user) -> bytes:
    """The table's workbook for ``user`` to take away; the export is audited."""
    data = workbook(table, filler=filler, made_by=user)
    record(AuditEvent.EXPORT, user=user, object_type="统计报表", object_id=table.spec.slug,
           object_repr=table.spec.title,
           detail=f"区划：{table.area.full_name}（{table.area.code}）；期间：{table.period.label}")
    return data


def workbook(table: BuiltTable, *, filler: str, made_by) -> bytes:
    spec = table.spec
    columns = spec.columns
    width = len(columns) + 1
    book = Workbook()
    sheet = book.active
    sheet.title = spec.title[:31]

    def merged(row: int, first: int, last: int, value, *, font=_BODY, align=_CENTER, box=False):
        cell = put_cell(sheet, row, first, value)
        cell.font, cell.alignment = font, align
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        if box:
            for col in range(first, last + 1):
                sheet.cell(row=row, column=col).border = _BOX
        return cell

    merged(1, 1, width, f"{table.area.full_name}{spec.title}", font=Font(bold=True, size=16, name="SimHei"))
    sheet.row_dimensions[1].height = 30
    left = Alignment(horizontal="left", vertical="center")
    right = Alignment(horizontal="right", vertical="center")
    half = max(1, width // 2)
    merged(2, 1, half, f"统计期间：{period_text(table.period)}", align=left)
    merged(2, half + 1, width, f"计量单位：{spec.unit or '见各栏'}", align=right)

    row = 3
    header_rows = 3 if spec.has_groups else 2
    merged(row, 1, 1, "区划", font=_BOLD, box=True)
    if spec.has_groups:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row + 1, end_column=1)
    col = 2
    for group, members in spec.groups:
        if group:
            merged(row, col, col + len(members) - 1, group, font=_BOLD, box=True)
            for i, header in enumerate(members):
                merged(row + 1, col + i, col + i, header, font=_BOLD, box=True)
        else:
            merged(row, col, col, members[0], font=_BOLD, box=True)
            if spec.has_groups:
                sheet.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        col += len(members)
    numbers_row = row + header_rows - 1
    merged(numbers_row, 1, 1, "甲", font=_BOLD, box=True)
    for i in range(len(columns)):
        merged(numbers_row, i + 2, i + 2, i + 1, font=_BOLD, box=True)

    row = numbers_row + 1
    for line in table.all_rows:
        font = _BOLD if line.kind == "total" else _BODY
        merged(row, 1, 1, line.label, font=font, box=True, align=Alignment(horizontal="left", vertical="center"))
        for i, value in enumerate(line.cells):
            cell = sheet.cell(row=row, column=i + 2, value=_number(value, columns[i].unit))
            cell.font, cell.border = font, _BOX
            cell.alignment = Alignment(horizontal="right", vertical="center")
        row += 1

    row += 1
    if table.nobody_registered:  # all zeros are no finding: the sheet says why, as the page does
        merged(row, 1, width, table.nobody_registered, font=_BOLD, align=left)
        row += 1
    merged(row, 1, width, "勾稽关系校验：" + ("全部成立" if table.ok else "有不成立的项，请核实后再报送"),
           font=_BOLD, align=left)
    for check in table.checks:
        row += 1
        outcome = "成立" if check.ok else "不成立：" + "；".join(
            f"{label} {trim_decimal(a)}≠{trim_decimal(b)}" for label, a, b in check.failures[:10])
        merged(row, 1, width, f"{check.text}　{check.note}：{outcome}", align=left)
    if spec.description:
        row += 1
        merged(row, 1, width, f"说明：{spec.description}", align=Alignment(horizontal="left", wrap_text=True))
        sheet.row_dimensions[row].height = 30
    row += 2
    third = max(1, width // 3)
    unit_text, by_text, date_text = office_fields(filler=filler, made_by=made_by)
    merged(row, 1, third, unit_text, align=left)
    merged(row, third + 1, 2 * third, by_text, align=left)
    merged(row, 2 * third + 1, width, date_text, align=right)

    sheet.column_dimensions["A"].width = 16
    for i in range(len(columns)):
        sheet.column_dimensions[get_column_letter(i + 2)].width = 9 if len(columns) > 12 else 12
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"3:{numbers_row}"
    sheet.freeze_panes = sheet.cell(row=numbers_row + 1, column=2)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
