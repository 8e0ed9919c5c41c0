"""The compose form and the fact-checker take a period picked from the control or written
as officials write it (issue 15, point 4): 2026年第三季度 was refused as 无法识别的期间."""

from guanai.briefings.models import Briefing
from guanai.core.demo import CITY_CODE

from .conftest import COUNTY


def _written(period) -> str:
    return f"{period.start.year}年{'一二三四'[int(period.key[-1]) - 1]}季度"


def test_compose_takes_the_picked_and_the_written_period(client_for, quarter, django_capture_on_commit_callbacks):
    client = client_for("county")
    page = client.get("/briefings/new/").content.decode()
    assert 'name="period_year"' in page and 'name="period_part"' in page and "第三季度" in page
    year, part = str(quarter.start.year), quarter.key[4:]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/briefings/new/", {"area": COUNTY, "period_year": year, "period_part": part,
                                                   "kind": "jianbao"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/briefings/new/", {"area": COUNTY, "period": _written(quarter), "kind": "jianbao"})
    assert response.status_code == 302
    assert Briefing.objects.filter(area_id=COUNTY, period_key=quarter.key).count() == 2


def test_factcheck_takes_a_written_period(client_for, quarter):
    response = client_for("office").post("/briefings/factcheck/", {
        "text": "本季度全市开展走访慰问1次。", "area": CITY_CODE, "period": _written(quarter)})
    page = response.content.decode()
    assert response.status_code == 200 and "无法识别的期间" not in page and 'data-status="mismatch"' in page
