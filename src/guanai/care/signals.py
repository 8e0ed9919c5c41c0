"""Keep the kept aggregates of stats (visits and aid per village and month, the follow-up states)
current after every write to a visit or an aid item, in the same transaction."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from guanai.stats.tallies import refresh_after_write

from .models import AidItem, Visit


def _refresh(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_after_write([instance.area_id, *_recipient_villages(instance)], since=_since(instance))


def _recipient_villages(instance) -> set[str]:
    """The villages the visit's persons live in now (and those of the person or household it was
    to before an edit): persons visited count in their own village (care.metrics), which a visit
    filed before they moved is not in."""
    from guanai.registry.models import Person

    if not isinstance(instance, Visit):
        return set()
    previous = getattr(instance, "_audit_previous", None) or {}
    persons = {instance.person_id, previous.get("person_id")} - {None}
    households = {instance.household_id, previous.get("household_id")} - {None}
    if not persons and not households:
        return set()
    return set(Person.objects.filter(Q(pk__in=persons) | Q(household__in=households))
               .values_list("area_id", flat=True).distinct())


def _since(instance):
    """The earliest day this write can change a kept state at: a visit counts for the states at
    the ends of the months from its date on (follow-up reads the visits dated on or before the
    day), its old date too when it was moved. Aid items change no state (only flows)."""
    field = "visit_date" if isinstance(instance, Visit) else "given_on"
    days = [getattr(instance, field, None), (getattr(instance, "_audit_previous", None) or {}).get(field)]
    days = [day for day in days if day is not None]
    return min(days) if days else None


def connect() -> None:
    for model in (Visit, AidItem):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"kept-save-{model.__name__}")
        post_delete.connect(_refresh, sender=model, dispatch_uid=f"kept-delete-{model.__name__}")
