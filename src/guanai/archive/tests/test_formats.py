"""The documents offices really hold: old Word and WPS files (through
LibreOffice), spreadsheets as text tables, and scans read by OCR (Tesseract,
chi_sim) page by page; each with the bad files of its kind."""

import io
import random
import zipfile
from pathlib import Path

import pytest
import xlwt
from django.conf import settings
from PIL import Image

from guanai.archive import readers, services
from guanai.archive.models import Document, DocumentFact, DocumentPage

from . import scans
from .pdfmaker import text_pdf
from .test_ingest import _docx_bytes, _media_files

SHORT_PAGE = "城关镇2025年走访简报\n全镇共走访留守儿童家庭156户，新建儿童之家6所。"


@pytest.fixture(scope="module")
def old_word():
    """A .doc made by LibreOffice from a .docx, as offices' old files are."""
    docx = _docx_bytes(["东湖县2019年关爱留守儿童工作总结", "全年走访留守儿童家庭412户，发放慰问金6.8万元。",
                        "城关镇新建儿童之家5所。"])
    return readers.convert_with_libreoffice(docx, ".docx", target="doc")


# --- .doc and .wps -----------------------------------------------------------


def test_doc_made_by_libreoffice_is_read_like_a_docx(db, old_word):
    assert old_word.startswith(b"\xd0\xcf\x11\xe0")  # a real Word 97-2003 file
    doc, created = services.store_document("2019年总结.doc", old_word, area="990103000000")
    assert created and doc.title == "东湖县2019年关爱留守儿童工作总结" and doc.kind == Document.SUMMARY
    assert doc.text.splitlines() == ["东湖县2019年关爱留守儿童工作总结", "全年走访留守儿童家庭412户，发放慰问金6.8万元。",
                                     "城关镇新建儿童之家5所。"]
    values = {(f.kind, f.value, f.unit) for f in doc.facts.all()}
    assert {("quantity", 412, "户"), ("money", 68000, "元"), ("quantity", 5, "所")} <= values
    assert Path(doc.original.path).read_bytes() == old_word and doc.original_name == "2019年总结.doc"


def test_wps_file_is_read(db, old_word):
    # Kingsoft WPS writes its .wps in the Word binary format; LibreOffice knows it by content.
    doc, created = services.store_document("工作总结.wps", old_word + b"\x00" * 512)
    assert created and "发放慰问金6.8万元" in doc.text


def test_password_protected_doc_is_refused_with_a_message(db, old_word):
    locked = bytearray(old_word)
    fib = next(o for o in range(512, len(locked), 512) if locked[o : o + 2] == b"\xec\xa5")
    locked[fib + 0x0B] |= 0x01  # fEncrypted, as Word sets it for a file with an opening password
    before_docs, before_files = Document.objects.count(), _media_files()
    with pytest.raises(services.IngestError, match="设有打开密码"):
        services.store_document("加密.doc", bytes(locked))
    assert Document.objects.count() == before_docs and _media_files() == before_files


