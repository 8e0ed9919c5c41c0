import openpyxl
import pytest

from guanai.areas.importers import import_areas
from guanai.areas.models import Area
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.coordination.models import MemberUnit


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_import_xlsx_with_title_row_creates_areas_with_implied_parents(db, tmp_path):
    path = _xlsx(tmp_path / "areas.xlsx", [
        ["某省区划代码表（2026年）"],
        ["代码", "名称"],
        ["880000000000", "测试省"],
        ["880100000000", "测试市"],
        [880101000000, "测试县"],  # a code stored as a number
        ["880101001000", "测试镇"],
    ])
    result = import_areas(str(path))
    assert result.errors == []
    assert (result.created, result.committed) == (4, True)
    town = Area.objects.get(code="880101001000")
    assert town.parent.name == "测试县" and town.parent.parent.name == "测试市" and town.level == 4
    assert AuditEvent.objects.filter(action=AuditEvent.IMPORT, object_type="areas.area").exists()
    # The same file again changes nothing.
    again = import_areas(str(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_import_refuses_malformed_codes_and_orphans_and_writes_nothing(db, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("区划代码,区划名称\n880000000000,测试省\n88010000000,短代码\n880201001000,孤儿镇\n", encoding="utf-8")
    result = import_areas(str(path))
    assert not result.committed
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "12位" in messages[(3, "区划代码")]
    assert "上级" in messages[(4, "区划代码")] and "880201000000" in messages[(4, "区划代码")]
    assert not Area.objects.filter(code__startswith="88").exists()


def test_import_names_the_missing_header(db, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("编号,名字\n1,2\n", encoding="utf-8")
    result = import_areas(str(path))
    assert result.errors[0].row == 0 and "代码" in result.errors[0].message


def test_import_of_gbk_csv(db, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes("代码,名称\n880000000000,测试省\n".encode("gbk"))
    assert import_areas(str(path)).created == 1


def test_scope_queryset_by_role(users):
    county = users["county"]
    visible = set(scope_queryset(Area.objects.all(), county).values_list("code", flat=True))
    assert "990101001001" in visible and "990101000000" in visible
    assert "990102001001" not in visible and "990100000000" not in visible
    assert scope_queryset(Area.objects.all(), users["admin"]).count() == Area.objects.count()
    # A unit reporter sees its own unit only; a volunteer no units.
    unit = users["unit"]
    assert list(scope_queryset(MemberUnit.objects.all(), unit)) == [unit.unit]
    assert not scope_queryset(MemberUnit.objects.all(), users["volunteer"]).exists()


def test_out_of_scope_is_the_same_404_as_missing(users):
    from django.http import Http404

    with pytest.raises(Http404):
        get_scoped_or_404(Area.objects.all(), users["village"], pk="990102001001")
    with pytest.raises(Http404):
        get_scoped_or_404(Area.objects.all(), users["village"], pk="990199999999")


def test_one_area_check_for_services_forms_and_views(users):
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from guanai.areas import codes
    from guanai.areas.scoping import area_for_user, area_for_user_or_404, area_problem

    county = users["county"]
    assert area_for_user(county, "990101001001").code == "990101001001"
    # Missing and out of scope read the same.
    _area, missing = area_problem(county, "990101999999")
    _area, foreign = area_problem(county, "990102001002")
    assert missing.replace("990101999999", "X") == foreign.replace("990102001002", "X")
    assert "不存在或不在您的管辖范围内" in foreign
    with pytest.raises(ValidationError) as err:
        area_for_user(county, "990101001000", field="village", levels={codes.VILLAGE})
    assert "村（社区）一级" in err.value.message_dict["village"][0]
    with pytest.raises(Http404):
        area_for_user_or_404(county, "990102001002")
    assert area_problem(None, "990102001002")[0] is not None  # the system (a command) sees every area
