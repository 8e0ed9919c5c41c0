"""A period's member-unit reports as one workbook: the rates (the metric functions' values)
and the late units on the first sheet, then a sheet per report form with a row per unit
and a column per indicator."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.spreadsheets import XLSX_CONTENT_TYPE, text_cell  # noqa: F401  (the view serves it)
from guanai.stats.metrics import METRICS, compute

from . import schedule
from .models import Indicator

RATE_METRICS = ("unit_reports_due", "unit_reports_submitted", "unit_reporting_rate", "unit_reports_on_time",
                "unit_on_time_rate", "unit_reports_late", "unit_reports_approved")
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
_LATE_FILL = PatternFill("solid", fgColor="F8CBAD")


def _cell_value(sheet, indicator: Indicator, value):
    if value is None or value == "":
        return None
    if indicator.kind == Indicator.NUMBER:
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    if indicator.kind == Indicator.YES_NO:
        return "是" if value else "否"
    return text_cell(sheet, str(value))


def _header(sheet, row: int, labels: list[str]):
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=column, value=label)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def exported_period_workbook(area, period, *, user, today: date | None = None) -> bytes:
    """``period_workbook`` for ``user`` to take away; the export is audited."""
    content = period_workbook(area, period, today=today)
    record(AuditEvent.EXPORT, user=user, object_type="coordination.unitreport",
           detail=f"导出{area.name}{period.label}成员单位报表")
    return content


def period_workbook(area, period, *, today: date | None = None) -> bytes:
    today = today or timezone.localdate()
    rows = schedule.expected_reports(area.code, period, today=today, due_only=False)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "报送情况"
    summary.append([f"{area.name}{period.label}联席会议成员单位报送情况"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}；应报送为截止日期已过的报表"])
    summary.append([])
    _header(summary, 4, ["指标", "数值", "单位"])
    for name in RATE_METRICS:
        info = METRICS[name]
        summary.append([info.label, compute(name, area.code, period), info.unit])
    summary.append([])
    summary.append(["未按时报送的成员单位"])
    summary.cell(row=summary.max_row, column=1).font = _BOLD
    _header(summary, summary.max_row + 1, ["成员单位", "报表", "期间", "情况", "逾期工作日"])
    for row in rows:
        if row.due_on < today and not row.on_time:
            summary.append([text_cell(summary, row.unit.name), text_cell(summary, row.form.name), row.period.label, row.lateness_label,
                            row.workdays_late(today)])
    for column, width in zip("ABCDE", (34, 14, 16, 12, 12)):
        summary.column_dimensions[column].width = width

    by_form: dict = {}
    for row in rows:
        by_form.setdefault(row.form, []).append(row)
    for form, form_rows in by_form.items():
        sheet = workbook.create_sheet(title=f"{form.name}"[:28] + ("" if len(by_form) == 1 else f"{form.pk}"))
        indicators = list(form.indicators.filter(active=True))
        sections = list(form.sections.all())
        labels = ["序号", "联席会议", "成员单位", "期间", "截止日期", "状态", "首次报送时间", "是否按时", "逾期工作日"]
        labels += [f"{i.label}（{i.unit}）" if i.unit else i.label for i in indicators] + [s.title for s in sections]
        _header(sheet, 1, labels)
        for index, row in enumerate(form_rows, start=1):
            report = row.report
            status = report.get_status_display() if report else "未填报"
            first = timezone.localtime(report.first_submitted_at).strftime("%Y-%m-%d %H:%M") \
                if report and report.first_submitted_at else ""
            due = row.due_on < today
            timely = "是" if row.on_time else ("否" if due else "未到截止日期")
            line = [index, text_cell(sheet, form.conference.name), text_cell(sheet, row.unit.name), row.period.label,
                    row.due_on.isoformat(), status, first, timely, row.workdays_late(today) if due else 0]
            full = report is not None and report.first_submitted_at is not None
            line += [_cell_value(sheet, i, report.values.get(i.key)) if full else None for i in indicators]
            line += [text_cell(sheet, report.narrative.get(s.key, "")) if full else None for s in sections]
            sheet.append(line)
            if due and not row.on_time:
                for column in range(1, 10):
                    sheet.cell(row=sheet.max_row, column=column).fill = _LATE_FILL
        for column in range(1, len(labels) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 30 if column in (2, 3) else 14
        sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
