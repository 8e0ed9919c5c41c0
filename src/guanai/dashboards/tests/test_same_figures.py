"""Issue 14, point 6: the same question gets the same number on the dashboard, in the statistics
table (page and export) and in the briefing, for the same area and period."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from guanai.areas.models import Area
from guanai.briefings import services
from guanai.stats.periods import last_complete_quarter

pytestmark = pytest.mark.django_db
COUNTY = "990101000000"

# metric -> (headline on the board, statistics table, column header in that table)
SHOWN = {
    "persons_registered": ("在册人员（人）", "registry", "在册人员"),
    "visits": ("走访慰问（次）", "care", "走访慰问"),
    "aid_cash_yuan": ("发放慰问金（元）", "care", "慰问金"),
    "visit_coverage": ("走访覆盖率（%）", "care", "覆盖率"),
    "activities": ("开展活动（场）", "activities", "开展活动"),
    "cases_opened": ("受理强制报告（件）", "protection", "受理强制报告"),
}


def _table_totals(client, slug, period) -> dict[str, Decimal]:
    response = client.get(f"/stats/tables/{slug}/{COUNTY}/xlsx/?period={period.key}")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    numbers = next(i for i, row in enumerate(rows) if row[0] == "甲")
    headers = {}
    for row in rows[2:numbers]:  # the header rows: a column's label, perhaps with its unit
        for i, cell in enumerate(row):
            if cell:
                headers.setdefault(re.sub(r"（.*?）$", "", str(cell)), i)
    total = next(row for row in rows if row[0] == "合计")
    return {label: Decimal(str(total[i])) for label, i in headers.items() if i}


def test_board_table_and_briefing_agree(users, client_for):
    period = last_complete_quarter(timezone.localdate())
    briefing = services.create_briefing(Area.objects.get(pk=COUNTY), period, "jianbao", user=users["county"])
    facts = {f.metric: f.value for f in briefing.facts.filter(area_code=COUNTY, period_key=period.key, params={},
                                                              derivation="")}
    client = client_for("county")
    board = client.get(f"/stats/area/{COUNTY}/?period={period.key}").content.decode()
    compared = 0
    for metric, (headline, slug, column) in SHOWN.items():
        shown = Decimal(re.search(rf'data-figure="{headline}">([\d.]+)<', board).group(1))
        in_table = _table_totals(client, slug, period)[column]
        page = client.get(f"/stats/tables/{slug}/{COUNTY}/?period={period.key}").content.decode()
        total_row = re.search(r'<tr data-row="total".*?</tr>', page, re.S).group(0)
        assert shown == in_table, metric
        assert in_table in [Decimal(v) for v in re.findall(r">([\d.]+)</td>", total_row)], metric
        if metric in facts:
            assert Decimal(facts[metric]).quantize(Decimal("0.01")) == shown.quantize(Decimal("0.01")), metric
            compared += 1
    assert compared >= 4  # the briefing states most of these figures
