"""Import of an area list (代码, 名称) from CSV or Excel; parents implied by codes."""

from __future__ import annotations

from django.db import transaction

from guanai.importing import ImportResult, RowError, no_progress, register
from guanai.spreadsheets import SpreadsheetError, open_table
from guanai.textproc.cells import clean_text

from . import codes
from .models import Area

AREA_COLUMNS = {
    "code": ["代码", "区划代码", "统计用区划代码", "行政区划代码", "code"],
    "name": ["名称", "区划名称", "单位名称", "name"],
}


@register("areas", "行政区划")
def import_areas(path, *, user=None, dry_run=False, options=None, progress=no_progress) -> ImportResult:
    """All or nothing: an area list with any error changes nothing, since every
    later record hangs on these codes."""
    result = ImportResult()
    try:
        table = open_table(path, AREA_COLUMNS, required={"code", "name"})
    except SpreadsheetError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    code_label = table.header_labels[table.columns["code"]]
    name_label = table.header_labels[table.columns["name"]]

    incoming: dict[str, tuple[str, int]] = {}
    for number, values in table.rows:
        record = table.record(values)
        code = clean_text(record["code"])
        name = clean_text(record["name"])
        if not code and not name:
            continue
        try:
            codes.level_of(code)
        except codes.AreaCodeError as exc:
            result.errors.append(RowError(number, code_label, str(exc)))
            continue
        if not name:
            result.errors.append(RowError(number, name_label, "名称不能为空"))
            continue
        if code in incoming:
            result.errors.append(RowError(number, code_label, f"区划代码“{code}”与第{incoming[code][1]}行重复"))
            continue
        incoming[code] = (name, number)
    progress(len(incoming), len(incoming), "已读取")

    existing = {a.code: a for a in Area.objects.filter(code__in=list(incoming))} if incoming else {}
    known_codes = set(incoming) | set(existing)
    missing_parents = {codes.parent_code(c) for c in incoming} - known_codes - {None}
    if missing_parents:
        known_codes |= set(Area.objects.filter(code__in=list(missing_parents)).values_list("code", flat=True))
    for code, (name, number) in incoming.items():
        parent = codes.parent_code(code)
        if parent is not None and parent not in known_codes:
            result.errors.append(RowError(number, code_label,
                                          f"区划代码“{code}”的上级“{parent}”既不在文件中，也不在系统中"))
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result

    to_create, to_update = [], []
    for code, (name, _number) in sorted(incoming.items(), key=lambda item: codes.level_of(item[0])):
        area = existing.get(code)
        if area is None:
            to_create.append(Area(code=code, name=name, level=codes.level_of(code), parent_id=codes.parent_code(code)))
        elif area.name != name:
            area.name = name
            to_update.append(area)
        else:
            result.unchanged += 1
    result.created, result.updated = len(to_create), len(to_update)
    if dry_run:
        return result
    with transaction.atomic():
        # Parents come first (sorted by level) so foreign keys hold on PostgreSQL.
        Area.objects.bulk_create(to_create, batch_size=1000)
        Area.objects.bulk_update(to_update, ["name"], batch_size=1000)
        from guanai.audit.models import AuditEvent
        from guanai.audit.services import record

        record(AuditEvent.IMPORT, user=user, object_type="areas.area",
               detail=f"导入区划：新增{result.created}，更新{result.updated}，未变{result.unchanged}")
    result.committed = True
    return result
