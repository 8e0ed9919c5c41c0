"""A unit's report as a DOCX in the official layout (guanai.docx_official): the headline, the
office it is addressed to, the indicators as a table, the narrative sections under 一、二、
headings, and the unit and date at the foot."""

from __future__ import annotations

from django.utils import timezone

from guanai.docx_official import (DOCX_CONTENT_TYPE, body_paragraph, heading, headline, new_document,  # noqa: F401
                                  run, spacing, table, to_bytes)
from guanai.textproc.numbers import chinese_ordinal, format_date

from guanai.audit.models import AuditEvent
from guanai.audit.services import record

from . import checks
from .models import UnitReport


def report_title(report: UnitReport) -> str:
    return f"{report.unit.name}{report.period.label}关爱服务工作情况报告"


def exported_report_docx(report: UnitReport, *, user) -> bytes:
    """``report_docx`` for ``user`` to take away; the export is audited."""
    content = report_docx(report)
    record(AuditEvent.EXPORT, user=user, obj=report, detail=f"导出{report}（DOCX）")
    return content


def report_docx(report: UnitReport) -> bytes:
    title = report_title(report)
    document, _width = new_document(title=title, author=report.unit.name, subject=report.form.name)
    headline(document, title)
    if report.status != UnitReport.APPROVED:
        body_paragraph(document, f"（{report.get_status_display()}）", right=True)
    addressee = document.add_paragraph()
    spacing(addressee)
    run(addressee, f"{report.form.conference.office_name}：")
    body_paragraph(document, f"现将我单位{report.period.label}农村留守儿童和困境儿童关爱服务工作情况报告如下。")

    heading(document, f"{chinese_ordinal(1)}、主要指标")
    table(document, ["指标", "数值", "计量单位"],
          [[i.label, checks.display(i, report.values.get(i.key)), i.unit]
           for i in report.form.indicators.filter(active=True)], widths_mm=[90, 36, 30], size=14)
    for number, section in enumerate(report.form.sections.all(), start=2):
        heading(document, f"{chinese_ordinal(number)}、{section.title}")
        text = (report.narrative.get(section.key) or "").strip() or "无。"
        for line in text.splitlines():
            if line.strip():
                body_paragraph(document, line.strip())
    document.add_paragraph()
    day = timezone.localtime(report.submitted_at).date() if report.submitted_at else timezone.localdate()
    for text in (report.unit.name, format_date(day)):
        body_paragraph(document, text, right=True)
    if report.unit.contact_name:
        contact = document.add_paragraph()
        spacing(contact, before=12)
        run(contact, f"联系人：{report.unit.contact_name}　联系电话：{report.unit.contact_phone}", size=14)
    return to_bytes(document)
