"""The background job that ingests many files at once (a folder or a zip)."""

from guanai.core.jobs import Progress, runner
from guanai.core.models import Job


@runner("archive_ingest")
def run_archive_ingest(job: Job, progress: Progress) -> dict:
    from . import services

    path = job.params["path"]
    try:
        outcomes = services.ingest_path(path, user=job.user, area=job.params.get("area") or None,
                                        kind=job.params.get("kind") or None, progress=progress)
    finally:
        services.remove_upload(path)
    return services.summary_json(outcomes)
