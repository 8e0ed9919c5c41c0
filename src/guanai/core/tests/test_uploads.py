"""Uploaded person sheets hold ID numbers in clear: kept sealed while they wait for their job,
deleted when their last job ends, never kept past a day; the error workbook likewise."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanai.core import uploads
from guanai.core.models import Job
from guanai.textproc.idcard import check_digit

VILLAGE = "990101001001"


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # nothing left by other tests is counted here


def _id(seq: int) -> str:
    body = f"11010520150101{seq:03d}"
    return body + check_digit(body)


def _sheet(tmp_path, rows) -> Path:
    path = tmp_path / "花名册.csv"
    path.write_text("姓名,身份证号,村（社区）代码,人员类别\n" + "".join(
        f"{name},{number},{VILLAGE},农村留守儿童\n" for name, number in rows), encoding="utf-8")
    return path


def _files() -> list[Path]:
    return sorted(uploads.folder().glob("*"))


def _plain_anywhere(needle: str) -> bool:
    return any(needle.encode() in path.read_bytes() for path in _files() if path.is_file())


def test_a_sealed_file_opens_to_its_content_and_tells_tampering(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = uploads.save_upload(SimpleUploadedFile("x.xlsx", data))
    assert data[:1000] not in Path(path).read_bytes()
    assert b"".join(uploads.stream(path)) == data
    with uploads.opened(path) as plain:
        assert plain.suffix == ".xlsx" and plain.read_bytes() == data
    assert not plain.exists()
    raw = bytearray(Path(path).read_bytes())
    raw[len(raw) // 2] ^= 1
    Path(path).write_bytes(bytes(raw))
    with pytest.raises(Exception):
        b"".join(uploads.stream(path))
    Path(path).write_bytes(bytes(raw[: len(raw) // 3]))  # cut short
    with pytest.raises(Exception):
        b"".join(uploads.stream(path))


def test_an_upload_is_sealed_while_it_waits_and_gone_after_the_commit(tmp_path, client_for,
                                                                         django_capture_on_commit_callbacks):
    good, bad = _id(11), _id(23)
    sheet = _sheet(tmp_path, [("封存甲", good), ("封存乙", bad[:-3])])
    client = client_for("village")
    before = set(_files())
    with django_capture_on_commit_callbacks(execute=True), sheet.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle})
    preview = int(response["Location"].rstrip("/").split("/")[-1])
    kept = set(_files()) - before
    assert kept and all(path.name.endswith(".sealed") for path in kept)  # the upload and the error workbook
    assert not _plain_anywhere(good)
    with django_capture_on_commit_callbacks(execute=True):
        commit = client.post(f"/persons/import/{preview}/commit/")
    assert "导入完成" in client.get(commit["Location"]).content.decode()
    upload = Path(Job.objects.get(pk=preview).params["path"])
    assert upload in kept and not upload.exists()  # the commit was the upload's last use
    workbooks = {Path(job.result["error_workbook"]) for job in Job.objects.filter(kind="import", user__username="village")}
    assert set(_files()) - before == workbooks and len(workbooks) == 2  # the preview's and the commit's
    download = client.get(f"/persons/import/{preview}/errors.xlsx")
    assert download.status_code == 200
    for path in workbooks:
        os.utime(path, (time.time() - 2 * 86400,) * 2)
    assert uploads.purge_expired() == 2
    expired = client.get(f"/persons/import/{preview}/errors.xlsx", follow=True)
    assert "错误清单已过期" in expired.content.decode()


def test_an_unconfirmed_preview_is_not_kept_past_a_day(tmp_path, client_for, django_capture_on_commit_callbacks):
    sheet = _sheet(tmp_path, [("未确认", _id(35))])
    client = client_for("village")
    with django_capture_on_commit_callbacks(execute=True), sheet.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle})
    preview = int(response["Location"].rstrip("/").split("/")[-1])
    for path in _files():
        os.utime(path, (time.time() - 2 * 86400,) * 2)
    with django_capture_on_commit_callbacks(execute=True), _sheet(tmp_path, [("后来者", _id(47))]).open("rb") as h:
        client.post("/persons/import/", {"file": h})  # starting a job purges what is past its time
    with django_capture_on_commit_callbacks(execute=True):
        commit = client.post(f"/persons/import/{preview}/commit/")
    assert "上传的文件已不存在" in client.get(commit["Location"]).content.decode()
