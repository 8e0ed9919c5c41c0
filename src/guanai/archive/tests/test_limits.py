"""Bounds on what one upload or one search may cost (issue 11, point 4) and the
zip members refused (point 18); a thousand files in one zip (issue 17)."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from guanai.archive import readers, search, services
from guanai.archive.models import Document
from guanai.core.models import Job

from .test_ingest import _docx_bytes, _media_files


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- zip members refused (point 18) -------------------------------------------------


EVIL = {
    "简报.txt": "南山县2022年简报：慰问独居老人17户。".encode(),
    "../../evil.txt": "南山县越界文件：慰问18户。".encode(),
    "/etc/cron.d/evil.txt": "南山县绝对路径：慰问19户。".encode(),
    "a/../../outside.docx": b"PK",
}


def test_zip_members_leaving_the_archive_are_refused_and_named(db, tmp_path):
    path = tmp_path / "往年.zip"
    path.write_bytes(_zip(EVIL))
    outcomes = {o.file: o for o in services.ingest_path(path)}
    assert outcomes["简报.txt"].created
    for name in ("../../evil.txt", "/etc/cron.d/evil.txt", "a/../../outside.docx"):
        assert outcomes[name].refused and not outcomes[name].ok, name
    assert "上级目录" in outcomes["../../evil.txt"].refused
    assert "绝对路径" in outcomes["/etc/cron.d/evil.txt"].refused
    assert not Document.objects.filter(text__contains="越界").exists()
    summary = services.summary_json(list(outcomes.values()))
    assert {r["file"] for r in summary["refused"]} == {"../../evil.txt", "/etc/cron.d/evil.txt", "a/../../outside.docx"}


def test_refused_members_are_shown_on_the_job_page_and_by_the_cli(db, client_for, tmp_path, capsys,
                                                                  django_capture_on_commit_callbacks):
    client = client_for("office")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/archive/upload/", {"files": SimpleUploadedFile("往年.zip", _zip(EVIL)),
                                                    "area": "990100000000"})
    page = client.get(response.url).content.decode()
    assert 'data-refused="3"' in page and "../../evil.txt：文件名含有上级目录" in page

    path = tmp_path / "again.zip"
    path.write_bytes(_zip(EVIL))
    with pytest.raises(SystemExit):
        call_command("ingest", str(path), "--json")
    captured = capsys.readouterr()
    listing = {item["file"]: item for item in json.loads(captured.out)}
    assert "上级目录" in listing["../../evil.txt"]["error"]
    assert "拒绝 ../../evil.txt：" in captured.err


# --- a thousand files in one zip --------------------------------------------------


def test_zip_of_a_thousand_files_takes_the_good_ones_and_names_each_bad_one(db, tmp_path):
    entries = {f"简报/第{i:04d}期.txt": f"东城区第{i}期简报：走访慰问{i}户。".encode() for i in range(990)}
    entries.update({f"坏/坏{i}.docx": b"not a docx" for i in range(5)})
    entries.update({f"坏/坏{i}.pdf": b"%PDF-1.4 broken" for i in range(5)})
    path = tmp_path / "一千个.zip"
    path.write_bytes(_zip(entries))
    before = Document.objects.count()
    seen = []
    outcomes = services.ingest_path(path, area="990101000000",
                                    progress=lambda done, total, message: seen.append((done, total)))
    assert len(outcomes) == 1000 and seen[-1] == (1000, 1000)
    bad = [o for o in outcomes if not o.ok]
    assert len(bad) == 10 and all(o.error for o in bad)
    assert {o.error.split("：")[0] for o in bad} == {"无法打开 Word 文件", "无法读取 PDF 文件"}
    assert Document.objects.count() == before + 990
    assert Document.objects.filter(text="东城区第989期简报：走访慰问989户。").get().facts.get().value == 989


# --- zips streamed with a total cap ------------------------------------------------


def test_zip_total_cap_gives_each_member_past_it_its_own_message(db, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ZIP_TOTAL_BYTES", 400)  # two members of about 180 bytes
    entries = {f"{i}.txt": f"西岭县简报{i}：走访{i}户。".ljust(60, "。").encode() for i in range(6)}
    path = tmp_path / "大.zip"
    path.write_bytes(_zip(entries))
    outcomes = services.ingest_path(path)
    assert [o.ok for o in outcomes] == [True, True, False, False, False, False]
    assert all("总量超过" in o.error for o in outcomes[2:])


def test_zip_member_larger_than_it_says_is_not_read_past_the_limit(db, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "lies.zip"
    data = _zip({"大.txt": "很长".encode() * 2000, "小.txt": "东岭县简报：走访7户。".encode()})
    # Make the first member declare a small size in both headers.
    data = data.replace((12000).to_bytes(4, "little"), (100).to_bytes(4, "little"))
    path.write_bytes(data)
    outcomes = {o.file: o for o in services.ingest_path(path)}
    assert outcomes["小.txt"].ok
    assert not outcomes["大.txt"].ok and outcomes["大.txt"].error


# --- per-document text limit ---------------------------------------------------------


def test_a_text_no_briefing_is_gets_refused_with_a_message(db):
    long_text = ("东城区简报：走访慰问留守儿童家庭。" * 20000).encode()  # 34万字
    before, files = Document.objects.count(), _media_files()
    with pytest.raises(services.IngestError, match="文档文字过长（约 3[0-9] 万字，上限 30 万字）"):
        services.store_document("合订本.txt", long_text)
    with pytest.raises(services.IngestError, match="文档文字过长"):
        services.store_document("合订本.docx", _docx_bytes(["东城区简报：走访慰问留守儿童家庭。" * 200] * 100))
    assert Document.objects.count() == before and _media_files() == files


# --- search bounded in time --------------------------------------------------------


def _slow_sql(*args, **kwargs):
    if connection.vendor == "postgresql":
        return "SELECT 1, 1 FROM pg_sleep(30)", []
    return ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
            "SELECT max(x), 1 FROM c", [])


def test_search_stops_at_its_time_limit_and_says_so(db, users, client_for, monkeypatch):
    services.store_document("核桃.txt", "和平村2022年核桃产业简报".encode(), area="990101001001")
    monkeypatch.setattr(search, "TIME_LIMIT_SECONDS", 0.5)
    monkeypatch.setattr(search, "_ranked_sql", _slow_sql)
    page = services.search_documents(users["admin"], "核桃")
    assert page.timed_out and page.total == 0 and page.hits == []
    body = client_for("admin").get("/archive/", {"q": "核桃"}).content.decode()
    assert 'data-timed-out="1"' in body and "检索超时" in body
    # The connection is still usable, with no limit left behind.
    monkeypatch.undo()
    assert services.search_documents(users["admin"], "核桃").total == 1


# --- snippets of long documents ------------------------------------------------------


def test_snippet_of_a_long_text_finds_the_densest_window():
    terms = search.parse_query("核桃 合作社")
    text = "核桃。" * 3000 + "无关的文字。" * 20000 + "核桃合作社带动增收。" + "无关的文字。" * 20000
    html = search.snippet(text, terms)
    assert "<mark>核桃</mark><mark>合作社</mark>带动增收" in html
    assert html.startswith("…") and html.endswith("…")
