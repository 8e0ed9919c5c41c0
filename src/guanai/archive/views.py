"""Archive pages: search and list, upload, one document, its original file, and
the historical figures. Thin: the work is in services.py and search.py."""

import mimetypes
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404, scope_queryset, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.core.pagination import CappedPaginator
from guanai.core.jobs import start_job

from . import readers, search, services
from .forms import FactFilterForm, SearchForm, UploadForm
from .models import Document

READ_ROLES = roles.ALL - {roles.VOLUNTEER}
UPLOAD_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF)
FACTS_PER_PAGE = 50


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _query_string_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _valid_filters(form) -> dict:
    form.is_valid()
    return getattr(form, "cleaned_data", {})


@roles_required(*READ_ROLES)
def document_list(request):
    user = request.user
    form = SearchForm(request.GET or None, user=user, years=services.years_of(user))
    filters = _valid_filters(form)
    result = services.search_documents(
        user, filters.get("q", ""), year=filters.get("year"), area=filters.get("area") or None,
        kind=filters.get("kind") or None, page=_page_number(request),
    )
    return render(request, "archive/list.html", {
        "form": form, "result": result, "query_string": _query_string_without_page(request),
        "may_upload": user_role(user) in UPLOAD_ROLES,
    })


@roles_required(*READ_ROLES)
def document_detail(request, pk: int):
    document = get_scoped_or_404(Document.objects.select_related("area", "uploaded_by"), request.user, pk=pk)
    terms = search.parse_query(request.GET.get("q", ""))
    return render(request, "archive/detail.html", {
        "document": document, "text_html": search.highlight(document.text, terms), "terms": terms,
        "facts": document.facts.order_by("start", "pk"), "query": request.GET.get("q", ""),
    })


@roles_required(*READ_ROLES)
def document_original(request, pk: int):
    document = get_scoped_or_404(Document.objects.all(), request.user, pk=pk)
    try:
        with document.original.open("rb") as handle:
            data = handle.read()  # at most readers.MAX_FILE_BYTES
    except (FileNotFoundError, ValueError):
        raise Http404("原始文件已不存在") from None
    record(AuditEvent.EXPORT, user=request.user, obj=document, request=request,
           detail=f"下载档案原件“{document.original_name}”")
    content_type = mimetypes.guess_type(document.original_name)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.original_name)
    return response


def _keep_for_job(uploads) -> str:
    """Copy the uploaded files to a folder of their own for the background worker."""
    folder = Path(settings.MEDIA_ROOT) / "uploads" / f"archive-{uuid.uuid4().hex}"
    folder.mkdir(parents=True, exist_ok=True)
    for index, upload in enumerate(uploads, start=1):
        name = Path(upload.name.replace("\\", "/")).name or f"文件{index}"
        target = folder / name
        if target.exists():
            target = folder / f"{index}-{name}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return str(folder)


@roles_required(*UPLOAD_ROLES)
def document_upload(request):
    user = request.user
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["files"]
        area = form.cleaned_data.get("area") or None
        kind = form.cleaned_data.get("kind") or None
        if len(uploads) == 1 and readers.suffix_of(uploads[0].name) not in readers.ARCHIVE_SUFFIXES:
            upload = uploads[0]
            try:
                document, created = services.store_document(upload.name, upload.read(), user=user, area=area, kind=kind)
            except services.IngestError as exc:
                form.add_error("files", f"“{upload.name}”：{exc}")
            else:
                if created:
                    messages.success(request, f"已导入“{document.title}”，读出数据 {document.facts.count()} 条。")
                elif scope_queryset(Document.objects.filter(pk=document.pk), user).exists():
                    messages.info(request, "该文件此前已导入，未重复保存。")
                else:
                    messages.info(request, "该文件此前已由其他单位导入，未重复保存。")
                    return redirect("archive:list")
                return redirect("archive:detail", pk=document.pk)
        else:
            names = "、".join(u.name for u in uploads[:3]) + (f" 等{len(uploads)}个文件" if len(uploads) > 3 else "")
            job = start_job("archive_ingest", f"导入档案：{names}"[:200], user,
                            {"path": _keep_for_job(uploads), "area": area, "kind": kind})
            return redirect("job_detail", pk=job.pk)
    return render(request, "archive/upload.html", {"form": form})


@roles_required(*READ_ROLES)
def fact_list(request):
    user = request.user
    form = FactFilterForm(request.GET or None, user=user, years=services.fact_years(user))
    filters = _valid_filters(form)
    facts = services.scoped_facts(
        user, area=filters.get("area") or None, year=filters.get("year"), kind=filters.get("kind") or None,
        subject=filters.get("subject") or None,
    ).order_by("-year", "-document_id", "start")
    page = CappedPaginator(facts, FACTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "archive/facts.html", {
        "form": form, "page": page, "query_string": _query_string_without_page(request),
    })
