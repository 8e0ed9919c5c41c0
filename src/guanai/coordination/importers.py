"""Import of a conference's member units and their duties (职责分工) from .xlsx/.xls/.csv.

One row a unit: 成员单位 (required), 牵头单位, 联络员, 联系电话, 职责分工 (items one a line
or separated by ；), and optionally 区划代码 (the conference's area; else ``options["area"]``)
and 年度 (else ``options["year"]``, else this year). A unit is known again by its name in the
area: a second import of the same sheet changes nothing. All or nothing: a sheet with any
error (named by its Excel row and column) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from guanai.areas.models import Area
from guanai.importing import ImportResult, RowError, no_progress, register
from guanai.spreadsheets import SpreadsheetError, open_table
from guanai.textproc.cells import (CellValueError, clean_phone, clean_text, parse_cell_number, parse_yes_no,
                                  split_list_items)

from . import services
from .models import Conference, Duty, MemberUnit

UNIT_COLUMNS = {
    "unit": ["成员单位", "单位名称", "单位", "成员单位名称"],
    "lead": ["牵头单位", "是否牵头单位", "牵头"],
    "contact_name": ["联络员", "联络人", "联系人", "联络员姓名"],
    "contact_phone": ["联系电话", "电话", "手机", "联络员电话", "手机号码"],
    "duties": ["职责分工", "职责", "主要职责", "工作职责", "职责任务"],
    "area": ["区划代码", "联席会议区划代码", "所属区划代码"],
    "year": ["年度", "年份"],
}


@dataclass
class _Row:
    number: int
    area: str
    name: str
    lead: bool | None
    contact_name: str
    contact_phone: str
    year: int
    duties: list[str] = field(default_factory=list)


def _year(value, default: int, number: int, label: str, errors: list) -> int:
    try:
        parsed = parse_cell_number(value)
    except CellValueError:
        parsed = None
        errors.append(RowError(number, label, f"年度应为四位数字，实为“{clean_text(value)}”"))
        return default
    if parsed is None:
        return default
    if parsed != parsed.to_integral_value() or not 2000 <= parsed <= 2099:
        errors.append(RowError(number, label, f"年度应在2000至2099之间，实为“{clean_text(value)}”"))
        return default
    return int(parsed)


@register("member_units", "联席会议成员单位及职责分工")
def import_member_units(path, *, user=None, dry_run=False, options=None, progress=no_progress) -> ImportResult:
    options = options or {}
    result = ImportResult()
    try:
        table = open_table(path, UNIT_COLUMNS, required={"unit"})
    except SpreadsheetError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    labels = {name: table.header_labels[index] for name, index in table.columns.items()}
    default_area = str(options.get("area") or "").strip()
    default_year = int(options.get("year") or timezone.localdate().year)
    if "area" not in table.columns and not default_area:
        result.errors.append(RowError(0, "", "表中没有“区划代码”列，请在导入时填写联席会议所在区划代码"))
        return result

    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    areas: dict[str, Area | None] = {}
    errors = result.errors
    for number, values in table.rows:
        record = table.record(values)
        if not any(clean_text(v) for v in record.values()):
            continue
        name = clean_text(record.get("unit"))
        area = clean_text(record.get("area")) or default_area
        if not name:
            errors.append(RowError(number, labels["unit"], "成员单位不能为空"))
            continue
        if area not in areas:
            areas[area] = Area.objects.filter(pk=area).first()
        found = areas[area]
        area_label = labels.get("area", "区划代码")
        if found is None:
            errors.append(RowError(number, area_label, f"区划代码“{area}”不存在"))
            continue
        if found.level not in services.CONFERENCE_LEVELS:
            errors.append(RowError(number, area_label, f"“{found.name}”不是市、县或乡镇，不能设联席会议"))
            continue
        if user is not None and not services.office_manages(user, area):
            errors.append(RowError(number, area_label, f"您无权维护{found.name}的联席会议"))
            continue
        if (area, name) in seen:
            errors.append(RowError(number, labels["unit"], f"成员单位“{name}”与第{seen[(area, name)]}行重复"))
            continue
        seen[(area, name)] = number
        try:
            lead = parse_yes_no(record.get("lead")) if "lead" in record else None
        except CellValueError as exc:
            errors.append(RowError(number, labels["lead"], str(exc)))
            continue
        try:
            phone = clean_phone(record.get("contact_phone")) if "contact_phone" in record else ""
        except CellValueError as exc:
            errors.append(RowError(number, labels["contact_phone"], str(exc)))
            continue
        year = _year(record.get("year"), default_year, number, labels.get("year", "年度"), errors)
        rows.append(_Row(number, area, name, lead, clean_text(record.get("contact_name")), phone, year,
                         split_list_items(record.get("duties"))))
    progress(len(rows), len(rows), "已读取")
    if errors:
        errors.sort(key=lambda e: e.row)
        return result
    if not rows:
        errors.append(RowError(0, "", "表中没有成员单位"))
        return result

    with transaction.atomic():
        conferences = {}
        for code in {row.area for row in rows}:
            conference = Conference.objects.filter(area_id=code).first()
            if conference is None:
                conference = services.create_conference(acting_user=user, area_code=code)
            conferences[code] = conference
        for row in rows:
            conference = conferences[row.area]
            unit = MemberUnit.objects.filter(area_id=row.area, name=row.name, conference=conference).first()
            if unit is None:
                unit = services.add_unit(acting_user=user, conference=conference, name=row.name,
                                         is_lead=bool(row.lead), contact_name=row.contact_name,
                                         contact_phone=row.contact_phone)
                result.created += 1
                changed = True
            else:
                wanted = (row.lead if row.lead is not None else unit.is_lead,
                          row.contact_name or unit.contact_name, row.contact_phone or unit.contact_phone)
                changed = wanted != (unit.is_lead, unit.contact_name, unit.contact_phone)
                if changed:
                    services.update_unit(acting_user=user, unit=unit, name=unit.name, is_lead=wanted[0],
                                         contact_name=wanted[1], contact_phone=wanted[2])
            current = list(unit.duties.filter(year=row.year, kind=Duty.RESPONSIBILITY).values_list("text", flat=True))
            if row.duties and row.duties != current:
                services.set_duties(acting_user=user, conference=conference, year=row.year,
                                    kind=Duty.RESPONSIBILITY, unit=unit, items=row.duties)
                changed = True
            if not changed:
                result.unchanged += 1
        result.updated = len(rows) - result.created - result.unchanged
        if dry_run:
            transaction.set_rollback(True)
            return result
    result.committed = True
    return result
