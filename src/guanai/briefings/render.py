"""A briefing as a web page, DOCX and PDF in the official layout (GB/T 9704).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the masthead in
red with the issue number, the issuing office and the date over a red rule;
the headline in 2号 小标宋 (22 pt), the body in 3号 仿宋 (16 pt) with headings
一、 in 黑体, （一） in 楷体, 1. in bold 仿宋; 报/送/发 and the copies at the foot.
The fonts offices have are named first; Noto CJK (installed by the project,
fonts-noto-cjk) is the fallback, so Chinese renders on any machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from guanai.docx_official import (DOCX_CONTENT_TYPE, RED, TITLE_FONT, body_paragraph, border, heading, headline,
                                  new_document, run, spacing, to_bytes)
from guanai.textproc.numbers import format_date

from . import body as body_mod
from .charts import chart_data_uri, chart_png
from .models import Briefing
from .services import area_names, facts_of


@dataclass
class Document:
    briefing: Briefing
    facts: dict
    area_names: dict

    @property
    def issue_line(self) -> str:
        return self.briefing.issue_label if self.briefing.issue_number else "（草稿）"

    @property
    def date_text(self) -> str:
        day = self.briefing.issued_on or timezone.localdate()
        return format_date(day)

    @property
    def distribution(self) -> list[tuple[str, str]]:
        b = self.briefing
        return [(word, text) for word, text in (("报", b.report_to), ("送", b.send_to), ("发", b.distribute_to)) if text]

    def text(self) -> str:
        return body_mod.plain_text(self.briefing.body, self.facts)


def load(briefing: Briefing) -> Document:
    facts = facts_of(briefing)
    return Document(briefing, facts, area_names(facts.values()))


def body_html(doc: Document, *, editable: bool = False) -> str:
    return mark_safe(body_mod.render_html(
        doc.briefing.body, doc.facts, doc.area_names, editable=editable,
        chart_src=lambda _index, block: chart_data_uri(block, doc.facts)))


def standalone_html(doc: Document) -> str:
    """A self-contained HTML file (charts inline), also the source of the PDF."""
    return render_to_string("briefings/print.html", {"doc": doc, "body": body_html(doc)})


def to_pdf(doc: Document) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing (Debian's libpango-1.0-0)
        raise RuntimeError(f"无法生成PDF：缺少排版组件（{exc}）。请运行 make system-packages 安装 Pango 和中文字体。") from exc
    return HTML(string=standalone_html(doc)).write_pdf()


# --- DOCX ---------------------------------------------------------------------

def to_docx(doc: Document) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    b = doc.briefing
    document, text_width = new_document(title=b.title, author=b.office_name, subject=b.get_kind_display())

    # Masthead: title in red, the issue, the office and the date, a red rule.
    masthead = document.add_paragraph()
    spacing(masthead, line=None, after=6, align=WD_ALIGN_PARAGRAPH.CENTER)
    run(masthead, b.masthead, font=TITLE_FONT, size=42, color=RED)
    issue = document.add_paragraph()
    spacing(issue, line=None, after=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    run(issue, doc.issue_line, size=16)
    office_line = document.add_paragraph()
    spacing(office_line, line=None, after=2)
    office_line.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    run(office_line, f"{b.office_name}\t{doc.date_text}", size=16)
    border(office_line, "bottom", RED, 18)

    headline(document, b.title)

    for block in b.body:
        kind = block.get("type")
        if kind == "h":
            heading(document, block.get("text", ""), int(block.get("level", 1)))
        elif kind == "p":
            body_paragraph(document, body_mod.block_text(block, doc.facts), right=block.get("align") == "right")
        elif kind == "chart":
            paragraph = document.add_paragraph()
            spacing(paragraph, line=None, before=6, after=6, align=WD_ALIGN_PARAGRAPH.CENTER)
            paragraph.add_run().add_picture(io.BytesIO(chart_png(block, doc.facts)), width=Mm(125))

    # The foot (版记): rules around 报/送/发, then the copies.
    spacer = document.add_paragraph()
    spacing(spacer, after=12)
    lines = doc.distribution or [("发", "")]
    for index, (word, text) in enumerate(lines):
        paragraph = document.add_paragraph()
        spacing(paragraph, line=None, before=2, after=2)
        paragraph.paragraph_format.left_indent = Pt(14 * 3)  # wrapped lines align after "报："
        paragraph.paragraph_format.first_line_indent = Pt(-14 * 2)
        run(paragraph, f"{word}：{text}", size=14)
        if index == 0:
            border(paragraph, "top", "000000", 8)
        if index == len(lines) - 1:
            border(paragraph, "bottom", "000000", 8)
    copies = document.add_paragraph()
    spacing(copies, line=None, before=2, align=WD_ALIGN_PARAGRAPH.RIGHT)
    run(copies, f"（共印{b.copies}份）", size=14)
    return to_bytes(document)


def render(briefing: Briefing, fmt: str) -> bytes:
    doc = load(briefing)
    if fmt == "docx":
        return to_docx(doc)
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "html":
        return standalone_html(doc).encode("utf-8")
    raise ValueError(f"未知的格式“{fmt}”，可选：docx、pdf、html")


CONTENT_TYPES = {
    "docx": DOCX_CONTENT_TYPE,
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
