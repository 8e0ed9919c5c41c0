"""The background job that composes a briefing (a province's takes seconds)."""

from django.urls import reverse

from guanai.areas.models import Area
from guanai.core.jobs import Progress, runner
from guanai.core.models import Job
from guanai.stats.periods import parse_period


@runner("briefing_compose")
def run_briefing_compose(job: Job, progress: Progress) -> dict:
    from . import services

    area = Area.objects.get(pk=job.params["area"])
    briefing = services.create_briefing(area, parse_period(job.params["period"]), job.params["kind"], user=job.user,
                                        progress=progress)
    return {"briefing": briefing.pk, "url": reverse("briefings:edit", args=[briefing.pk]),
            "url_label": f"打开草稿“{briefing.title}”"}
