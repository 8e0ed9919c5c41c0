"""`guanai ingest FILE [--json]`: JSON on stdout, messages on stderr, non-zero exit on failure."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanai.archive.models import Document
from guanai.textproc.tests import samples

SAMPLE = samples.WEB_COPY  # a broken web copy made for the tests (textproc/tests/samples)
FACT_KEYS = {"kind", "value", "unit", "subject", "approx", "span"}


def test_ingest_json_shape(db, capsys):
    call_command("ingest", str(SAMPLE), "--json", "--area", "990101000000")
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert set(payload) == {"text", "facts"}
    assert payload["text"] == samples.expected()["text"]
    assert all(set(f) == FACT_KEYS for f in payload["facts"])
    assert {f["kind"] for f in payload["facts"]} == {"date", "quantity", "money", "percent"}
    facts = {(f["kind"], f["value"], f["unit"], f["subject"], f["approx"], f["span"]) for f in payload["facts"]}
    assert ("quantity", 298, "户", "留守儿童家庭", "", "298户") in facts
    assert ("money", 45000, "元", "慰问金", "", "4.5万元") in facts
    assert ("quantity", 13000, "人次", "学生", "余", "1.3万余人次") in facts
    assert ("date", "2024-06-05", "", "", "", "5日") in facts  # a day-only date, month and year inferred
    assert ("date", "2024-06-18", "", "", "", "2024年6月18日") in facts
    assert "已导入" in captured.err and "{" not in captured.err
    doc = Document.objects.get(original_name=SAMPLE.name)
    assert doc.area_id == "990101000000"
    # Again: the same JSON from what is stored, and no second document.
    call_command("ingest", str(SAMPLE), "--json")
    again = capsys.readouterr()
    assert json.loads(again.out) == payload and "已存在" in again.err
    assert Document.objects.filter(sha256=doc.sha256).count() == 1


def test_ingest_percent_and_kind_option(db, tmp_path, capsys):
    path = tmp_path / "p.txt"
    path.write_text("北岭县2022年简报：入学率达到98.5%，较上年提高2个百分点，约300人参加。", encoding="utf-8")
    call_command("ingest", str(path), "--json", "--kind", "通知")
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert {"kind": "percent", "value": 98.5, "unit": "%", "subject": "入学率", "approx": "", "span": "98.5%"} in facts
    assert any(f["unit"] == "个百分点" and f["value"] == 2 for f in facts)
    assert any(f["value"] == 300 and f["approx"] == "约" for f in facts)
    assert Document.objects.get(original_name="p.txt").kind == Document.NOTICE


def test_ingest_folder_or_zip_prints_a_list(db, tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "一.txt").write_text("东城区简报一：走访51户。", encoding="utf-8")
    (folder / "二.txt").write_text("东城区简报二：走访52户。", encoding="utf-8")
    call_command("ingest", str(folder), "--json")
    listing = json.loads(capsys.readouterr().out)
    assert [item["file"] for item in listing] == ["一.txt", "二.txt"]
    assert listing[1]["facts"][0]["value"] == 52 and set(listing[0]) == {"file", "text", "facts"}

    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("三.txt", "东城区简报三：走访53户。")
        zf.writestr("四.pdf", b"broken")
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", str(archive), "--json")
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    listing = json.loads(captured.out)
    assert listing[0]["facts"][0]["value"] == 53
    assert listing[1]["file"] == "四.pdf" and "PDF" in listing[1]["error"]
    assert "失败 四.pdf" in captured.err


@pytest.mark.parametrize(("args", "message"), [
    (["nothing-here.txt"], "文件不存在"),
    ([str(SAMPLE), "--area", "123456789012"], "区划代码"),
    ([str(SAMPLE), "--kind", "日记"], "未知的文档类型"),
])
def test_ingest_refuses_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("ingest", *args)


def test_ingest_bad_file_fails_and_stores_nothing(db, tmp_path, capsys):
    path = tmp_path / "扫描.pdf"
    path.write_bytes(b"%PDF-1.4 not really a pdf")
    before = Document.objects.count()
    with pytest.raises(CommandError, match="无法读取 PDF"):
        call_command("ingest", str(path), "--json")
    assert capsys.readouterr().out == "" and Document.objects.count() == before


def test_ingest_as_a_real_process(tmp_path):
    """The installed command: stdout holds the JSON alone, the exit status tells failure."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "GUANAI_HOME": str(tmp_path)}
    guanai = [sys.executable, "-m", "guanai.cli"]
    migrated = subprocess.run([*guanai, "migrate", "-v0"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    done = subprocess.run([*guanai, "ingest", str(SAMPLE), "--json"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {"kind": "quantity", "value": 298, "unit": "户", "subject": "留守儿童家庭", "approx": "",
            "span": "298户"} in json.loads(done.stdout)["facts"]
    assert "已导入" in done.stderr
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"nope")
    failed = subprocess.run([*guanai, "ingest", str(bad), "--json"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert failed.returncode != 0 and failed.stdout == "" and "无法打开 Word 文件" in failed.stderr
