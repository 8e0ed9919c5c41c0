"""A long text to check (200,000 characters, no sentence end): each figure is shown with a
window of text around it, a check stops at MAX_FIGURES and says so, a long check runs as a
job with progress, and a file's text has the same limit as the form's."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from guanai.briefings import factcheck
from guanai.core.demo import CITY_CODE
from guanai.core.models import Job

pytestmark = pytest.mark.django_db

CLAUSE = "城关镇走访慰问留守儿童12次，发放慰问金3000元，"


def _long(chars: int = 200_000) -> str:
    return (CLAUSE * (chars // len(CLAUSE) + 1))[:chars]


def test_a_long_sentence_is_checked_in_bounded_windows_up_to_the_cap():
    figures = factcheck.check_text(_long(), CITY_CODE, "2026")
    assert len(figures) == factcheck.MAX_FIGURES and figures.truncated
    assert "只核对了前" in figures.notice
    widest = 2 * factcheck.CONTEXT_CHARS + max(len(f.span) for f in figures) + 2
    assert max(len(f.text) for f in figures) <= widest
    assert {f.metric for f in figures if f.metric} >= {"visits", "aid_cash_yuan"}


def test_a_short_text_keeps_its_sentences_whole():
    sentence = "本季度全市开展走访慰问12次，发放慰问金3000元。"
    figures = factcheck.check_text(sentence, CITY_CODE, "2026")
    assert [f.text for f in figures] == [sentence, sentence] and not figures.truncated


def test_a_long_check_runs_as_a_job_and_its_page_stays_small(client_for, django_capture_on_commit_callbacks):
    client = client_for("office")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/briefings/factcheck/", {"text": _long(), "area": CITY_CODE, "period": "2026"})
    job = Job.objects.get(kind="briefing_factcheck")
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.status == Job.DONE and "text" not in job.params  # the draft is not kept
    progress = client.get(response.url).content.decode()
    assert "查看核对结果" in progress
    page = client.get(job.result["url"])
    body = page.content.decode()
    assert page.status_code == 200 and body.count("data-status=") == factcheck.MAX_FIGURES
    assert "只核对了前" in body
    assert len(page.content) < 400_000  # about a kilobyte a row: linear in the rows, not in the text
    # Someone else's result is not there for them.
    assert client_for("city").get(job.result["url"]).status_code == 404


def test_a_briefings_own_long_text_is_checked_as_a_job(client_for, users, django_capture_on_commit_callbacks):
    from guanai.briefings.models import Briefing

    briefing = Briefing.objects.create(kind="jianbao", area_id=CITY_CODE, period_key="2026Q1", title="长简报",
                                       office_name="办公室", body=[{"type": "p", "runs": [{"t": _long(60_000)}]}])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("office").get(f"/briefings/{briefing.pk}/check/")
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    job = Job.objects.get(kind="briefing_factcheck")
    assert job.result["briefing"] == briefing.pk and len(job.result["rows"]) == factcheck.MAX_FIGURES


def test_the_text_of_an_uploaded_file_has_the_forms_limit(client_for):
    upload = SimpleUploadedFile("长文稿.txt", _long(factcheck.MAX_TEXT_CHARS + 10).encode(), content_type="text/plain")
    response = client_for("office").post("/briefings/factcheck/", {"file": upload, "area": CITY_CODE,
                                                                   "period": "2026"})
    body = response.content.decode()
    assert response.status_code == 200 and "文字过长" in body and "分段核对" in body
    assert not Job.objects.filter(kind="briefing_factcheck").exists()


def test_the_command_has_the_same_limits(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(_long(), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("factcheck", str(path), area=CITY_CODE, period="2026", as_json=True, stdout=out, stderr=err)
    rows = json.loads(out.getvalue())
    assert len(rows) == factcheck.MAX_FIGURES and max(len(r["text"]) for r in rows) < 100
    assert "只核对了前" in err.getvalue()
    path.write_text(_long(factcheck.MAX_TEXT_CHARS + 1), encoding="utf-8")
    with pytest.raises(CommandError, match="文字过长"):
        call_command("factcheck", str(path), area=CITY_CODE, period="2026", as_json=True, stdout=io.StringIO())


def test_a_sentence_cut_into_segments_loses_no_figure():
    sentence = "走访" + "，".join(f"第{i}组入户{i}次" for i in range(1, 400)) + "。"
    pieces = list(factcheck.segments(sentence))
    assert "".join(pieces) == sentence and max(map(len, pieces)) <= factcheck.SEGMENT_CHARS
    assert all(not re.search(r"\d$", piece) for piece in pieces[:-1])  # never cut inside a figure
