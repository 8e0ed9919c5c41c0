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
        villages, since = _villages_of(instance), _since(instance)
    except Person.DoesNotExist:  # the person row is being deleted with it
        return
    refresh_after_write(villages, since=since)


def _since(instance):
    """The earliest day a write to this person's records can change a kept state at: their
    registration (services.registered_on); None (every kept month) when it is not known."""
    from .services import registered_on

    person = instance if isinstance(instance, Person) else getattr(instance, "person", None)
    return registered_on(person) if person is not None else None


def connect() -> None:
    for model in (Person, PersonCategory, ChildProfile, RiskAssessment):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"tally-save-{model.__name__}")
        post_delete.connect(_refresh, sender=model, dispatch_uid=f"tally-delete-{model.__name__}")
