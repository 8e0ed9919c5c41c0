"""Nothing one process needs from another lives in its memory."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from guanai.stats import tallies
from guanai.stats.models import AreaTally


def test_stale_tallies_are_refreshed_once_however_many_processes_notice(db, monkeypatch):
    asked = []
    monkeypatch.setattr(tallies, "refresh_all_task", type("Task", (), {"enqueue": lambda: asked.append(1)}))
    AreaTally.objects.update(updated_at=timezone.now() - timedelta(days=1))
    for _process in range(3):  # three web processes, each with its own memory
        monkeypatch.setattr(tallies, "_refresh_requested_on", None)
        tallies.ensure_fresh()
    assert asked == [1]


def test_sessions_and_caches_live_outside_the_process():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert "locmem" not in settings.CACHES["default"]["BACKEND"]
