"""Importing persons from the sheets offices keep: one quirk per test, then the
rules (errors, all-or-nothing, idempotence, scope), the CLI, the pages and a kill
during the commit."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from guanai.audit.models import AuditEvent
from guanai.importing import importer_for
from guanai.registry import categories as cat
from guanai.registry import crypto
from guanai.registry.importers import import_persons
from guanai.registry.models import ChildProfile, Person, PersonCategory
from guanai.textproc import idcard
from guanai.textproc.pinyin import pinyin_keys

# Ages (a child of 8, an elder of 70) and the category age rules are taken on FROZEN_DAY.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_day")]

VILLAGE = "990101001001"  # 和平社区 of 城关镇, the demo village user's
OTHER_VILLAGE = "990101002002"  # a village of 河口镇, outside the village user's area
HEADER = ["姓名", "性别", "出生日期", "身份证号", "联系电话", "村（社区）代码", "人员类别"]


# --- helpers ---------------------------------------------------------------------

_rng = random.Random(4242)


def new_id(born: date, *, male: bool | None = None) -> str:
    """A valid ID number no one in the database has yet."""
    while True:
        seq = _rng.randint(0, 999)
        if male is not None and (seq % 2 == 1) != male:
            continue
        first17 = f"620102{born:%Y%m%d}{seq:03d}"
        number = first17 + idcard.check_digit(first17)
        if not Person.objects.filter(id_number_hash=crypto.lookup_hash(number)).exists():
            return number


def child_born() -> date:
    today = timezone.localdate()
    return date(today.year - 8, 3, 5)


def elder_born() -> date:
    today = timezone.localdate()
    return date(today.year - 70, 6, 1)


def child_row(name="王小明", village=VILLAGE, **extra) -> dict:
    born = extra.pop("born", child_born())
    row = {"姓名": name, "性别": "", "出生日期": born.isoformat(), "身份证号": new_id(born),
           "联系电话": "13800138000", "村（社区）代码": village, "人员类别": "农村留守儿童"}
    row.update(extra)
    return row


def write_xlsx(path: Path, rows: list[dict] | list[list], header: list[str] | None = None,
               title_rows: list[list] = (), merges: list[str] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    for title in title_rows:
        ws.append(title)
    if rows and isinstance(rows[0], dict):
        header = header or list(rows[0])
        ws.append(header)
        for row in rows:
            ws.append([row.get(h, "") for h in header])
    else:
        if header:
            ws.append(header)
        for row in rows:
            ws.append(row)
    for cell_range in merges:
        ws.merge_cells(cell_range)
    wb.save(path)
    return path


def run(path, **options):
    user = options.pop("user", None)
    dry_run = options.pop("dry_run", False)
    return import_persons(str(path), user=user, dry_run=dry_run, options=options)


def person(id_number: str) -> Person:
    return Person.objects.get(id_number_hash=crypto.lookup_hash(idcard.parse_id_number(id_number).number))


def ok(result, created=None):
    assert result.errors == [], [f"{e.row} {e.column} {e.message}" for e in result.errors]
    assert result.committed
    if created is not None:
        assert result.created == created
    return result


# --- messy workbooks: one quirk each -------------------------------------------------


def test_title_rows_above_the_header(tmp_path):
    row = child_row()
    path = write_xlsx(tmp_path / "t.xlsx", [row], title_rows=[["示范市农村留守儿童花名册"], ["填报单位：城关镇", "", "2024年"]])
    ok(run(path), created=1)
    assert person(row["身份证号"]).name == "王小明"


def test_merged_village_cells_fill_every_row(tmp_path):
    rows = [child_row(name=n) for n in ("甲一", "乙二", "丙三")]
    for r in rows[1:]:
        r["村（社区）代码"] = None
    path = write_xlsx(tmp_path / "m.xlsx", rows, merges=["F2:F4"])
    ok(run(path), created=3)
    assert {person(r["身份证号"]).area_id for r in rows} == {VILLAGE}


def test_many_merged_blocks_each_fill_their_own_rows(tmp_path):
    # Villages merged in blocks of two, alternating: each row reads its own block's village.
    born = child_born()
    rows = [child_row(name=f"童{i:03d}", village=VILLAGE if (i // 2) % 2 == 0 else "990101001002",
                      born=born.replace(month=1 + i % 12, day=1 + i // 12)) for i in range(60)]
    for i, r in enumerate(rows):
        if i % 2:
            r["村（社区）代码"] = None
    merges = [f"F{i + 2}:F{i + 3}" for i in range(0, 60, 2)]
    ok(run(write_xlsx(tmp_path / "blocks.xlsx", rows, merges=merges)), created=60)
    assert [person(r["身份证号"]).area_id for r in rows] == [
        VILLAGE if (i // 2) % 2 == 0 else "990101001002" for i in range(60)]


def test_full_width_digits(tmp_path):
    row = child_row()
    full = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    number = row["身份证号"]
    row["身份证号"] = number.translate(full)
    row["联系电话"] = "１３９００１３９０００"
    row["村（社区）代码"] = VILLAGE.translate(full)
    path = write_xlsx(tmp_path / "f.xlsx", [row])
    ok(run(path), created=1)
    p = person(number)
    assert p.phone == "13900139000" and p.area_id == VILLAGE


def test_dates_as_excel_serial_numbers(tmp_path):
    born = child_born()
    row = child_row(born=born)
    row["出生日期"] = float((born - date(1899, 12, 30)).days)  # what a General-formatted date cell holds
    path = write_xlsx(tmp_path / "s.xlsx", [row])
    ok(run(path), created=1)
    assert person(row["身份证号"]).birth_date == born


def test_dates_as_date_cells(tmp_path):
    born = child_born()
    row = child_row(born=born)
    row["出生日期"] = datetime(born.year, born.month, born.day)
    ok(run(write_xlsx(tmp_path / "d.xlsx", [row])), created=1)
    assert person(row["身份证号"]).birth_date == born


@pytest.mark.parametrize("style", ["{y}-{m}-{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}"])
def test_dates_as_text_in_four_forms(tmp_path, style):
    born = child_born()
    row = child_row(born=born)
    row["出生日期"] = style.format(y=born.year, m=born.month, d=born.day)
    ok(run(write_xlsx(tmp_path / "x.xlsx", [row])), created=1)
    assert person(row["身份证号"]).birth_date == born


def test_id_number_with_spaces(tmp_path):
    row = child_row()
    number = row["身份证号"]
    row["身份证号"] = f"{number[:6]} {number[6:14]} {number[14:]}"
    ok(run(write_xlsx(tmp_path / "sp.xlsx", [row])), created=1)
    assert person(number).id_number_masked == number[:6] + "********" + number[-4:]


def test_id_number_stored_as_a_number(tmp_path):
    # A 15-digit legacy number typed into a number cell survives; an 18-digit one has lost
    # its last digits in Excel, which the error says.
    born = date(timezone.localdate().year - 70, 6, 1)
    legacy_first17 = None
    while True:
        seq = _rng.randint(0, 998)
        legacy = f"620102{born:%y%m%d}{seq:03d}"
        first17 = legacy[:6] + "19" + legacy[6:]
        full = first17 + idcard.check_digit(first17)
        if not Person.objects.filter(id_number_hash=crypto.lookup_hash(full)).exists():
            legacy_first17 = first17
            break
    long_number = new_id(child_born())
    rows = [["李老汉", "", "", int(legacy), "", VILLAGE, "空巢老人"],
            ["赵小妹", "", "", float(long_number), "", VILLAGE, "农村留守儿童"]]
    result = run(write_xlsx(tmp_path / "n.xlsx", rows, header=HEADER))
    assert result.created == 1
    assert person(legacy_first17 + idcard.check_digit(legacy_first17)).name == "李老汉"
    [error] = result.errors
    assert (error.row, error.column) == (3, "身份证号") and "存成了数字" in error.message


def test_trailing_blanks_in_cells_and_blank_rows(tmp_path):
    row = child_row(name="周小红")
    rows = [{k: (f"{v}  " if isinstance(v, str) else v) for k, v in row.items()}]
    rows[0]["姓名"] = "周小红\u3000"
    rows[0]["身份证号"] = row["身份证号"] + " \xa0"
    rows += [{k: "" for k in row}, {k: "  " for k in row}]
    result = ok(run(write_xlsx(tmp_path / "b.xlsx", rows)), created=1)
    assert result.errors == []
    p = person(row["身份证号"])
    assert p.name == "周小红" and p.area_id == VILLAGE


def test_xls_file(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    row = child_row()
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("人员")
    ws.write_merge(0, 0, 0, 6, "留守儿童花名册")
    for col, header in enumerate(HEADER):
        ws.write(1, col, header)
    for col, header in enumerate(HEADER):
        ws.write(2, col, row[header])
    path = tmp_path / "old.xls"
    wb.save(str(path))
    ok(run(path), created=1)
    assert person(row["身份证号"]).name == row["姓名"]


def test_csv_in_gbk(tmp_path):
    row = child_row(name="欧阳娜娜")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerow([row[h] for h in HEADER])
    path = tmp_path / "gbk.csv"
    path.write_bytes(buffer.getvalue().encode("gbk"))
    ok(run(path), created=1)
    assert person(row["身份证号"]).name == "欧阳娜娜"


def test_a_csv_row_the_reader_cannot_read_is_a_chinese_error_and_nothing_is_stored(tmp_path):
    good, huge = child_row(name="甲童"), child_row(name="乙童", 现住址="很" * 200_000)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER + ["现住址"])
    writer.writerow([good[h] for h in HEADER] + [""])
    writer.writerow([huge[h] for h in HEADER] + [huge["现住址"]])
    path = tmp_path / "huge.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    before = Person.objects.count()
    result = run(path)
    assert [e.message for e in result.errors] == ["CSV文件第3行无法读取：单元格内容过长或引号不成对"]
    assert not result.committed and Person.objects.count() == before


def test_a_damaged_workbook_is_a_chinese_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    [error] = run(path).errors
    assert error.message.startswith("无法读取表格文件：") and error.message.isascii() is False
    assert "Xlsx" not in error.message and "zip" not in error.message.lower()


@pytest.mark.parametrize("id_header", ["身份证号", "公民身份号码", "身份证号码", "身份证号（必填）"])
def test_header_synonyms(tmp_path, id_header):
    row = child_row()
    header = ["儿童姓名", "出生年月日", id_header, "所在村（社区）", "类别"]
    values = [row["姓名"], row["出生日期"], row["身份证号"], "和平社区", "留守儿童"]
    path = write_xlsx(tmp_path / "h.xlsx", [values], header=header)
    ok(run(path, area="990101001000"), created=1)
    p = person(row["身份证号"])
    assert p.area_id == VILLAGE
    assert list(p.categories.values_list("category", flat=True)) == [cat.LEFT_BEHIND_CHILD]


# --- rules -------------------------------------------------------------------------------


def test_errors_name_the_excel_row_and_the_chinese_column(tmp_path):
    good = child_row(name="好人")
    bad_id = child_row(name="坏号")
    bad_id["身份证号"] = bad_id["身份证号"][:-1] + ("0" if bad_id["身份证号"][-1] != "0" else "1")
    bad_date = child_row(name="坏日期", 出生日期="2010-13-45")
    bad_village = child_row(name="坏村", **{"村（社区）代码": "990101001999"})
    path = write_xlsx(tmp_path / "e.xlsx", [good, bad_id, bad_date, bad_village], title_rows=[["标题"]])
    result = run(path)
    by_row = {(e.row, e.column): e.message for e in result.errors}
    assert "校验位" in by_row[(4, "身份证号")]
    assert "无法识别的日期" in by_row[(5, "出生日期")]
    assert "不存在" in by_row[(6, "村（社区）代码")]
    assert result.created == 1 and result.committed


def test_id_number_cross_checked_with_birth_date_and_sex(tmp_path):
    born = child_born()
    row = child_row(born=born)
    row["身份证号"] = new_id(born, male=True)
    row["出生日期"] = date(born.year, born.month, born.day + 1).isoformat()
    row["性别"] = "女"
    result = run(write_xlsx(tmp_path / "c.xlsx", [row]))
    columns = {e.column: e.message for e in result.errors}
    assert "不一致" in columns["出生日期"] and "不一致" in columns["性别"]
    assert result.created == 0


def test_category_contradicting_age_is_an_error_naming_the_column(tmp_path):
    row = child_row(born=elder_born(), 人员类别="农村留守儿童")
    [error] = run(write_xlsx(tmp_path / "a.xlsx", [row])).errors
    assert error.column == "人员类别" and "应未满16周岁" in error.message


def test_category_from_the_option_and_unknown_category(tmp_path):
    elder = child_row(name="钱老", born=elder_born(), 人员类别="")
    odd = child_row(name="孙某", 人员类别="外星人")
    result = run(write_xlsx(tmp_path / "o.xlsx", [elder, odd]), category="空巢老人")
    assert [(e.row, e.column) for e in result.errors] == [(3, "人员类别")]
    assert "无法识别的人员类别" in result.errors[0].message
    assert list(person(elder["身份证号"]).categories.values_list("category", flat=True)) == [cat.EMPTY_NEST_ELDER]


def test_village_by_name_unique_ambiguous_or_unknown(tmp_path):
    unique = child_row(name="一号", **{"村（社区）代码": "和平社区"})
    ambiguous = child_row(name="二号", **{"村（社区）代码": "建设村"})  # in 城关镇 and in 河口镇
    unknown = child_row(name="三号", **{"村（社区）代码": "不存在村"})
    header = ["姓名", "出生日期", "身份证号", "所在村", "人员类别"]
    rows = [[r["姓名"], r["出生日期"], r["身份证号"], r["村（社区）代码"], r["人员类别"]] for r in (unique, ambiguous, unknown)]
    result = run(write_xlsx(tmp_path / "v.xlsx", rows, header=header), area="990101000000")
    messages = {e.row: (e.column, e.message) for e in result.errors}
    assert messages[3][0] == "所在村" and "无法确定" in messages[3][1]
    assert messages[4][0] == "所在村" and "没有名为" in messages[4][1]
    assert person(unique["身份证号"]).area_id == VILLAGE


def test_duplicate_person_within_the_file(tmp_path):
    row = child_row()
    twin = dict(row, 姓名="王小明")
    result = run(write_xlsx(tmp_path / "dup.xlsx", [row, twin]))
    assert result.created == 1
    [error] = result.errors
    assert error.row == 3 and error.column == "身份证号" and "第2行" in error.message


def test_good_rows_are_not_blocked_by_bad_ones(tmp_path):
    rows = [child_row(name=f"好{i}") for i in range(3)] + [child_row(name="", 出生日期="")]
    result = run(write_xlsx(tmp_path / "g.xlsx", rows))
    assert result.created == 3 and result.committed
    assert [(e.row, e.column) for e in result.errors] == [(5, "姓名")]


def test_all_or_nothing_stores_nothing_when_a_row_is_wrong(tmp_path):
    rows = [child_row(name="好"), child_row(name="坏", 联系电话="12345")]
    before = Person.objects.count()
    result = run(write_xlsx(tmp_path / "aon.xlsx", rows), all_or_nothing=True)
    assert not result.committed and len(result.errors) == 1 and result.errors[0].column == "联系电话"
    assert Person.objects.count() == before


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    rows = [child_row(name=n) for n in ("一", "二", "三")]
    path = write_xlsx(tmp_path / "twice.xlsx", rows)
    ok(run(path), created=3)
    versions = sorted(Person.objects.filter(name__in=["一", "二", "三"]).values_list("version", flat=True))
    second = ok(run(path))
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert sorted(Person.objects.filter(name__in=["一", "二", "三"]).values_list("version", flat=True)) == versions


def test_a_person_is_known_again_by_id_number_and_updated(tmp_path):
    row = child_row(name="王小明", 联系电话="13800138000")
    ok(run(write_xlsx(tmp_path / "v1.xlsx", [row])), created=1)
    p = person(row["身份证号"])
    changed = dict(row, 联系电话="13911112222", 姓名="王晓明", 人员类别="困境儿童")
    changed["身份证号"] = row["身份证号"][:6] + " " + row["身份证号"][6:]  # same number, written otherwise
    result = ok(run(write_xlsx(tmp_path / "v2.xlsx", [changed])))
    assert (result.created, result.updated) == (0, 1)
    p.refresh_from_db()
    assert (p.phone, p.name, p.pinyin_full, p.version) == ("13911112222", "王晓明", "wangxiaoming", 2)
    assert set(p.categories.values_list("category", flat=True)) == {cat.LEFT_BEHIND_CHILD, cat.CHILD_IN_DIFFICULTY}


def test_blank_cells_do_not_erase_stored_values(tmp_path):
    row = child_row(联系电话="13800138000")
    ok(run(write_xlsx(tmp_path / "full.xlsx", [row])), created=1)
    sparse = {"姓名": row["姓名"], "身份证号": row["身份证号"], "联系电话": "", "村（社区）代码": VILLAGE}
    result = ok(run(write_xlsx(tmp_path / "sparse.xlsx", [sparse])))
    assert result.unchanged == 1
    assert person(row["身份证号"]).phone == "13800138000"


def test_dry_run_validates_and_counts_but_stores_nothing(tmp_path):
    rows = [child_row(name="甲"), child_row(name="乙", 出生日期="not a date")]
    before = (Person.objects.count(), PersonCategory.objects.count(), AuditEvent.objects.count())
    result = run(write_xlsx(tmp_path / "dry.xlsx", rows), dry_run=True)
    assert (result.created, len(result.errors), result.committed) == (1, 1, False)
    assert (Person.objects.count(), PersonCategory.objects.count(), AuditEvent.objects.count()) == before


def test_the_import_is_audited_once_and_each_person_it_writes_too(tmp_path):
    rows = [child_row(name=n) for n in ("审一", "审二")]
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ok(run(write_xlsx(tmp_path / "audit.xlsx", rows)), created=2)
    new_events = AuditEvent.objects.filter(pk__gt=last)
    [event] = new_events.filter(action=AuditEvent.IMPORT)
    assert "新增2" in event.detail and event.object_type == "registry.person"
    created = {e.object_id: e for e in new_events.filter(action=AuditEvent.CREATE, object_type="registry.person")}
    people = {str(person(r["身份证号"]).pk): r for r in rows}
    assert set(created) == set(people)
    for pk, row in people.items():
        assert created[pk].object_repr == row["姓名"] and created[pk].changes["area_id"] == [None, VILLAGE]
    # A second import with a changed phone: one update event, the phone before and after.
    changed = dict(rows[0], 联系电话="13700137001")
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    ok(run(write_xlsx(tmp_path / "audit2.xlsx", [changed])), created=0)
    [update] = AuditEvent.objects.filter(pk__gt=last, action=AuditEvent.UPDATE, object_type="registry.person")
    assert update.object_id == str(person(rows[0]["身份证号"]).pk)
    assert update.changes["phone"][1] == "13700137001"


def test_child_columns_fill_the_child_profile(tmp_path):
    row = child_row(监护情况="监护人监护能力不足", 委托监护人="王奶奶", 监护人电话="13700137000", 父亲="王大",
                    母亲="李梅", 就学情况="小学")
    ok(run(write_xlsx(tmp_path / "child.xlsx", [row])), created=1)
    profile = ChildProfile.objects.get(person=person(row["身份证号"]))
    assert (profile.guardianship_rating, profile.guardian_name, profile.guardian_phone, profile.father_name,
            profile.mother_name, profile.schooling) == ("insufficient", "王奶奶", "13700137000", "王大", "李梅",
                                                        "primary")
    again = dict(row, 就学情况="初中")
    result = ok(run(write_xlsx(tmp_path / "child2.xlsx", [again])))
    assert result.updated == 1
    profile.refresh_from_db()
    assert profile.schooling == "junior"


def test_sex_is_read_as_the_person_form_reads_it(tmp_path):
    rows = [child_row(name="甲童", 性别="男士"), child_row(name="乙童", 性别="Ｆ")]
    rows[0]["身份证号"] = new_id(child_born(), male=True)
    rows[1]["身份证号"] = new_id(child_born(), male=False)
    ok(run(write_xlsx(tmp_path / "sex.xlsx", rows)), created=2)
    assert [person(r["身份证号"]).sex for r in rows] == ["男", "女"]


def test_unknown_guardianship_or_schooling_is_an_error_listing_the_choices(tmp_path):
    rows = [child_row(name="甲童", 监护情况="还行", 就学情况="小学"),
            child_row(name="乙童", 监护情况="良好", 就学情况="上学中")]
    result = run(write_xlsx(tmp_path / "child.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "监护情况"), (3, "就学情况")]
    first, second = (e.message for e in result.errors)
    assert first.startswith("无法识别的监护情况“还行”，可填写：") and "监护人监护能力不足" in first
    assert second.startswith("无法识别的就学情况“上学中”，可填写：") and "小学" in second
    assert result.created == 0


def test_several_sheets_are_read_and_errors_name_the_sheet(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "儿童"
    ws.append(HEADER)
    kid = child_row()
    ws.append([kid[h] for h in HEADER])
    ws2 = wb.create_sheet("老年人")
    ws2.append(HEADER)
    elder = child_row(name="老张", born=elder_born(), 人员类别="空巢老人")
    ws2.append([elder[h] for h in HEADER])
    ws2.append(["老李", "", "", "110", "", VILLAGE, "空巢老人"])
    wb.create_sheet("填写说明").append(["说明文字"])
    result = run(wb.save(tmp_path / "multi.xlsx") or tmp_path / "multi.xlsx")
    assert result.created == 2
    [error] = result.errors
    assert error.row == 3 and error.column == "身份证号" and error.message.startswith("［工作表“老年人”］")


def test_missing_header_is_one_error_for_the_file(tmp_path):
    path = write_xlsx(tmp_path / "nohead.xlsx", [["a", "b"], ["c", "d"]], header=["列一", "列二"])
    [error] = run(path).errors
    assert error.row == 0 and "姓名" in error.message and "身份证号" in error.message


# --- scope ----------------------------------------------------------------------------------


def test_a_village_worker_cannot_place_rows_in_another_village(tmp_path, users):
    mine = child_row(name="本村")
    theirs = child_row(name="外村", **{"村（社区）代码": OTHER_VILLAGE})
    result = run(write_xlsx(tmp_path / "scope.xlsx", [mine, theirs]), user=users["village"])
    assert result.created == 1
    [error] = result.errors
    assert error.row == 3 and error.column == "村（社区）代码" and "不在" in error.message
    assert not Person.objects.filter(name="外村").exists()


def test_a_village_worker_cannot_update_a_person_registered_elsewhere(tmp_path, users):
    row = child_row(name="外村人", **{"村（社区）代码": OTHER_VILLAGE})
    ok(run(write_xlsx(tmp_path / "admin.xlsx", [row])), created=1)
    moved = dict(row, **{"村（社区）代码": VILLAGE})
    result = run(write_xlsx(tmp_path / "steal.xlsx", [moved]), user=users["village"])
    [error] = result.errors
    assert error.column == "身份证号" and "已在其他地区登记" in error.message and "转移申请" in error.message
    assert person(row["身份证号"]).area_id == OTHER_VILLAGE


def test_a_village_name_resolves_only_within_the_users_area(tmp_path, users):
    header = ["姓名", "出生日期", "身份证号", "所在村", "人员类别"]
    row = child_row()
    result = run(write_xlsx(tmp_path / "n.xlsx", [[row["姓名"], row["出生日期"], row["身份证号"], "红星社区",
                                                     "农村留守儿童"]], header=header), user=users["village"])
    assert [e.column for e in result.errors] == ["所在村"]


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_json_shape(tmp_path, capsys):
    good = child_row(name="命令行")
    bad = child_row(name="坏", 出生日期="2010-02-30")
    path = write_xlsx(tmp_path / "cli.xlsx", [good, bad], title_rows=[["标题"]])
    call_command("import", str(path), kind="persons", as_json=True)
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"created", "updated", "unchanged", "errors"} <= set(out)
    assert out["created"] == 1
    assert out["errors"] == [{"row": 4, "column": "出生日期", "message": out["errors"][0]["message"]}]


def test_cli_dry_run_and_options(tmp_path, capsys):
    row = child_row(name="选项", 人员类别="", **{"村（社区）代码": ""})
    path = write_xlsx(tmp_path / "opt.xlsx", [row])
    before = Person.objects.count()
    call_command("import", str(path), kind="persons", area=VILLAGE, category="农村留守儿童", dry_run=True,
                 as_json=True)
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (out["created"], out["errors"], out["committed"]) == (1, [], False)
    assert Person.objects.count() == before
    call_command("import", str(path), kind="persons", area=VILLAGE, category="农村留守儿童", as_json=True)
    assert person(row["身份证号"]).area_id == VILLAGE


def _write_cli_env(tmp_path) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'kill.sqlite3'}", DJANGO_SETTINGS_MODULE="guanai.settings",
               GUANAI_HOME=str(tmp_path))
    env.pop("GUANAI_TEST_PAUSE_IN_COMMIT", None)
    return env


def _cli(*args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "guanai.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, **kwargs)


def _count(db: Path, table: str) -> int:
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def test_a_kill_during_the_commit_leaves_the_database_as_it_was(tmp_path):
    env = _write_cli_env(tmp_path)
    db = tmp_path / "kill.sqlite3"
    assert _cli("migrate", "--noinput", env=env).returncode == 0
    areas = tmp_path / "areas.csv"
    areas.write_text("代码,名称\n990000000000,示范省\n990100000000,示范市\n990101000000,东城区\n"
                     "990101001000,城关镇\n990101001001,和平社区\n", encoding="utf-8")
    assert _cli("import", str(areas), "--kind", "areas", env=env).returncode == 0
    first = write_xlsx(tmp_path / "first.xlsx", [child_row(name=f"先{i}") for i in range(5)])
    done = _cli("import", str(first), "--kind", "persons", "--json", env=env)
    assert json.loads(done.stdout)["created"] == 5, done.stderr
    before = (_count(db, "registry_person"), _count(db, "registry_personcategory"))

    second = write_xlsx(tmp_path / "second.xlsx", [child_row(name=f"后{i}") for i in range(300)])
    env["GUANAI_TEST_PAUSE_IN_COMMIT"] = "60"
    proc = subprocess.Popen([sys.executable, "-m", "guanai.cli", "import", str(second), "--kind", "persons"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        line = ""
        while "GUANAI_TEST_PAUSE_IN_COMMIT" not in line:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
            line = proc.stderr.readline()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert (_count(db, "registry_person"), _count(db, "registry_personcategory")) == before == (5, 5)


# --- the pages: upload, preview, commit, error workbook ------------------------------------------


def test_preview_then_commit_through_the_pages(tmp_path, client_for, django_capture_on_commit_callbacks):
    client = client_for("village")
    good = child_row(name="页面导入")
    bad = child_row(name="页面坏行", 身份证号="12345")
    path = write_xlsx(tmp_path / "page.xlsx", [good, bad], title_rows=[["花名册"]])
    before = Person.objects.count()
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert 'data-count="created">1<' in page and 'data-count="errors">1<' in page
    assert "第4行" in page and "身份证号" in page and "确认导入" in page
    assert Person.objects.count() == before  # a preview stores nothing

    job_id = int(preview_url.rstrip("/").split("/")[-1])
    errors = client.get(f"/persons/import/{job_id}/errors.xlsx")
    assert errors.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(errors.streaming_content)))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:7] == tuple(HEADER) and rows[0][-2:] == ("原行号", "错误说明")
    assert rows[1][0] == "页面坏行" and rows[1][-2] == 4 and rows[1][-1].startswith("身份证号：")
    assert len(rows) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/persons/import/{job_id}/commit/")
    assert response.status_code == 302
    final = client.get(response["Location"]).content.decode()
    assert "导入完成" in final
    assert Person.objects.count() == before + 1
    assert person(good["身份证号"]).created_by.username == "village"
    # Confirming twice does not start a second import.
    again = client.post(f"/persons/import/{job_id}/commit/")
    assert again["Location"] == response["Location"]


def test_all_or_nothing_preview_offers_no_commit(tmp_path, client_for, django_capture_on_commit_callbacks):
    client = client_for("admin")
    path = write_xlsx(tmp_path / "aon.xlsx", [child_row(), child_row(name="坏", 出生日期="x")])
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle, "all_or_nothing": "on"})
    page = client.get(response["Location"]).content.decode()
    assert "全部正确才导入" in page and "确认导入" not in page


def test_someone_elses_import_job_is_not_found(tmp_path, client_for, users, django_capture_on_commit_callbacks):
    path = write_xlsx(tmp_path / "mine.xlsx", [child_row()])
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client_for("village").post("/persons/import/", {"file": handle})
    url = response["Location"]
    job_id = int(url.rstrip("/").split("/")[-1])
    other = client_for("township")
    assert other.get(url).status_code == 404
    assert other.get(f"/persons/import/{job_id}/errors.xlsx").status_code == 404
    assert other.post(f"/persons/import/{job_id}/commit/").status_code == 404
    assert client_for("leader").get("/persons/import/").status_code == 403


def test_template_download(client_for, tmp_path):
    response = client_for("village").get("/persons/import/template/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames[:3] == ["儿童", "老年人", "其他人员"]
    assert wb["选项"].sheet_state == "hidden"
    kids = wb["儿童"]
    headers = [c.value for c in kids[1]]
    assert headers[:5] == ["姓名", "性别", "民族", "出生日期", "身份证号"] and "监护情况" in headers
    lists = {str(dv.sqref).split(":")[0][:1]: dv.formula1 for dv in kids.data_validations.dataValidation}
    assert "选项" in lists["K"]  # 人员类别 has a drop-down
    # The template, filled in, imports as it is.
    kids.append(["模板儿童", "男", "汉族", None, new_id(child_born(), male=True), None, VILLAGE, None, None, None,
                 "农村留守儿童"])
    wb.save(tmp_path / "filled.xlsx")
    ok(run(tmp_path / "filled.xlsx"), created=1)


def test_full_width_digits_in_id_and_phone_are_stored_as_ascii(tmp_path):
    born = child_born()
    number = new_id(born)
    wide = number[:2] + "".join(chr(ord(c) + 0xFEE0) for c in number[2:6]) + number[6:]
    row = child_row(身份证号=wide, 联系电话="1381234５６７８")
    ok(run(write_xlsx(tmp_path / "wide.xlsx", [row])), created=1)
    stored = person(number)
    assert stored.phone == "13812345678" and stored.id_number_masked.startswith(number[:6])


def test_the_importer_is_registered_for_the_cli_and_the_pages():
    assert importer_for("persons") is import_persons


def test_the_villages_dashboard_tallies_follow_the_import(tmp_path, django_capture_on_commit_callbacks):
    from guanai.stats.tallies import refresh_villages, tally

    refresh_villages([VILLAGE])
    before = tally(VILLAGE, "persons_registered:left_behind_child")
    with django_capture_on_commit_callbacks(execute=True):  # refreshed once the import commits
        ok(run(write_xlsx(tmp_path / "tally.xlsx", [child_row(name=f"计数{i}") for i in range(3)])), created=3)
    assert tally(VILLAGE, "persons_registered:left_behind_child") == before + 3


def test_a_row_without_id_number_is_known_by_village_name_and_birth_date(tmp_path):
    row = child_row(name="无证儿童", 身份证号="")
    path = write_xlsx(tmp_path / "noid.xlsx", [row])
    ok(run(path), created=1)
    again = ok(run(path))
    assert (again.created, again.unchanged) == (0, 1)
    assert Person.objects.filter(name="无证儿童", area_id=VILLAGE, id_number_hash="").count() == 1
    [error] = run(write_xlsx(tmp_path / "noid2.xlsx", [child_row(name="无证无日期", 身份证号="", 出生日期="")])).errors
    assert error.column == "身份证号" and "出生日期" in error.message


def test_error_workbook_of_a_several_sheet_file_keeps_each_sheet(tmp_path):
    from guanai.registry.exporting import build_error_workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "儿童"
    ws.append(HEADER)
    ws.append(["坏孩子", "", "", "123", "", VILLAGE, "农村留守儿童"])
    ws2 = wb.create_sheet("老年人")
    ws2.append(["老年人花名册"])
    ws2.append(HEADER)
    elder = child_row(name="好老人", born=elder_born(), 人员类别="空巢老人")
    ws2.append([elder[h] for h in HEADER])
    ws2.append(["坏老人", "", "", "456", "", VILLAGE, "空巢老人"])
    wb.save(tmp_path / "two.xlsx")
    result = run(tmp_path / "two.xlsx", dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号"), (4, "身份证号")]
    out = load_workbook(build_error_workbook(tmp_path / "two.xlsx", result.errors, tmp_path / "err.xlsx"))
    assert out.sheetnames == ["儿童", "老年人"]
    kids = list(out["儿童"].iter_rows(values_only=True))
    elders = list(out["老年人"].iter_rows(values_only=True))
    assert kids[1][0] == "坏孩子" and kids[1][-2] == 2
    assert elders[0][0] == "姓名" and elders[1][0] == "坏老人" and elders[1][-2] == 4 and len(elders) == 2


def test_stored_id_numbers_decrypt_to_the_number(tmp_path):
    row = child_row(name="解密")
    ok(run(write_xlsx(tmp_path / "dec.xlsx", [row])), created=1)
    assert crypto.decrypt(person(row["身份证号"]).id_number_encrypted) == row["身份证号"]


def _stored(ids: list[str]) -> list[tuple]:
    """What an import stored for these ID numbers: person fields, categories, its audit event."""
    out = []
    for number in ids:
        p = person(number)
        event = AuditEvent.objects.get(action=AuditEvent.CREATE, object_type="registry.person", object_id=str(p.pk))
        out.append((p.name, p.sex, p.ethnicity, p.birth_date, crypto.decrypt(p.id_number_encrypted), p.id_number_hash,
                    p.id_number_masked, p.phone, p.area_id, p.address, p.hukou_place, p.pinyin_full, p.pinyin_initials,
                    p.id_suffix_hash, p.status, p.version,
                    sorted(PersonCategory.objects.filter(person=p).values_list("category", flat=True)),
                    event.object_repr, event.changes, event.username, event.detail))
    return out


def test_the_fast_writer_stores_what_the_orm_writer_stores(tmp_path, monkeypatch):
    """Multi-row inserts, shared audit changes and cached hashes against the plain ORM path, on
    odd input: full-width ID numbers with a lower-case x, two categories, two villages."""
    from guanai.registry.importers import writing

    full = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")

    def rows(tag):
        out = []
        for i in range(7):
            born = elder_born() if i % 2 else child_born()
            number = new_id(born, male=i in (0, 3, 5))
            out.append({"姓名": f"{'欧阳' if i == 3 else '王'}{tag}{'一二三四五六七'[i]}", "性别": "",
                        "出生日期": born.isoformat(), "身份证号": number.translate(full) if i % 3 == 0 else number,
                        "联系电话": "１３８００１３８０００" if i == 2 else "13800138000",
                        "村（社区）代码": OTHER_VILLAGE if i % 2 else VILLAGE,
                        "人员类别": "独居老人、空巢老人" if i % 2 else "农村留守儿童"})
        return out

    fast_rows = rows("甲")
    ok(run(write_xlsx(tmp_path / "fast.xlsx", fast_rows)), created=7)
    monkeypatch.setattr(writing, "_FAST_VENDORS", set())
    orm_rows = [dict(r, 姓名=r["姓名"].replace("甲", "乙"), 身份证号=r["身份证号"]) for r in rows("乙")]
    ok(run(write_xlsx(tmp_path / "orm.xlsx", orm_rows)), created=7)

    def comparable(stored):  # the ID-bound columns differ between the two sets of persons
        return [(s[0].replace("甲", "").replace("乙", ""), s[1], s[2], s[3], s[7], s[8], s[9], s[10], s[14], s[15],
                 s[16], s[17].replace("甲", "").replace("乙", ""), s[18], s[19], s[20]) for s in stored]

    def numbers(batch):
        return [idcard.parse_id_number(r["身份证号"]).number for r in batch]

    fast, orm = _stored(numbers(fast_rows)), _stored(numbers(orm_rows))
    assert comparable(fast) == comparable(orm)
    for stored, number in zip(fast + orm, numbers(fast_rows) + numbers(orm_rows)):
        assert stored[4] == number and stored[5] == crypto.lookup_hash(number)
        assert stored[6] == idcard.mask_id_number(number) and stored[13] == crypto.suffix_hash(number)
        assert (stored[11], stored[12]) == pinyin_keys(stored[0])
    # Each event's changes as record() stores them: the village, the categories joined.
    for stored in fast:
        assert list(stored[18]) == ["area_id", "categories"] and stored[18]["area_id"] == [None, stored[8]]
        before, after = stored[18]["categories"]
        assert before is None and sorted(after.split("、")) == stored[16]


def test_a_large_import_into_a_registry_finds_its_stored_persons_with_the_indexes_put_off(tmp_path, monkeypatch):
    """A large import into a small registry puts off updating the person indexes, the ID-hash one
    included while no row is a stored person: the first that is (by ID number, or without one by
    village, name and birth date) is still found and updated, and every index is back at the end."""
    from django.db import connection

    from guanai.registry.importers import orchestration, writing

    sqlite = connection.vendor == "sqlite"  # the index deferral is SQLite's; the import's result is everyone's
    with_id = child_row(name="老档案", 联系电话="13800138000")
    without_id = child_row(name="无证老档案", 身份证号="")
    ok(run(write_xlsx(tmp_path / "stored.xlsx", [with_id, without_id])), created=2)

    def indexes():
        if not sqlite:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "ORDER BY name", [Person._meta.db_table])
            return cursor.fetchall()

    before = indexes()
    brought_back = []
    restore_lookup = writing._SqliteIndexes.restore_lookup

    def spy(self):
        brought_back.append([name for name, _sql in self.dropped if "id_number_hash" in name])
        restore_lookup(self)

    if sqlite:
        monkeypatch.setattr(writing._SqliteIndexes, "restore_lookup", spy)
    monkeypatch.setattr(writing, "INDEX_DEFERRAL_ROWS", 4)
    monkeypatch.setattr(writing, "INDEX_DEFERRAL_STORED_PER_ROW", 10_000)  # the demo's persons
    monkeypatch.setattr(orchestration, "BATCH_SIZE", 3)
    new = [child_row(name=f"新人{i}") for i in range(6)]
    rows = [*new[:3], *new[3:5], dict(with_id, 联系电话="13911112222"), new[5],
            dict(without_id, 联系电话="13922223333")]
    result = ok(run(write_xlsx(tmp_path / "large.xlsx", rows)))
    assert (result.created, result.updated, result.unchanged) == (6, 2, 0)
    assert person(with_id["身份证号"]).phone == "13911112222"
    assert Person.objects.get(name="无证老档案", id_number_hash="").phone == "13922223333"
    assert indexes() == before
    # Put off after the first batch (all new), back for the second (a stored person), then kept.
    if sqlite:
        assert len(brought_back[0]) == 1 and not any(brought_back[1:])
    again = ok(run(write_xlsx(tmp_path / "again.xlsx", rows)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
