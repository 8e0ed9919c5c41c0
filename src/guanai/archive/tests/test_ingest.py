"""Taking documents in: reading each format, normalising, facts, de-duplication,
and nothing half-stored when a file is bad."""

import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings

from guanai.archive import readers, services
from guanai.archive.models import Document, DocumentFact
from guanai.audit.models import AuditEvent

from guanai.textproc.tests import samples

from .pdfmaker import text_pdf

SAMPLE = samples.WEB_COPY  # a broken web copy made for the tests (textproc/tests/samples)


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "archive"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _docx_bytes(paragraphs, table=None, title="") -> bytes:
    document = docx.Document()
    if title:
        document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the sample page -------------------------------------------------------


@pytest.fixture
def sample_document(db):
    document, created = services.store_document(SAMPLE.name, SAMPLE.read_bytes(), area="990101000000")
    assert created
    return document


def test_sample_page_is_normalised_and_its_facts_found(sample_document):
    doc = sample_document
    assert doc.title == samples.TITLE
    assert doc.kind == Document.BRIEFING and doc.year == 2024 and doc.area_id == "990101000000"
    # Web debris is gone, the figures are intact.
    assert doc.text == samples.expected()["text"]
    facts = {(f.kind, f.value, f.unit, f.subject, f.approx) for f in doc.facts.all()}
    assert ("quantity", 298, "户", "留守儿童家庭", "") in facts
    assert ("quantity", 1862, "名", "农村留守儿童", "") in facts
    assert ("money", 45000, "元", "慰问金", "") in facts
    assert ("quantity", 120, "名", "儿童", "约") in facts
    money = doc.facts.get(span="4.5万元")
    assert money.value_number == 45000 and money.year == 2024
    assert doc.text[money.start:money.end] == "4.5万元"
    assert "城关镇" in doc.places and {"县民政局", "县妇联", "县教育局"} <= set(doc.organisations)


def test_sample_normalisation_log_is_kept_with_the_document(sample_document):
    log = sample_document.normalisation_log
    assert [(e["action"], e["pinyin"], e["char"]) for e in log if e["action"] != "note"] and all(
        set(e) == {"action", "pinyin", "char", "context"} for e in log)
    assert sorted((e["action"], e["pinyin"], e["char"]) for e in log) == sorted(
        (e["action"], e["pinyin"], e["char"]) for e in samples.expected()["log"])


def test_sample_inferred_dates_are_stored_as_such(sample_document):
    day = sample_document.facts.get(span="5日")
    assert (day.value, day.inferred, day.year) == ("2024-06-05", True, 2024)
    last_month = sample_document.facts.get(span="上月")
    assert (last_month.inferred, last_month.range_start, last_month.range_end) == (True, "2024-05-01", "2024-05-31")
    assert not sample_document.facts.get(span="2024年6月18日").inferred


def test_original_kept_with_its_name_and_fingerprint(sample_document):
    doc = sample_document
    path = Path(doc.original.path)
    assert path.read_bytes() == SAMPLE.read_bytes()
    assert path.name == SAMPLE.name and doc.original_name == SAMPLE.name
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "archive")
    assert doc.sha256 in str(path) and doc.size == SAMPLE.stat().st_size
    # One event for the stored document (the service's, the model signal stays silent).
    [event] = AuditEvent.objects.filter(object_type="archive.document", object_id=str(doc.pk))
    assert event.action == AuditEvent.IMPORT and SAMPLE.name in event.detail


def test_same_file_twice_is_stored_once(sample_document):
    again, created = services.store_document("另一个名字.txt", SAMPLE.read_bytes())
    assert not created and again.pk == sample_document.pk
    assert Document.objects.filter(sha256=sample_document.sha256).count() == 1
    assert DocumentFact.objects.filter(document=sample_document).count() == sample_document.facts.count()


# --- formats ---------------------------------------------------------------


def test_docx_paragraphs_and_tables_round_trip(db):
    data = _docx_bytes(
        ["南湖县2024年关爱服务工作简报", "全县走访慰问空巢老人156户，发放慰问金３.５万元。"],
        table=[["项目", "数量"], ["新建儿童之家", "12所"]],
    )
    doc, created = services.store_document("简报.docx", data, area="990103000000")
    assert created and doc.title == "南湖县2024年关爱服务工作简报" and doc.kind == Document.BRIEFING
    assert "发放慰问金3.5万元" in doc.text  # full-width digits made half-width
    assert "新建儿童之家\t12所" in doc.text
    assert doc.year == 2024
    values = {(f.kind, f.value, f.unit) for f in doc.facts.all()}
    assert {("quantity", 156, "户"), ("money", 35000, "元"), ("quantity", 12, "所")} <= values


