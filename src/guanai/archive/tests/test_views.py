"""The archive pages: who may use them, what they show, uploads one by one and in bulk."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanai.archive import services
from guanai.archive.models import Document
from guanai.audit.models import AuditEvent
from guanai.core.models import Job
from guanai.textproc.tests import samples

SAMPLE = samples.WEB_COPY  # a broken web copy made for the tests (textproc/tests/samples)


@pytest.fixture
def documents(db):
    own, _ = services.store_document("和平村简报.txt", "和平村2024年核桃产业简报\n核桃合作社带动留守儿童家庭增收，慰问留守儿童12名。".encode(),
                                     area="990101001001")
    foreign, _ = services.store_document("西山县总结.txt", "西山县2023年蜂蜜产业总结\n蜂蜜合作社吸纳就业35人。".encode(),
                                         area="990102001001")
    return {"own": own, "foreign": foreign}


def test_search_page_shows_marked_hits_in_scope(documents, client_for):
    body = client_for("village").get("/archive/", {"q": "核桃"}).content.decode()
    assert "<mark>核桃</mark>" in body and "和平村2024年" in body
    assert 'data-total="1"' in body
    assert 'data-total="0"' in client_for("village").get("/archive/", {"q": "蜂蜜"}).content.decode()
    county = client_for("city").get("/archive/", {"q": "蜂蜜 合作社"}).content.decode()
    assert "西山县2023年<mark>蜂蜜</mark>产业总结" in county


def test_search_page_filters_and_ignores_bad_values(documents, client_for):
    client = client_for("admin")
    body = client.get("/archive/", {"q": "合作社", "year": "2023"}).content.decode()
    assert 'data-total="1"' in body and "蜂蜜" in body
    body = client.get("/archive/", {"q": "合作社", "area": "990101000000", "kind": "briefing"}).content.decode()
    assert 'data-total="1"' in body and "核桃" in body
    response = client.get("/archive/", {"q": "合作社", "year": "abc", "area": "x", "kind": "zzz", "page": "-3"})
    assert response.status_code == 200


def test_detail_page_shows_text_marks_and_facts(documents, client_for):
    doc = documents["own"]
    response = client_for("village").get(f"/archive/{doc.pk}/", {"q": "核桃"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>核桃</mark>合作社" in body and "读出的数据（2 条）" in body
    assert re.search(r"<td>数量</td><td>12</td><td>名</td><td>留守儿童</td>", body)


def test_out_of_scope_document_is_404_in_chinese(documents, client_for):
    doc = documents["foreign"]
    for url in (f"/archive/{doc.pk}/", f"/archive/{doc.pk}/original/"):
        response = client_for("village").get(url)
        assert response.status_code == 404 and "不在您的管辖范围内" in response.content.decode()
    assert client_for("city").get(f"/archive/{doc.pk}/").status_code == 200


def test_original_download_is_the_same_bytes_and_audited(documents, client_for):
    doc = documents["own"]
    response = client_for("village").get(f"/archive/{doc.pk}/original/")
    assert response.status_code == 200 and response.content == Path(doc.original.path).read_bytes()
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT, object_id=str(doc.pk)).exists()


@pytest.mark.parametrize(("username", "status"), [
    ("admin", 200), ("office", 200), ("city", 200), ("county", 200), ("township", 200),
    ("village", 403), ("leader", 403), ("unit", 403), ("volunteer", 403),
])
def test_who_may_upload(client_for, username, status):
    assert client_for(username).get("/archive/upload/").status_code == status


@pytest.mark.parametrize(("username", "status"), [("leader", 200), ("unit", 200), ("village", 200), ("volunteer", 403)])
def test_who_may_search(db, client_for, username, status):
    assert client_for(username).get("/archive/").status_code == status
    assert client_for(username).get("/archive/facts/").status_code == status


def test_upload_one_file_stores_it_in_the_uploaders_area(client_for, users):
    client = client_for("county")
    upload = SimpleUploadedFile(SAMPLE.name, SAMPLE.read_bytes(), content_type="text/plain")
    response = client.post("/archive/upload/", {"files": upload, "area": "990101000000", "kind": ""})
    assert response.status_code == 302
    doc = Document.objects.get(original_name=SAMPLE.name)
    assert response.url == f"/archive/{doc.pk}/"
    assert doc.area_id == "990101000000" and doc.uploaded_by == users["county"]
    assert doc.facts.filter(span="4.5万元", value_number=45000).exists()
    page = client.get(response.url).content.decode()
    assert "已导入" in page and f"读出数据 {doc.facts.count()} 条" in page
    # The normalisation log is on the page: each restored and dropped annotation.
    assert "规范化记录（补回 6 字，删除 2 处）" in page
    assert page.count('data-action="restored"') == 6 and page.count('data-action="dropped"') == 2
    assert "扎实开展" in page and "推断" in page
    # The same file again: not stored twice, said so.
    again = client.post("/archive/upload/", {"files": SimpleUploadedFile("副本.txt", SAMPLE.read_bytes()),
                                             "area": "990101000000"}, follow=True)
    assert "此前已导入" in again.content.decode()
    assert Document.objects.filter(sha256=doc.sha256).count() == 1


def test_upload_area_must_be_within_the_users_jurisdiction(client_for):
    upload = SimpleUploadedFile("a.txt", "东城区简报：走访10户。".encode())
    response = client_for("county").post("/archive/upload/", {"files": upload, "area": "990102000000"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Document.objects.filter(original_name="a.txt").exists()


def test_upload_of_a_bad_file_says_why_and_stores_nothing(client_for):
    before = Document.objects.count()
    upload = SimpleUploadedFile("坏.docx", b"not a docx")
    response = client_for("office").post("/archive/upload/", {"files": upload, "area": "990100000000"})
    body = response.content.decode()
    assert response.status_code == 200 and "无法打开 Word 文件" in body
    assert Document.objects.count() == before
    upload = SimpleUploadedFile("图.gif", b"GIF89a")
    body = client_for("office").post("/archive/upload/", {"files": upload, "area": "990100000000"}).content.decode()
    assert "不支持的文件类型" in body


def test_upload_of_a_zip_runs_as_a_job_with_progress(client_for, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("一.txt", "示范市2021年简报一：慰问留守儿童21名。")
        archive.writestr("二.txt", "示范市2021年简报二：慰问空巢老人22名。")
        archive.writestr("坏.pdf", b"broken")
    client = client_for("office")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/archive/upload/", {"files": SimpleUploadedFile("往年.zip", buffer.getvalue()),
                                                    "area": "990100000000"})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    job = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert job.status == Job.DONE and job.kind == "archive_ingest"
    assert job.result["created"] == 2 and job.result["errors"][0]["column"] == "坏.pdf"
    assert Document.objects.filter(original_name__in=["一.txt", "二.txt"], area_id="990100000000").count() == 2
    page = client.get(response.url).content.decode()
    assert "100%" in page and "坏.pdf" in page
    # The temporary copy of the upload is gone once the job is done.
    assert not Path(job.params["path"]).exists()


def test_upload_of_several_files_runs_as_a_job(client_for, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile("甲.txt", "北岭县简报甲：走访31户。".encode()),
             SimpleUploadedFile("乙.txt", "北岭县简报乙：走访32户。".encode())]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("admin").post("/archive/upload/", {"files": files, "area": ""})
    job = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert job.result["created"] == 2
    assert Document.objects.filter(original_name__in=["甲.txt", "乙.txt"], area=None).count() == 2


def test_facts_page_lists_historical_figures_in_scope(documents, client_for):
    body = client_for("village").get("/archive/facts/", {"subject": "留守儿童"}).content.decode()
    assert "<td>12</td><td>名</td><td>留守儿童</td>" in body
    body = client_for("village").get("/archive/facts/", {"kind": "quantity"}).content.decode()
    assert "<td>35</td><td>人</td>" not in body and "西山县2023年蜂蜜产业总结" not in body
    assert "<td>35</td>" in client_for("admin").get("/archive/facts/", {"year": "2023"}).content.decode()


def test_facts_are_queryable_by_area_and_year(documents, users):
    facts = services.scoped_facts(users["admin"], area="990102000000", year=2023)
    assert [(f.kind, f.value, f.unit) for f in facts] == [("date", "2023-XX-XX", ""), ("quantity", 35, "人")]
    assert not services.scoped_facts(users["village"], area="990102000000").exists()


def test_navigation_and_home_card(db, client_for):
    assert "档案检索" in client_for("leader").get("/").content.decode()
    assert 'data-card="档案文档"' in client_for("leader").get("/").content.decode()
    assert "档案检索" not in client_for("volunteer").get("/").content.decode()


def test_upload_of_a_scan_runs_ocr_as_a_job_and_shows_each_page_beside_its_text(client_for,
                                                                              django_capture_on_commit_callbacks):
    from . import scans

    image = scans.page_image("城关镇2025年走访简报\n全镇共走访留守儿童家庭156户，新建儿童之家6所。")
    client = client_for("county")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/archive/upload/", {"files": SimpleUploadedFile("扫描.jpg", scans.jpeg_bytes(image)),
                                                    "area": "990101000000"})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    job = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert job.status == Job.DONE and job.result["created"] == 1
    doc = Document.objects.get(pk=job.result["documents"][0])
    job_page = client.get(response.url).content.decode()
    assert f'href="/archive/{doc.pk}/"' in job_page and "查看文档" in job_page
    page = client.get(f"/archive/{doc.pk}/").content.decode()
    assert "本文档为扫描件" in page and f'src="/archive/{doc.pk}/pages/1/"' in page
    assert 'data-needs-check="0"' in page and "留守儿童家庭156户" in page
    picture = client.get(f"/archive/{doc.pk}/pages/1/")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png" and picture.content.startswith(b"\x89PNG")
    assert client.get(f"/archive/{doc.pk}/pages/2/").status_code == 404
    assert client_for("village").get(f"/archive/{doc.pk}/pages/1/").status_code == 404  # another village's user
