"""Keep the kept aggregates of stats (visits and aid per village and month, the follow-up states)
current after every write to a visit or an aid item, in the same transaction."""

from django.db.models.signals import post_delete, post_save

from guanai.stats.tallies import refresh_after_write

from .models import AidItem, Visit


def _refresh(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_after_write([instance.area_id])


def connect() -> None:
    for model in (Visit, AidItem):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"kept-save-{model.__name__}")
        post_delete.connect(_refresh, sender=model, dispatch_uid=f"kept-delete-{model.__name__}")