def test_docx_declared_title_wins(db):
    data = _docx_bytes(["正文第一段很长很长，说明了很多情况。"], title="西山县2023年工作总结")
    doc, _ = services.store_document("x.docx", data)
    assert doc.title == "西山县2023年工作总结" and doc.kind == Document.SUMMARY and doc.year == 2023


def test_text_pdf_round_trip(db):
    data = text_pdf([["城关镇2025年关爱留守儿童工作简报",
                      "全镇走访留守儿童家庭298户，发放慰问金4.5万元，慰问品折合人民币3000元整，覆盖全镇",
                      "12个村。"]])
    doc, created = services.store_document("简报.pdf", data, area="990101001000")
    assert created and doc.title == "城关镇2025年关爱留守儿童工作简报"
    # The line broken by the page layout is joined again.
    assert "覆盖全镇12个村。" in doc.text
    values = {(f.kind, f.value, f.unit) for f in doc.facts.all()}
    assert {("quantity", 298, "户"), ("money", 45000, "元"), ("quantity", 12, "个")} <= values


def test_scanned_pdf_gets_a_chinese_error_and_nothing_is_stored(db):
    before_docs, before_files = Document.objects.count(), _media_files()
    with pytest.raises(services.IngestError, match="扫描件"):
        services.store_document("扫描件.pdf", text_pdf([[], []]))
    assert Document.objects.count() == before_docs and _media_files() == before_files


@pytest.mark.parametrize(("name", "data", "message"), [
    ("坏文件.docx", b"this is not a zip", "无法打开 Word 文件"),
    ("坏文件.pdf", b"%PDF-1.4 garbage", "PDF"),
    ("旧版.doc", b"\xd0\xcf\x11\xe0 old word", "无法打开旧版 Word"),
    ("图片.jpg", b"\xff\xd8\xff", "图片文件已损坏"),
    ("照片.gif", b"GIF89a", "不支持的文件类型"),
    ("空.txt", b"   \n", "没有可读取的文字"),
    ("二进制.txt", b"\x00\x01\x02abc", "不是文本文件"),
])
def test_bad_files_get_chinese_errors_and_nothing_is_stored(db, name, data, message):
    before_docs, before_facts, before_files = Document.objects.count(), DocumentFact.objects.count(), _media_files()
    with pytest.raises(services.IngestError, match=message):
        services.store_document(name, data)
    assert Document.objects.count() == before_docs and DocumentFact.objects.count() == before_facts
    assert _media_files() == before_files