@pytest.mark.parametrize(("name", "data"), [
    ("损坏.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8),  # an OLE header, then noise
    ("截断.doc", b"\xd0\xcf\x11\xe0 old word"),
    ("乱码.wps", b"\x00\x01\x02\x03" * 100),
])
def test_corrupt_doc_or_wps_gets_a_message_and_nothing_is_stored(db, name, data):
    before_docs, before_files = Document.objects.count(), _media_files()
    with pytest.raises(services.IngestError, match="无法打开(旧版 Word|WPS)"):
        services.store_document(name, data)
    assert Document.objects.count() == before_docs and _media_files() == before_files


# --- .xls and .et --------------------------------------------------------------


def _xls_bytes() -> bytes:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("走访统计")
    for r, row in enumerate([["村", "走访户数", "慰问金（元）"], ["和平村", 36, 7200], ["青山村", 21, 4200.5]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["走访统计.xls", "走访统计.et"])
def test_spreadsheet_is_read_as_a_text_table(db, name):
    data = _xls_bytes() + (b"" if name.endswith(".xls") else b"\x00")  # an .et of WPS: the same format
    doc, created = services.store_document(name, data, area="990101000000")
    assert created
    assert doc.text.splitlines()[:3] == ["【走访统计】", "村\t走访户数\t慰问金（元）", "和平村\t36\t7200"]
    assert "青山村\t21\t4200.5" in doc.text


def test_corrupt_spreadsheet_gets_a_message(db):
    with pytest.raises(services.IngestError, match="无法打开WPS 表格"):
        services.store_document("坏.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 broken")


# --- scans ---------------------------------------------------------------------


def test_ocr_reads_a_clean_300dpi_page_to_98_percent(db):
    data = scans.scanned_pdf([scans.page_image()])
    seen = []
    doc, created = services.store_document("扫描件.pdf", data, area="990101000000",
                                           progress=lambda done, total: seen.append((done, total)))
    assert created and seen == [(1, 1)]
    page = doc.pages.get()
    accuracy = scans.character_accuracy(scans.KNOWN_TEXT, page.text)
    assert accuracy >= 0.98, (accuracy, page.text)
    assert not page.needs_check and page.confidence >= 75
    # Normalised and searchable like any other text, its facts read.
    assert doc.title == "城关镇2025年关爱留守儿童工作简报" and doc.year == 2025
    assert services.search_documents(doc.uploaded_by or _admin(), "防溺水").total >= 1
    assert doc.facts.filter(kind=DocumentFact.QUANTITY, value_number=298, unit="户").exists()
    # The original is kept; the page image lies beside it.
    assert Path(doc.original.path).read_bytes() == data
    assert Path(page.image.path).parent == Path(doc.original.path).parent / "pages"
    assert Image.open(page.image.path).width == 1900


def _admin():
    from guanai.accounts.models import User

    return User.objects.get(username="admin")


def test_scan_page_by_page_and_a_bad_page_is_marked(db, tmp_path):
    rng = random.Random(7)
    noise = Image.new("L", (800, 1100), 255)
    for _ in range(6000):
        x, y = rng.randrange(800), rng.randrange(1100)
        noise.paste(0, (x, y, x + rng.randrange(2, 9), y + rng.randrange(2, 9)))
    path = tmp_path / "两页.pdf"
    path.write_bytes(scans.scanned_pdf([scans.page_image(SHORT_PAGE), noise.convert("L")]))
    seen = []
    # As the upload job runs it: the progress bar follows the pages of a single file.
    [outcome] = services.ingest_path(path, progress=lambda done, total, message: seen.append((done, total, message)))
    assert seen == [(1, 2, "正在识别文字：两页.pdf 第 1/2 页"), (2, 2, "正在识别文字：两页.pdf 第 2/2 页"),
                    (1, 1, "正在导入：两页.pdf")]
    doc = outcome.document
    first, second = doc.pages.order_by("number")
    assert (first.number, first.needs_check, second.number, second.needs_check) == (1, False, 2, True)
    assert "留守儿童家庭156户" in first.text


def test_photo_and_a_pdf_that_is_really_a_jpeg_are_read_as_images(db):
    image = scans.page_image(SHORT_PAGE)
    photo, _ = services.store_document("照片.jpg", scans.jpeg_bytes(image))
    assert "留守儿童家庭156户" in photo.text and photo.pages.count() == 1
    fake, _ = services.store_document("其实是图片.pdf", scans.jpeg_bytes(image, quality=80))
    assert "留守儿童家庭156户" in fake.text and fake.pages.count() == 1
    assert any("实际是 JPEG 图片" in e["context"] for e in fake.normalisation_log if e["action"] == "note")
    png, _ = services.store_document("图.png", scans.png_bytes(image))
    assert "留守儿童家庭156户" in png.text


def test_a_500_page_scan_is_refused_before_any_ocr(db):
    blank = Image.new("L", (50, 70), 255)
    data = scans.scanned_pdf([blank] * 500)
    before_docs, before_files = Document.objects.count(), _media_files()
    with pytest.raises(services.IngestError, match="扫描件共有 500 页需要文字识别，超过每个文件 200 页的上限"):
        services.store_document("五百页.pdf", data)
    assert Document.objects.count() == before_docs and _media_files() == before_files
    assert not DocumentPage.objects.filter(document__original_name="五百页.pdf").exists()


def test_scan_read_outside_the_archive_is_refused_not_ocred():
    # The fact-checker reads files in the request: a scan is not read there.
    with pytest.raises(readers.ReadError, match="扫描件"):
        readers.read_document("扫描件.pdf", text_pdf([[], []]))


def test_page_image_failure_leaves_nothing_behind(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("写入中断")

    monkeypatch.setattr(DocumentPage.objects, "bulk_create", broken)
    before_files = _media_files()
    with pytest.raises(RuntimeError):
        services.store_document("半截扫描.jpg", scans.jpeg_bytes(scans.page_image(SHORT_PAGE)))
    assert not Document.objects.filter(original_name="半截扫描.jpg").exists()
    assert _media_files() == before_files


# --- a folder holding every kind (issue 17, done when) --------------------------


def test_ingest_takes_a_folder_of_every_kind_each_searchable_with_facts(db, tmp_path, old_word, users):
    (tmp_path / "一.txt").write_text("北岭县2021年简报：走访留守儿童家庭101户。", encoding="utf-8")
    (tmp_path / "二.docx").write_bytes(_docx_bytes(["北岭县2021年总结", "发放慰问金102元。"]))
    (tmp_path / "三.doc").write_bytes(old_word)
    (tmp_path / "四.wps").write_bytes(old_word + b"\x00")
    (tmp_path / "五.pdf").write_bytes(text_pdf([["北岭县2021年通知", "新建儿童之家105所。"]]))
    (tmp_path / "六.pdf").write_bytes(scans.scanned_pdf([scans.page_image(SHORT_PAGE)]))
    outcomes = services.ingest_path(tmp_path, area="990101000000")
    assert [o.file for o in outcomes] == ["一.txt", "三.doc", "二.docx", "五.pdf", "六.pdf", "四.wps"]
    assert all(o.ok and not o.error for o in outcomes), [o.error for o in outcomes]
    admin = users["admin"]
    for query, spans in [("留守儿童家庭", "101户"), ("慰问金", "102元"), ("儿童之家", "105所"), ("走访", "156户")]:
        found = {h.document.pk for h in services.search_documents(admin, query, per_page=50).hits}
        facts = DocumentFact.objects.filter(document__in=[o.document_id for o in outcomes], span=spans)
        assert facts.exists() and facts.first().document_id in found, query
    scanned = next(o for o in outcomes if o.file == "六.pdf").document
    assert scanned.pages.count() == 1 and Path(scanned.pages.get().image.path).exists()
