"""Every write of a briefing: compose a draft, save an edit, recompute, publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from guanai.areas.models import Area
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.stats.metrics import memoized, prefetch
from guanai.stats.periods import Period

from . import body as body_mod
from .compose import compose
from .facts import format_value, questions, recompute
from .models import Briefing, BriefingFact


class BriefingError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


def create_briefing(area: Area, period: Period, kind: str, *, user=None, today: date | None = None,
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


def save_edit(briefing: Briefing, *, user, body_html: str | None = None, meta: dict | None = None) -> Briefing:
    """Store the edited body (figure tokens kept) and masthead fields of a draft."""
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        _refuse_if_published(briefing)
        if body_html is not None:
            known = set(briefing.facts.values_list("token", flat=True))
            blocks = body_mod.parse_html(body_html, known, briefing.body)
            if not blocks:
                raise BriefingError("正文不能为空")
            briefing.body = blocks
        for name, value in (meta or {}).items():
            if name in META_FIELDS:
                setattr(briefing, name, value)
        briefing.save()
    return briefing


@dataclass
class Change:
    fact: BriefingFact
    old_value: object
    old_text: str
    new_value: object
    new_text: str


def recompute_facts(briefing: Briefing, *, save: bool) -> list[Change]:
    """Recompute every fact from its provenance; the changed ones, updated when ``save``
    (a published briefing is only compared, never changed)."""
    if save:
        _refuse_if_published(briefing)
    changes = []
    now = timezone.now()
    facts = list(briefing.facts.all())
    with memoized():
        prefetch([q for f in facts for q in questions(f.metric, f.area_code, f.period_key, f.params, f.derivation)])
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
    return changes


def publish(briefing: Briefing, *, user, issued_on: date | None = None) -> Briefing:
    """Freeze a draft and give it the next issue number of its office (area) and year."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                # Lock the office's area row: two publications of one office queue up here.
                Area.objects.select_for_update().get(pk=briefing.area_id)
                current = Briefing.objects.select_for_update().get(pk=briefing.pk)
                _refuse_if_published(current)
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
                return current
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def record_export(briefing: Briefing, fmt: str, *, user, request=None):
    record(AuditEvent.EXPORT, user=user, obj=briefing, request=request,
           detail=f"导出简报“{briefing.title}”（{fmt.upper()}）")
