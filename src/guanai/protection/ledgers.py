"""The cases' ledger (强制报告案件台账): one row per step of each case the list shows, with the
list's own filter (protection.listing); ledgers.base writes, backgrounds and audits it."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Prefetch
from django.utils import timezone

from guanai.ledgers.base import Source, register

from .listing import case_listing
from .models import CaseStep

CHUNK = 1000
COLUMNS = [("序号", 6), ("案件编号", 14), ("报告时间", 16), ("发现地", 14), ("情形", 14), ("儿童", 10), ("年龄", 6),
           ("案件状态", 8), ("处置环节", 14), ("开始时间", 16), ("办理时限", 16), ("完成时间", 16), ("是否逾期", 8),
           ("经办人/单位", 16), ("处置情况", 36), ("结案原因", 12)]


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@register("protection.cases")
def cases(user, params: Mapping[str, str]) -> Source:
    now = timezone.now()
    found = case_listing(user, params, now)
    records = found.records.select_related("area__parent__parent", "child").prefetch_related(
        Prefetch("steps", queryset=CaseStep.objects.order_by("opened_at", "pk")))

    def rows():  # run after source_for has given the source its area, which source.place reads
        n = 0
        # In the list's order, a chunk of cases (and their steps) at a time.
        for case in records.order_by("reported_at", "pk").iterator(chunk_size=CHUNK):
            head = [case.number, _time(case.reported_at), source.place(case.area), case.get_situation_display(),
                    case.display_child, case.child_age, case.get_status_display()]
            for step in case.steps.all() or [None]:
                n += 1
                if step is None:
                    yield [n, *head, "", "", "", "", "", "", "", case.get_close_reason_display()]
                    continue
                yield [n, *head, step.get_kind_display(), _time(step.opened_at), _time(step.due_at),
                       _time(step.completed_at), "逾期" if step.is_late(now) or (
                           step.completed_at and step.completed_at > step.due_at) else "",
                       step.handler, step.action, case.get_close_reason_display()]

    source = Source(title="强制报告案件处置台账", columns=COLUMNS, rows=rows, count=found.records.count,
                    conditions=found.conditions, object_type="protection.case")
    return source
