import json
import re
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from guanai.areas.models import Area
from guanai.core.models import Job


def _card(body: str, label: str) -> int:
    match = re.search(r'data-card="%s">(\d+)<' % re.escape(label), body)
    assert match, f"card {label} missing"
    return int(match.group(1))


def test_home_counts_are_real_and_scoped(client_for):
    city_body = client_for("city").get("/").content.decode()
    township_body = client_for("township").get("/").content.decode()
    assert _card(city_body, "村/社区级区划") == Area.objects.filter(level=5, code__startswith="9901").count()
    assert _card(township_body, "村/社区级区划") == Area.objects.filter(level=5, code__startswith="990101001").count()
    Area.objects.create(code="990101001099", name="新设村", level=5, parent_id="990101001000")
    assert _card(client_for("township").get("/").content.decode(), "村/社区级区划") == 5


@pytest.mark.parametrize("username,label", [
    ("admin", "系统管理员工作台"), ("office", "领导小组办公室工作台"), ("unit", "成员单位联络员工作台"),
    ("village", "儿童主任/网格员工作台"), ("volunteer", "志愿者/爱心家长工作台"), ("leader", "领导工作台"),
])
def test_every_role_has_a_home(client_for, username, label):
    response = client_for(username).get("/")
    assert response.status_code == 200 and label in response.content.decode()


def test_only_a_card_with_lines_lists_them(client_for):
    # A card without ``lines`` lists nothing (``card.items`` was the dict's own method: every card
    # showed a list of empty links).
    body = client_for("office").get("/").content.decode()
    listed = re.findall(r'data-card-lines="([^"]+)"', body)
    assert len(listed) == 2 and listed[0].startswith("未按时报送（") and listed[1] == "逾期整改事项"
    assert 'href=""' not in body and "data-card-lines" not in client_for("village").get("/").content.decode()


def test_area_import_page_runs_a_job_with_progress_and_result(client_for, django_capture_on_commit_callbacks):
    client = client_for("admin")
    upload = SimpleUploadedFile("区划.csv", "代码,名称\n990101001098,新建村\n990101001097,坏\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/areas/import/", {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert job.status == Job.DONE and job.result["created"] == 2
    page = client.get(response.url).content.decode()
    assert "已完成" in page and "100%" in page
    partial = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="job-progress"' in partial
    # Nobody else sees the job.
    assert client_for("office").get(response.url).status_code in (403, 404)


def test_area_import_page_refuses_other_file_types(client_for):
    upload = SimpleUploadedFile("区划.pdf", b"%PDF")
    response = client_for("admin").post("/areas/import/", {"file": upload})
    assert response.status_code == 200 and "请上传" in response.content.decode()


def test_cli_import_json(db, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text("代码,名称\n990101001096,甲村\n9901010010,乙村\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(path), "--kind", "areas", "--json")
    assert exit_info.value.code == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["committed"] is False and payload["errors"][0]["row"] == 3
    assert payload["errors"][0]["column"] == "代码"


def test_demo_is_not_loaded_twice(db, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo")
    call_command("demo", "--if-empty")
    assert "demo-guanai-2026" in capsys.readouterr().out


def test_guanai_cli_passes_django_commands_through():
    out = subprocess.run([sys.executable, "-m", "guanai.cli", "help", "demo"], capture_output=True, text=True, check=True)
    assert "--scale" in out.stdout


@pytest.mark.parametrize("asset", ["vendor/htmx.min.js", "vendor/alpine.min.js", "vendor/echarts.min.js",
                                   "vendor/bootstrap.min.css", "guanai/site.css"])
def test_static_assets_are_shipped_and_served(client, asset):
    # No CDN: every script and style comes from the project itself.
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200


def test_pages_reference_no_external_hosts(client_for):
    body = client_for("village").get("/").content.decode()
    assert "https://" not in body and "http://" not in body
