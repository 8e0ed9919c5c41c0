"""A ledger's 合计 line: the count of its rows, and under each column that adds up (money, counts)
the column's sum, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from guanai.areas.scoping import area_filter
from guanai.care.models import Activity, AidItem, Visit
from guanai.ledgers.base import Source, write
from guanai.registry.models import ScreeningCampaign
from guanai.stats.metrics import compute

from .helpers import fetch, parse
from .test_memory import _User

TOWNSHIP = "990101001000"


def _written(tmp_path, rows, summed):
    columns = [("序号", 6), ("对象", 10), ("金额（元）", 12), ("人数", 8), ("备注", 20)]
    source = Source(title="测试台账", columns=columns, rows=lambda: iter(rows), count=lambda: len(rows),
                    summed=summed)
    path = tmp_path / "ledger.xlsx"
    write(source, user=_User(), path=path)
    return parse(path.read_bytes())


def test_the_total_line_sums_the_columns_that_add_up_to_the_cent(tmp_path):
    ledger = _written(tmp_path, [[1, "甲", 0.1, 3, "x"], [2, "乙", 0.2, None, "y"], [3, "丙", 1234.56, 2, ""]],
                      ("金额（元）", "人数"))
    assert ledger.footer == "合计：共3条"
    assert ledger.totals["金额（元）"] == 1234.86  # not 1234.8600000000001
    assert ledger.totals["人数"] == 5 and isinstance(ledger.totals["人数"], int)  # an empty cell adds nothing
    assert ledger.totals["对象"] is None and ledger.totals["备注"] is None  # names are not summed


def test_a_ledger_without_rows_totals_zero_and_one_without_summed_columns_counts_only(tmp_path):
    assert _written(tmp_path, [], ("金额（元）",)).totals["金额（元）"] == 0
    assert set(_written(tmp_path, [[1, "甲", 5.0, 1, ""]], ()).totals.values()) == {None}


def test_a_summed_column_that_is_not_there_is_a_mistake(tmp_path):
    with pytest.raises(ValueError):
        _written(tmp_path, [], ("不存在的列",))


@pytest.mark.django_db
def test_the_visit_ledger_totals_its_aid_value(client_for):
    ledger = fetch(client_for("township"), "/care/export/?period=2026Q3")
    visits = Visit.objects.filter(area_filter("area", TOWNSHIP), visit_date__gte=date(2026, 7, 1),
                                  visit_date__lte=date(2026, 9, 30))
    given = AidItem.objects.filter(visit__in=visits).aggregate(total=Sum("value_yuan"))["total"]
    assert given and Decimal(str(ledger.totals["折合金额（元）"])) == given
    assert ledger.footer == f"合计：共{len(ledger.rows)}条"


@pytest.mark.django_db
def test_the_activity_ledger_totals_agree_with_the_activity_figures(client_for):
    ledger = fetch(client_for("township"), "/care/activities/export/?period=2026")
    assert Activity.objects.filter(area_filter("area", TOWNSHIP), held_on__year=2026).exists()
    for header, metric in (("投入资金（元）", "activity_funds_yuan"), ("参与群众（人次）", "activity_participants"),
                           ("受益人数（人）", "activity_beneficiaries"), ("参与志愿者（人）", "activity_volunteers"),
                           ("咨询人数（人次）", "activity_consultations")):
        assert ledger.totals[header] == compute(metric, TOWNSHIP, "2026"), header


@pytest.mark.django_db
def test_the_screening_ledger_totals_households_and_each_category(client_for):
    campaign = ScreeningCampaign.objects.get(area_id="990100000000")
    ledger = fetch(client_for("township"), f"/persons/screening/{campaign.pk}/export/")
    summed = ledger.header[5:-2]
    assert summed[0] == "排查户数" and len(summed) > 1
    for header in summed:
        assert ledger.totals[header] == sum(row[header] or 0 for row in ledger.rows), header
    assert ledger.totals["村（社区）"] is None
