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

from guanai.textproc.numbers import format_date

from . import body as body_mod
from .charts import chart_data_uri, chart_png
from .models import Briefing
from .services import area_names, facts_of

# Font names: what offices have first, then the shipped fallback.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
SERIF_FALLBACK = "Noto Serif CJK SC"
SANS_FALLBACK = "Noto Sans CJK SC"
FONT_FALLBACKS = {TITLE_FONT: SERIF_FALLBACK, BODY_FONT: SERIF_FALLBACK, HEI_FONT: SANS_FALLBACK,
                  KAI_FONT: SERIF_FALLBACK}
RED = "E60012"  # the red of mastheads and rules


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

def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _set_run_fonts(rpr, east_asia: str, latin: str = LATIN_FONT):
    """rFonts with the Chinese face in w:eastAsia, so Word and LibreOffice use it for Chinese."""
    from docx.oxml import OxmlElement

    fonts = rpr.find(_w("rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(_w("ascii"), latin)
    fonts.set(_w("hAnsi"), latin)
    fonts.set(_w("eastAsia"), east_asia)
    fonts.set(_w("cs"), latin)
    lang = rpr.find(_w("lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(_w("eastAsia"), "zh-CN")


def _run(paragraph, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
         color: str | None = None):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN_FONT
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _set_run_fonts(run._element.get_or_add_rPr(), font)
    return run


# The elements of w:pPr that come after w:pBdr (ECMA-376 order), so Word opens the file without repair.
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")
_BORDER_ORDER = ("top", "left", "bottom", "right", "between", "bar")


def _border(paragraph, side: str, color: str, size_eighths: int):
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(_w("pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_PBDR)
    line = OxmlElement(f"w:{side}")
    line.set(_w("val"), "single")
    line.set(_w("sz"), str(size_eighths))
    line.set(_w("space"), "1")
    line.set(_w("color"), color)
    later = [borders.find(_w(name)) for name in _BORDER_ORDER[_BORDER_ORDER.index(side) + 1:]]
    later = [element for element in later if element is not None]
    if later:
        later[0].addprevious(line)
    else:
        borders.append(line)


def _spacing(paragraph, *, line: float | None = 28, before: float = 0, after: float = 0, indent_chars: float = 0,
             align=None):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    if line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent_chars:
        fmt.first_line_indent = Pt(16 * indent_chars)
    if align is not None:
        paragraph.alignment = align


def _page_number_footer(section):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", size=14, font=BODY_FONT)
    run = _run(paragraph, "", size=14, font=BODY_FONT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(_w("fldCharType"), kind)
        elif text.strip() == "PAGE":
            element = OxmlElement("w:instrText")
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)
    _run(paragraph, " —", size=14, font=BODY_FONT)


def _declare_font_fallbacks(document):
    """Name Noto CJK as the alternative (w:altName) of each office font in the font table."""
    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{fallback}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"modern" if name != HEI_FONT else "swiss"}"/><w:pitch w:val="fixed"/></w:font>'
        for name, fallback in FONT_FALLBACKS.items())
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _drop_template_thumbnail(document):
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del package.rels[rid]


def to_docx(doc: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    b = doc.briefing
    document = Docx()
    _drop_template_thumbnail(document)
    _declare_font_fallbacks(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    text_width = Mm(210 - 28 - 26)

    normal = document.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = LATIN_FONT
    _set_run_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    props = document.core_properties
    props.title, props.author, props.subject = b.title, b.office_name, b.get_kind_display()
    props.language = "zh-CN"

    # Masthead: title in red, the issue, the office and the date, a red rule.
    masthead = document.add_paragraph()
    _spacing(masthead, line=None, after=6, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(masthead, b.masthead, font=TITLE_FONT, size=42, color=RED)
    issue = document.add_paragraph()
    _spacing(issue, line=None, after=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(issue, doc.issue_line, size=16)
    office_line = document.add_paragraph()
    _spacing(office_line, line=None, after=2)
    office_line.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    _run(office_line, f"{b.office_name}\t{doc.date_text}", size=16)
    _border(office_line, "bottom", RED, 18)

    headline = document.add_paragraph()
    _spacing(headline, line=None, before=18, after=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(headline, b.title, font=TITLE_FONT, size=22)

    heading_fonts = {1: (HEI_FONT, False), 2: (KAI_FONT, False), 3: (BODY_FONT, True), 4: (BODY_FONT, False)}
    for block in b.body:
        kind = block.get("type")
        if kind == "h":
            level = min(4, max(1, int(block.get("level", 1))))
            font, bold = heading_fonts[level]
            paragraph = document.add_paragraph()
            _spacing(paragraph, indent_chars=2)
            paragraph.paragraph_format.keep_with_next = True
            _run(paragraph, block.get("text", ""), font=font, bold=bold)
        elif kind == "p":
            paragraph = document.add_paragraph()
            right = block.get("align") == "right"
            _spacing(paragraph, indent_chars=0 if right else 2,
                     align=WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.JUSTIFY)
            _run(paragraph, body_mod.block_text(block, doc.facts))
        elif kind == "chart":
            paragraph = document.add_paragraph()
            _spacing(paragraph, line=None, before=6, after=6, align=WD_ALIGN_PARAGRAPH.CENTER)
            paragraph.add_run().add_picture(io.BytesIO(chart_png(block, doc.facts)), width=Mm(125))

    # The foot (版记): rules around 报/送/发, then the copies.
    spacer = document.add_paragraph()
    _spacing(spacer, after=12)
    lines = doc.distribution or [("发", "")]
    for index, (word, text) in enumerate(lines):
        paragraph = document.add_paragraph()
        _spacing(paragraph, line=None, before=2, after=2)
        paragraph.paragraph_format.left_indent = Pt(14 * 3)  # wrapped lines align after "报："
        paragraph.paragraph_format.first_line_indent = Pt(-14 * 2)
        _run(paragraph, f"{word}：{text}", size=14)
        if index == 0:
            _border(paragraph, "top", "000000", 8)
        if index == len(lines) - 1:
            _border(paragraph, "bottom", "000000", 8)
    copies = document.add_paragraph()
    _spacing(copies, line=None, before=2, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _run(copies, f"（共印{b.copies}份）", size=14)

    _page_number_footer(section)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
