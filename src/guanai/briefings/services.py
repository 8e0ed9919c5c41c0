"""Every write of a briefing: compose a draft, save an edit, recompute, publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from guanai.areas.models import Area
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, audited, record, snapshot
from guanai.core.validation import check_count, check_date
from guanai.stats.metrics import memoized, prefetch
from guanai.stats.periods import Period

from . import body as body_mod
from .compose import compose
from .facts import format_value, questions, recompute
from .models import Briefing, BriefingFact


class BriefingError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


@audited
def create_briefing(area: Area, period: Period, kind: str, *, user, today: date | None = None,
                    progress=None) -> Briefing:
    """Compose a draft from the records and store it with its facts."""
    composition = compose(area, period, kind, today=today, progress=progress)
    used = body_mod.tokens_used(composition.blocks)
    with transaction.atomic():
        briefing = Briefing.objects.create(
            kind=kind, area=area, period_key=period.key, masthead=composition.masthead, title=composition.title,
            office_name=composition.office_name, created_by=user if getattr(user, "pk", None) else None,
            body=composition.blocks, **composition.distribution,
        )
        now = composition.book.computed_at
        BriefingFact.objects.bulk_create([
            BriefingFact(briefing=briefing, token=t.token, metric=t.metric, area_code=t.area_code,
                         period_key=t.period_key, params=t.params, derivation=t.derivation, value=t.value,
                         unit=t.unit, label=t.label, text=t.text, computed_at=now)
            for t in composition.book.tokens.values() if t.token in used
        ])
        audit(AuditEvent.CREATE, user=user, obj=briefing,
              after={**snapshot(briefing, ["kind", "area_id", "period_key", "title"]), "facts": len(used)},
              reason="生成草稿")
    return briefing


def facts_of(briefing: Briefing) -> dict[str, BriefingFact]:
    return {fact.token: fact for fact in briefing.facts.all()}


def area_names(facts) -> dict[str, str]:
    codes = {fact.area_code for fact in facts}
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def _refuse_if_published(briefing: Briefing):
    if briefing.is_published:
        raise BriefingError("已印发的简报不能再修改")


META_FIELDS = ("masthead", "title", "office_name", "issued_on", "report_to", "send_to", "distribute_to", "copies")


@audited
def save_edit(briefing: Briefing, *, user, body_html: str | None = None, meta: dict | None = None) -> Briefing:
    """Store the edited body (figure tokens kept) and masthead fields of a draft."""
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        _refuse_if_published(briefing)
        before, body_before = snapshot(briefing, META_FIELDS), briefing.body
        if body_html is not None:
            known = set(briefing.facts.values_list("token", flat=True))
            blocks = body_mod.parse_html(body_html, known, briefing.body)
            if not blocks:
                raise BriefingError("正文不能为空")
            briefing.body = blocks
        for name, value in (meta or {}).items():
            if name in META_FIELDS:
                setattr(briefing, name, value)
        try:
            check_date(briefing.issued_on, "planned", label="印发日期")
            check_count(briefing.copies, label="印数", maximum=100000)
        except ValidationError as exc:
            raise BriefingError("；".join(exc.messages)) from None
        briefing.save()
        after = snapshot(briefing, META_FIELDS)
        if briefing.body != body_before:
            before["body"], after["body"] = "", "已修改"  # too long for the trail: that it changed
        audit(AuditEvent.UPDATE, user=user, obj=briefing, before=before, after=after, reason="编辑草稿")
    return briefing


@dataclass
class Change:
    fact: BriefingFact
    old_value: object
    old_text: str
    new_value: object
    new_text: str


@audited
def recompute_facts(briefing: Briefing, *, save: bool, user=None) -> list[Change]:
    """Recompute every fact from its provenance; the changed ones, updated when ``save``
    (a published briefing is only compared, never changed)."""
    if save:
        _refuse_if_published(briefing)
    changes = []
    now = timezone.now()
    facts = list(briefing.facts.all())
    with memoized():
        prefetch([q for f in facts for q in questions(f.metric, f.area_code, f.period_key, f.params, f.derivation)],
                 parallel=True)  # a province's facts: counts over a million records each
        for fact in facts:
            value = recompute(fact.metric, fact.area_code, fact.period_key, fact.params, fact.derivation)
            same = (value is None and fact.value is None) or (
                value is not None and fact.value is not None and abs(value - fact.value) < 1e-4)
            if not same:
                changes.append(Change(fact, fact.value, fact.text, value,
                                      format_value(value, fact.unit, fact.derivation)))
    if save:
        with transaction.atomic():
            for change in changes:
                change.fact.value = change.new_value
                change.fact.text = change.new_text
            BriefingFact.objects.bulk_update([c.fact for c in changes], ["value", "text"])
            BriefingFact.objects.filter(briefing=briefing).update(computed_at=now)
            audit(AuditEvent.UPDATE, user=user, obj=briefing,
                  before={c.fact.token: c.old_text for c in changes},
                  after={c.fact.token: c.new_text for c in changes}, reason="重新计算数据")
    return changes


PUBLISH_FIELDS = ["status", "issue_year", "issue_number", "issued_on"]


class DuplicateBriefing(BriefingError):
    """A briefing of the same title for the same area and period is already published."""

    def __init__(self, existing: list[Briefing]):
        self.existing = existing
        first = existing[0]
        super().__init__(f"{first.area.name}{first.period.label}已印发同名的{first.get_kind_display()}"
                         f"（{first.issue_year}年{first.issue_label}“{first.title}”）。"
                         "请核对是否重复；确需再印发一期，请勾选确认后再印发。")


def published_for(area_code: str, period_key: str, *, exclude_pk: int | None = None):
    """The published briefings of an area and period (of any kind), newest first: what a
    composer is warned of before composing another."""
    found = Briefing.objects.filter(area_id=area_code, period_key=period_key, status=Briefing.PUBLISHED)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.select_related("area").order_by("-issue_year", "-issue_number", "-pk")


def published_alike(briefing: Briefing) -> list[Briefing]:
    """Published briefings that would make ``briefing`` a duplicate: same area, period and title."""
    return list(published_for(briefing.area_id, briefing.period_key, exclude_pk=briefing.pk)
                .filter(title=briefing.title.strip()))


@audited
def publish(briefing: Briefing, *, user, issued_on: date | None = None, confirm_duplicate: bool = False) -> Briefing:
    """Freeze a draft and give it the next issue number of its office (area) and year.

    A draft whose title, area and period match a published briefing is refused with
    ``DuplicateBriefing`` unless ``confirm_duplicate``: no silent 第2期 of the same text."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                # Lock the office's area row: two publications of one office queue up here.
                Area.objects.select_for_update().get(pk=briefing.area_id)
                current = Briefing.objects.select_for_update().get(pk=briefing.pk)
                _refuse_if_published(current)
                before = snapshot(current, PUBLISH_FIELDS)
                if not confirm_duplicate:
                    alike = published_alike(current)
                    if alike:
                        raise DuplicateBriefing(alike)
                day = issued_on or current.issued_on or timezone.localdate()
                last = Briefing.objects.filter(area_id=current.area_id, issue_year=day.year).aggregate(
                    n=Max("issue_number"))["n"] or 0
                current.issue_year = day.year
                current.issue_number = last + 1
                current.issued_on = day
                current.status = Briefing.PUBLISHED
                current.published_by = user if getattr(user, "pk", None) else None
                current.published_at = timezone.now()
                current.save()
                audit(AuditEvent.UPDATE, user=user, obj=current, before=before,
                      after=snapshot(current, PUBLISH_FIELDS), reason=f"印发{current.title}")
                return current
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def record_export(briefing: Briefing, fmt: str, *, user):
    record(AuditEvent.EXPORT, user=user, obj=briefing,
           detail=f"导出简报“{briefing.title}”（{fmt.upper()}）")
