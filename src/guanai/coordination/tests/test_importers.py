"""Importing member units and their duties from a workbook: row and column named, all or nothing."""

import json

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from guanai.coordination.importers import import_member_units
from guanai.coordination.models import Conference, Duty, MemberUnit

from .conftest import COUNTY

pytestmark = pytest.mark.django_db
HEADER = ["序号", "成员单位", "牵头单位", "联络员", "联系电话", "职责分工"]
ROWS = [
    [1, "西山县民政局", "是", "王海燕", "13900001111", "1.牵头做好关爱服务工作\n2.承担联席会议办公室日常工作"],
    [2, "西山县教育局", "否", "李敏", "0991-2345678", "落实控辍保学；开展心理健康教育"],
    [3, "西山县卫生健康局", "", "", "", ""],
]


def _workbook(tmp_path, rows, name="units.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(["西山县农村留守儿童关爱保护工作联席会议成员单位职责分工"])  # a title above the header
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return str(path)


def test_units_and_duties_come_in_and_a_second_run_changes_nothing(tmp_path, county_office):
    path = _workbook(tmp_path, ROWS)
    result = import_member_units(path, user=county_office, options={"area": COUNTY, "year": 2026})
    assert (result.created, result.updated, result.unchanged, result.errors) == (3, 0, 0, [])
    conference = Conference.objects.get(area_id=COUNTY)
    lead = MemberUnit.objects.get(conference=conference, name="西山县民政局")
    assert lead.is_lead and lead.contact_phone == "13900001111"
    assert MemberUnit.objects.get(conference=conference, name="西山县教育局").contact_phone == "09912345678"
    assert list(lead.duties.filter(year=2026, kind=Duty.RESPONSIBILITY).values_list("text", flat=True)) == [
        "牵头做好关爱服务工作", "承担联席会议办公室日常工作"]
    again = import_member_units(path, user=county_office, options={"area": COUNTY, "year": 2026})
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_any_bad_row_keeps_the_whole_sheet_out(tmp_path, county_office):
    rows = ROWS + [[4, "", "否", "", "", ""], [5, "西山县民政局", "", "", "", ""], [6, "西山县公安局", "也许", "", "", ""],
                   [7, "西山县司法局", "", "", "12345", ""]]
    result = import_member_units(_workbook(tmp_path, rows), user=county_office, options={"area": COUNTY})
    assert [(e.row, e.column) for e in result.errors] == [(6, "成员单位"), (7, "成员单位"), (8, "牵头单位"),
                                                          (9, "联系电话")]
    assert result.errors[0].message == "成员单位不能为空"
    assert result.errors[1].message == "成员单位“西山县民政局”与第3行重复"
    assert "无法识别的“是/否”值：也许" in result.errors[2].message
    assert not result.committed
    assert not Conference.objects.filter(area_id=COUNTY).exists()
    assert not MemberUnit.objects.filter(name="西山县教育局").exists()


def test_an_area_the_office_does_not_run_is_refused(tmp_path, county_office):
    result = import_member_units(_workbook(tmp_path, ROWS[:1]), user=county_office, options={"area": "990103000000"})
    assert result.errors[0].message == "您无权维护南湖县的联席会议" and result.errors[0].row == 3
    result = import_member_units(_workbook(tmp_path, ROWS[:1]), user=county_office, options={})
    assert result.errors[0].message.startswith("表中没有“区划代码”列")


def test_the_command_line_imports_with_json(tmp_path, capsys):
    path = _workbook(tmp_path, ROWS[:2])
    call_command("import", path, kind="member_units", area=COUNTY, as_json=True)
    result = json.loads(capsys.readouterr().out)
    assert result["created"] == 2 and result["committed"] is True and result["errors"] == []
