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
from guanai.accounts.roles import user_role
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.core.pagination import list_query, page_number, paginate
from guanai.core.jobs import start_job

from . import readers, search, services
from .forms import FactFilterForm, SearchForm, UploadForm
from .models import Document, DocumentPage

READ_ROLES = roles.ALL - {roles.VOLUNTEER}
UPLOAD_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF)
FACTS_PER_PAGE = 50


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
        kind=filters.get("kind") or None, page=page_number(request.GET.get("page"), per_page=search.PER_PAGE),
    )
    return render(request, "archive/list.html", {
        "form": form, "result": result, "query_string": list_query(request),
        "may_upload": user_role(user) in UPLOAD_ROLES,
    })


@roles_required(*READ_ROLES)
def document_detail(request, pk: int):
    document = get_scoped_or_404(Document.objects.select_related("area", "uploaded_by"), request.user, pk=pk)
    terms = search.parse_query(request.GET.get("q", ""))
    log = document.normalisation_log or []
    return render(request, "archive/detail.html", {
        "document": document, "text_html": search.highlight(document.text, terms), "terms": terms,
        "facts": document.facts.order_by("start", "pk"), "query": request.GET.get("q", ""),
        "pages": document.pages.all(), "log": log,
        "log_counts": {action: sum(1 for e in log if e.get("action") == action) for action in ("restored", "dropped")},
    })


@roles_required(*READ_ROLES)
def page_image(request, pk: int, number: int):
    """A scanned page's image, shown beside its text (same scope as the document)."""
    document = get_scoped_or_404(Document.objects.all(), request.user, pk=pk)
    page = DocumentPage.objects.filter(document=document, number=number).first()
    if page is None:
        raise Http404("没有这一页")
    try:
        with page.image.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        raise Http404("页面图像已不存在") from None
    return HttpResponse(data, content_type="image/png")


@roles_required(*READ_ROLES)
def document_original(request, pk: int):
    document = get_scoped_or_404(Document.objects.all(), request.user, pk=pk)
    try:
        data = services.original_for_download(document, user=request.user)
    except (FileNotFoundError, ValueError):
        raise Http404("原始文件已不存在") from None
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
        # A .txt or .docx is read at once; conversions, OCR, several files and
        # zips run in the background with a progress bar.
        if len(uploads) == 1 and readers.suffix_of(uploads[0].name) in readers.QUICK_SUFFIXES:
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
    return render(request, "archive/facts.html", {"form": form, "page": paginate(request, facts, FACTS_PER_PAGE)})
