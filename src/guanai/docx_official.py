"""Documents in the official layout (GB/T 9704) with python-docx: the page, the fonts
offices have with Noto CJK as the named fallback, runs, rules, page numbers and tables.

Briefings (briefings.render) and the joint conference's documents (rectification
reports, assessment notices) are written with these, so every document an office
edits looks the same.
"""

from __future__ import annotations

import io

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
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"



def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def set_run_fonts(rpr, east_asia: str, latin: str = LATIN_FONT):
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


def run(paragraph, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
         color: str | None = None):
    from docx.shared import Pt, RGBColor

    piece = paragraph.add_run(text)
    piece.font.size = Pt(size)
    piece.font.bold = bold
    piece.font.name = LATIN_FONT
    if color:
        piece.font.color.rgb = RGBColor.from_string(color)
    set_run_fonts(piece._element.get_or_add_rPr(), font)
    return piece


# The elements of w:pPr that come after w:pBdr (ECMA-376 order), so Word opens the file without repair.
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")
_BORDER_ORDER = ("top", "left", "bottom", "right", "between", "bar")


def border(paragraph, side: str, color: str, size_eighths: int):
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


def spacing(paragraph, *, line: float | None = 28, before: float = 0, after: float = 0, indent_chars: float = 0,
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


def page_number_footer(section):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(paragraph, "— ", size=14, font=BODY_FONT)
    number = run(paragraph, "", size=14, font=BODY_FONT)
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
        number._element.append(element)
    run(paragraph, " —", size=14, font=BODY_FONT)


def declare_font_fallbacks(document):
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


def drop_template_thumbnail(document):
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del package.rels[rid]


def new_document(*, title: str, author: str = "", subject: str = ""):
    """An A4 document with the official margins, 3号 仿宋 as the normal text and page
    numbers at the foot; returns (document, text width)."""
    from docx import Document as Docx
    from docx.shared import Mm, Pt

    document = Docx()
    drop_template_thumbnail(document)
    declare_font_fallbacks(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = LATIN_FONT
    set_run_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    props = document.core_properties
    props.title, props.author, props.subject = title, author, subject
    props.language = "zh-CN"
    page_number_footer(section)
    return document, Mm(210 - 28 - 26)


def headline(document, text: str):
    """The document's title: 2号 小标宋, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph()
    spacing(paragraph, line=None, before=18, after=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    run(paragraph, text, font=TITLE_FONT, size=22)
    return paragraph


HEADING_FONTS = {1: (HEI_FONT, False), 2: (KAI_FONT, False), 3: (BODY_FONT, True), 4: (BODY_FONT, False)}


def heading(document, text: str, level: int = 1):
    """一、 in 黑体, （一） in 楷体, 1. in bold 仿宋: indented two characters, kept with the next paragraph."""
    font, bold = HEADING_FONTS[min(4, max(1, level))]
    paragraph = document.add_paragraph()
    spacing(paragraph, indent_chars=2)
    paragraph.paragraph_format.keep_with_next = True
    run(paragraph, text, font=font, bold=bold)
    return paragraph


def body_paragraph(document, text: str, *, right: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph()
    spacing(paragraph, indent_chars=0 if right else 2,
            align=WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.JUSTIFY)
    run(paragraph, text)
    return paragraph


def table(document, header: list[str], rows: list[list], *, widths_mm: list[float] | None = None, size: float = 12):
    """A ruled table (header row in 黑体, cells in 仿宋 at ``size`` pt, a header repeated on every page)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for index, text in enumerate(header):
        cell = grid.rows[0].cells[index]
        spacing(cell.paragraphs[0], line=None, align=WD_ALIGN_PARAGRAPH.CENTER)
        run(cell.paragraphs[0], str(text), font=HEI_FONT, size=size)
    header_props = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(_w("val"), "true")
    header_props.append(repeat)
    for values in rows:
        cells = grid.add_row().cells
        for index, value in enumerate(values):
            spacing(cells[index].paragraphs[0], line=None)
            run(cells[index].paragraphs[0], "" if value is None else str(value), size=size)
    if widths_mm:
        for row in grid.rows:
            for index, width in enumerate(widths_mm):
                row.cells[index].width = Mm(width)
    return grid


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
