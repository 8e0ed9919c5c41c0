"""Reading a ledger as a user gets it: the file at once, or the background job's download."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from guanai.core.models import Job


@dataclass
class Ledger:
    title: str
    lines: list[str]  # the texts above the column headers
    header: list[str]
    rows: list[dict] = field(default_factory=list)
    footer: str = ""
    totals: dict = field(default_factory=dict)  # the 合计 line's cells by column header (None: empty)
    job: Job | None = None
    content: bytes = b""

    def column(self, name: str) -> list:
        return [row[name] for row in self.rows]


def parse(content: bytes) -> Ledger:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    at = 4 if str(values[3][0] or "").startswith("筛选条件") else 3
    lines = [str(v) for row in values[:at] for v in row if v not in (None, "")]
    header = [v for v in values[at] if v is not None]
    rows, footer, totals = [], "", {}
    for row in values[at + 1:]:
        if all(v in (None, "") for v in row):
            continue
        if str(row[0] or "").startswith("合计"):
            footer, totals = row[0], dict(zip(header[1:], row[1:]))
            break
        rows.append(dict(zip(header, row)))
    return Ledger(title=lines[0], lines=lines, header=header, rows=rows, footer=footer, totals=totals,
                  content=content)


def fetch(client, url: str) -> Ledger:
    """GET ``url``; a background export runs (the tests' task backend is immediate, on commit)
    and its file is downloaded from the link the job page shows."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(url)
    job = None
    if response.status_code == 302:
        location = response["Location"]
        assert location.startswith("/jobs/"), location
        job = Job.objects.get(pk=int(location.split("/")[2]))
        assert job.status == Job.DONE, (job.status, job.message)
        assert job.result["url"] == reverse("ledger_download", args=[job.pk])
        page = client.get(location).content.decode()
        assert job.result["url"] in page  # the download link on the job page
        response = client.get(job.result["url"])
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ledger = parse(b"".join(response.streaming_content))
    ledger.job = job
    return ledger