def test_failure_inside_the_transaction_leaves_no_document_and_no_file(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("写入中断")

    monkeypatch.setattr(DocumentFact.objects, "bulk_create", broken)
    before_files = _media_files()
    with pytest.raises(RuntimeError):
        services.store_document("半截.txt", "北岭县2022年工作总结：走访慰问困难家庭88户。".encode())
    assert not Document.objects.filter(original_name="半截.txt").exists()
    assert _media_files() == before_files


def test_gbk_text_file_with_traditional_characters(db):
    data = "西山縣關愛留守兒童工作簡報\n全縣共有留守兒童１２３名。".encode("gb18030")
    doc, _ = services.store_document("繁体.txt", data)
    assert doc.title == "西山县关爱留守儿童工作简报"
    assert "全县共有留守儿童123名" in doc.text
    assert doc.facts.get(kind="quantity").value == 123


def test_utf16_text_file(db):
    doc, _ = services.store_document("u16.txt", "东城区慰问独居老人9户。".encode("utf-16"))
    assert doc.text == "东城区慰问独居老人9户。"


# --- folders and zips ------------------------------------------------------


def _gbk_zip(entries: dict[str, bytes]) -> bytes:
    """A zip as Windows' built-in compressor makes it: names in GBK, no UTF-8 flag.
    zipfile itself only writes ASCII or flagged UTF-8 names, so each entry is
    written under an ASCII placeholder of the same length, then renamed in place."""
    buffer = io.BytesIO()
    renames = []
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, (name, data) in enumerate(entries.items()):
            gbk = name.encode("gbk")
            placeholder = f"{index:03d}".encode().ljust(len(gbk), b"_")
            archive.writestr(placeholder.decode(), data)
            renames.append((placeholder, gbk))
    raw = buffer.getvalue()
    for placeholder, gbk in renames:
        raw = raw.replace(placeholder, gbk)
    return raw


def test_zip_with_gbk_names_ingests_each_document(db, tmp_path):
    path = tmp_path / "往年简报.zip"
    path.write_bytes(_gbk_zip({
        "2021年/第1期简报.txt": "青山县2021年第1期简报：慰问留守儿童35名。".encode("gb18030"),
        "2021年/总结.docx": _docx_bytes(["青山县2021年工作总结", "全年发放慰问金2.4万元。"]),
        "说明.gif": b"GIF89a",
        "坏的.pdf": b"not a pdf",
    }))
    raw_names = [i.filename for i in zipfile.ZipFile(path).infolist()]
    assert not any("简报" in n for n in raw_names)  # really stored in GBK
    outcomes = services.ingest_path(path, area="990101000000")
    by_file = {o.file: o for o in outcomes}
    assert set(by_file) == {"2021年/第1期简报.txt", "2021年/总结.docx", "说明.gif", "坏的.pdf"}
    assert by_file["2021年/第1期简报.txt"].created
    assert by_file["2021年/第1期简报.txt"].document.original_name == "第1期简报.txt"
    assert by_file["2021年/总结.docx"].document.kind == Document.SUMMARY
    assert by_file["说明.gif"].skipped and not by_file["说明.gif"].error
    assert "PDF" in by_file["坏的.pdf"].error and by_file["坏的.pdf"].document is None
    # The whole zip again: nothing new.
    again = services.ingest_path(path, area="990101000000")
    assert [o.created for o in again if o.ok] == [False, False]


def test_folder_is_walked_recursively(db, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "一.txt").write_text("北岭县简报一：走访42户。", encoding="utf-8")
    (tmp_path / "二.txt").write_text("北岭县简报二：走访43户。", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐藏", encoding="utf-8")
    outcomes = services.ingest_path(tmp_path)
    assert sorted(o.file for o in outcomes) == ["a/一.txt", "二.txt"]
    assert all(o.created for o in outcomes)
    assert readers.count_files(tmp_path) == 2


def test_missing_path_and_broken_zip_are_refused(db, tmp_path):
    with pytest.raises(services.IngestError, match="不存在"):
        services.ingest_path(tmp_path / "nothing.txt")
    broken = tmp_path / "坏.zip"
    broken.write_bytes(b"PK not really")
    with pytest.raises(services.IngestError, match="压缩包“坏.zip”已损坏"):
        services.ingest_path(broken)


def test_unknown_area_is_refused(db):
    with pytest.raises(services.IngestError, match="区划代码"):
        services.store_document("x.txt", "内容".encode(), area="123456789012")


# --- guessing --------------------------------------------------------------


@pytest.mark.parametrize(("title", "text", "filename", "kind"), [
    ("示范市工作简报（第3期）", "", "", Document.BRIEFING),
    ("关于开展暑期安全教育的通知", "", "", Document.NOTICE),
    ("2023年工作总结暨2024年工作打算", "", "", Document.SUMMARY),
    ("爱心家长结对帮扶活动", "", "结对帮扶简报.txt", Document.BRIEFING),
    ("城关镇走访慰问", "城关镇工作简报 2025年1月", "", Document.BRIEFING),
    ("城关镇走访慰问", "正文", "", Document.OTHER),
])
def test_guess_kind(title, text, filename, kind):
    assert services.guess_kind(title, text, filename) == kind


def test_guess_title_and_year():
    assert services.guess_title("## 东城区简报\n正文", "f.txt") == "东城区简报"
    assert services.guess_title("这是一段很长的正文开头。后面还有很多内容，没有标题，只能用文件名来作为标题才合适。", "2020年总结.txt") == "2020年总结"
    assert services.guess_year("二〇一九年工作总结", []) == 2019
    from guanai.textproc.facts import extract_facts

    facts = extract_facts("2020年3月1日开展活动，2021年5月复查，2021年8月总结。")
    assert services.guess_year("工作总结", facts) == 2021
