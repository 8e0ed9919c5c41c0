"""The two halves every ledger shares: ``respond`` (a list page's export view calls it with the
ledger's name, after its own role check) and ``download`` (a finished export job's file)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.core import uploads
from guanai.core.models import Job
from guanai.core.pagination import PAGING_KEYS, list_query
from guanai.spreadsheets import XLSX_CONTENT_TYPE

from . import base


def params_of(request) -> dict[str, str]:
    """The list page's filters (its query string without the paging keys), for its ledger."""
    return {key: value for key, value in request.GET.items() if key not in PAGING_KEYS}


def respond(request, name: str, *, back: str):
    """The ledger ``name`` with the page's filters: the file now, or the job's page. A filter the
    list refused sends the user ``back`` (the list page's URL) with the same filters and the reason."""
    try:
        outcome = base.export(name, user=request.user, params=params_of(request), request=request)
    except base.Refused as refused:
        return refuse_export(request, refused.title, str(refused), back=back)
    if outcome.job is not None:
        messages.info(request, "导出范围较大，已转为后台任务：完成后可在本页下载。")
        return redirect("job_detail", pk=outcome.job.pk)
    handle = outcome.path.open("rb")
    outcome.path.unlink(missing_ok=True)  # the open handle keeps the data until it is sent
    return FileResponse(handle, as_attachment=True, filename=outcome.filename, content_type=XLSX_CONTENT_TYPE)


def refuse_export(request, title: str, reason: str, *, back: str):
    """An export not made because its page refused a filter (a period not begun, unreadable): the
    user goes ``back`` to the page, with the same filters and the reason, never a file of other
    dates. Every export of a page (its ledger, a statistics table's workbook) refuses this way."""
    messages.error(request, f"{title}未导出：{reason}")
    query = list_query(request)
    return redirect(f"{back}?{query}" if query else back)


@roles_required(*roles.ALL)
def download(request, pk: int):
    """A finished export job's workbook, to the user who asked for it (someone else's is a 404)."""
    job = Job.objects.filter(pk=pk, kind=base.JOB_KIND).first()
    if job is None or (job.user_id != request.user.pk and user_role(request.user) != roles.ADMIN):
        raise Http404("任务不存在")
    if job.status != Job.DONE:
        return redirect("job_detail", pk=job.pk)
    path = (job.result or {}).get("file")
    if not uploads.exists(path):
        messages.info(request, "导出的文件已过期（保留1天），请重新导出。")
        return redirect("job_detail", pk=job.pk)
    response = StreamingHttpResponse(uploads.stream(path), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, job.result.get("filename") or "台账.xlsx")
    return response
