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


@runner("briefing_factcheck")
def run_factcheck(job: Job, progress: Progress) -> dict:
    """A long fact-check; the text leaves the job row once it is read (the rows keep the context)."""
    from . import factcheck

    params = job.params
    figures = factcheck.check_text(params["text"], params["area"], params["period"], progress=progress)
    Job.objects.filter(pk=job.pk).update(params={k: v for k, v in params.items() if k != "text"})
    return {"rows": [figure.as_row() for figure in figures], "summary": factcheck.summary(figures),
            "notice": figures.notice, "area": params["area"], "period": params["period"],
            "briefing": params.get("briefing"),
            "url": reverse("briefings:factcheck_result", args=[job.pk]), "url_label": "查看核对结果"}
