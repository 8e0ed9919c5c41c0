"""Keep the kept aggregates of stats current after every write to registry records (in the
same transaction)."""

from django.db.models.signals import post_delete, post_save

from guanai.stats.tallies import refresh_after_write

from .models import ChildProfile, Person, PersonCategory, RiskAssessment


def _villages_of(instance) -> set[str]:
    person = instance if isinstance(instance, Person) else getattr(instance, "person", None)
    if person is None:
        return set()
    villages = {person.area_id}
    previous = getattr(person, "_audit_previous", None) or {}
    if previous.get("area_id"):
        villages.add(previous["area_id"])  # a person moved: the old village changes too
    return villages


def _refresh(sender, instance, raw=False, **kwargs):
    if raw:
        return
    try:
        villages = _villages_of(instance)
    except Person.DoesNotExist:  # the person row is being deleted with it
        return
    refresh_after_write(villages)


def connect() -> None:
    for model in (Person, PersonCategory, ChildProfile, RiskAssessment):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"tally-save-{model.__name__}")
        post_delete.connect(_refresh, sender=model, dispatch_uid=f"tally-delete-{model.__name__}")
