"""Keep the SQLite full-text index in step with documents, whoever saves them
(PostgreSQL's generated column needs nothing). Runs inside the saving
transaction, so a rolled-back document leaves no index row behind."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Document
from .search import sync_index


@receiver(post_save, sender=Document)
def _index_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not {"title", "text", "search_text"} & set(update_fields):
        return
    sync_index([instance.pk])


@receiver(post_delete, sender=Document)
def _unindex_deleted(sender, instance, **kwargs):
    sync_index([instance.pk])
