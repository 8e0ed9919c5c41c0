import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from guanai.briefings import render as rendering
from guanai.briefings import services
from guanai.core.demo import CITY_CODE

pytestmark = pytest.mark.django_db

SECTIONS = ["一、基本情况", "（一）建档立卡，底数清晰", "存在的问题", "下一步工作"]


def _published(briefing, user):
    # The demo already published this quarter's city briefing under the same title.
    return services.publish(briefing, user=user, confirm_duplicate=True)


def _figures(briefing) -> list[str]:
    """The figures the text shows (not only the charts')."""
    from guanai.briefings.body import tokens_used

    in_text = set()
    for block in briefing.body:
        if block["type"] == "p":
            in_text |= {run["f"] for run in block["runs"] if "f" in run}
    assert in_text <= tokens_used(briefing.body)
    return [f.text for f in briefing.facts.filter(token__in=in_text)]


def test_docx_reads_back_with_masthead_sections_and_figures(city_briefing, users):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm

    briefing = _published(city_briefing, users["office"])
    data = rendering.render(briefing, "docx")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "关爱工作简报"
    assert f"第{briefing.issue_number}期" in text
    assert briefing.office_name in text and briefing.title in text
    for heading in SECTIONS:
        assert heading in text
    for figure in _figures(briefing):
        assert figure in text, figure
    assert "报：" in text and "送：" in text and "发：" in text and f"（共印{briefing.copies}份）" in text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    # Chinese in the office's fonts (w:eastAsia), title 22 pt, body 16 pt; charts as pictures.
    headline = next(p for p in document.paragraphs if p.text == briefing.title)
    fonts = headline.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体" and headline.runs[0].font.size.pt == 22
    body = next(p for p in document.paragraphs if p.text.startswith("截至"))
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16
    assert document.inline_shapes and document.inline_shapes[0].width <= Mm(156)
    masthead_color = document.paragraphs[0].runs[0].font.color.rgb
    assert str(masthead_color) == rendering.RED
    # The font table names Noto CJK as the alternative of the office fonts.
    font_table = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    assert b'w:name="\xe4\xbb\xbf\xe5\xae\x8b_GB2312"><w:altName w:val="Noto Serif CJK SC"/>' in font_table.blob


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice(city_briefing, tmp_path):
    path = tmp_path / "jianbao.docx"
    path.write_bytes(rendering.render(city_briefing, "docx"))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / "jianbao.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = text.replace("\n", "").replace(" ", "")  # LibreOffice spaces Latin digits from Chinese
    assert "关爱工作简报" in flat and city_briefing.title in flat and "报：" in flat


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_reads_back_and_renders(city_briefing, users, tmp_path):
    briefing = _published(city_briefing, users["office"])
    data = rendering.render(briefing, "pdf")
    assert data.startswith(b"%PDF")
    path = tmp_path / "jianbao.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "").replace(" ", "")
    assert "关爱工作简报" in flat and f"第{briefing.issue_number}期" in flat
    assert briefing.office_name in flat and briefing.title in flat
    for heading in SECTIONS:
        assert heading in flat
    for figure in _figures(briefing):
        assert figure in flat, figure
    assert "报：" in flat and f"（共印{briefing.copies}份）" in flat
    # Chinese is drawn with embedded CJK fonts, and the page is A4.
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts or "GuanaiTitle" in fonts
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in info or "595.28 x 841.89" in info
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                       check=True)
        page = next(tmp_path.glob("page*.png"))
        assert page.stat().st_size > 5000  # a real page, not blank


def test_html_page_and_export_views(city_briefing, client_for):
    client = client_for("office")
    page = client.get(f"/briefings/{city_briefing.pk}/").content.decode()
    assert "关爱工作简报" in page and "（草稿）" in page and 'class="fact"' in page and "数据来源" in page
    response = client.get(f"/briefings/{city_briefing.pk}/export/docx/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    response = client.get(f"/briefings/{city_briefing.pk}/export/html/")
    assert response.status_code == 200 and "<html lang=\"zh-hans\">" in response.content.decode()
    assert client.get(f"/briefings/{city_briefing.pk}/export/xls/").status_code == 404
    from guanai.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT, object_id=str(city_briefing.pk)).count() == 2


def test_cli_briefing_writes_each_format(tmp_path, quarter):
    import docx

    for fmt in ("docx", "html"):
        out = tmp_path / f"b.{fmt}"
        call_command("briefing", area=CITY_CODE, period=quarter.key, kind="jianbao", fmt=fmt, output=str(out),
                     stderr=io.StringIO())
        assert out.stat().st_size > 1000
    assert docx.Document(str(tmp_path / "b.docx")).paragraphs[0].text == "关爱工作简报"
    assert "关爱工作简报" in (tmp_path / "b.html").read_text(encoding="utf-8")
    out = tmp_path / "z.docx"
    call_command("briefing", area=CITY_CODE, period=str(quarter.start.year), kind="zongjie", output=str(out),
                 stderr=io.StringIO())
    assert "工作总结" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)


@pytest.mark.parametrize("options,message", [
    ({"period": "2026Q9"}, "无法识别的期间"),
    ({"area": "990199000000"}, "不存在"),
    ({"area": "12345"}, "12位数字"),
    ({"kind": "tongzhi"}, "未知的文稿类型"),
    ({"fmt": "xls"}, "未知的格式"),
])
def test_cli_briefing_refuses_bad_input(tmp_path, options, message):
    from django.core.management.base import CommandError

    arguments = {"area": CITY_CODE, "period": "2026Q3", "kind": "jianbao", "fmt": "docx",
                 "output": str(Path(tmp_path) / "x.docx"), **options}
    with pytest.raises(CommandError, match=message):
        call_command("briefing", stderr=io.StringIO(), **arguments)


def test_chart_labels_write_figures_as_the_text_does(monkeypatch):
    from matplotlib.axes import Axes

    from guanai.briefings import charts

    written = []
    original = Axes.annotate
    monkeypatch.setattr(Axes, "annotate", lambda self, text, *a, **k: written.append(text) or original(self, text, *a, **k))
    charts._draw("bar", "在册人员（人）", ("全省", "示范市"), (1234567.0, 95.5), "人")
    assert written == ["1234567", "95.5"]  # not 1.23457e+06
