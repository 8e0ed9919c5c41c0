"""The tasks framework, imported from one place.

Django 6 ships it as ``django.tasks``; on Django 5.2 (Python 3.11) the
``django_tasks`` backport provides the same API.
"""

try:  # pragma: no cover - depends on the Django version installed
    from django.tasks import task  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    from django_tasks import task

__all__ = ["task"]
