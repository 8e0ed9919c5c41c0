"""Pages for importing persons from Excel and exporting lists to Excel.

Upload → a background dry run (the preview: to create, to update, unchanged,
errors) → the user confirms → a second background job commits. Both jobs run
the same importer as `guanai import --kind persons`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.models import Area
from guanai.areas.scoping import may_see_area, user_role
from guanai.core.uploads import save_upload
from guanai.core.jobs import start_job
from guanai.core.models import Job
from guanai.spreadsheets import SUPPORTED_SUFFIXES

from . import categories as cat
from . import exporting, services
from .models import Person
from .views import _filters

IMPORT_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
XLSX = exporting.XLSX_CONTENT_TYPE


class PersonUploadForm(forms.Form):
    file = forms.FileField(label="人员信息表", help_text="Excel（.xlsx、.xls）或 CSV 文件，每行一人；表头可在标题行之下。")
    area = forms.CharField(label="所属地区代码", required=False, max_length=12,
                           help_text="选填：12位区划代码。按名称填写村（社区）时，名称须在此地区下唯一；"
                                     "若为村（社区）代码，未填村（社区）的行都归入该村（社区）。")
    category = forms.ChoiceField(label="人员类别", required=False,
                                 choices=[("", "按表中“人员类别”列")] + [(label, label) for _c, label in cat.CATEGORY_CHOICES],
                                 help_text="表中未填类别的行使用此类别。")
    all_or_nothing = forms.BooleanField(label="全部正确才导入", required=False,
                                        help_text="勾选后，只要有一行有错误，就不写入任何数据。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, f in self.fields.items():
            f.widget.attrs["class"] = {"category": "form-select", "all_or_nothing": "form-check-input"}.get(
                name, "form-control")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise forms.ValidationError("请上传 .xlsx、.xls 或 .csv 文件。")
        return upload

    def clean_area(self):
        code = (self.cleaned_data.get("area") or "").strip()
        if not code:
            return ""
        if not (code.isdigit() and len(code) == 12):
            raise forms.ValidationError("请填写12位区划代码。")
        if not Area.objects.filter(pk=code).exists() or not may_see_area(self.user, code):
            raise forms.ValidationError("该地区不存在或不在您的管辖范围内。")
        return code


def _import_job_or_404(request, job_id: int) -> Job:
    """A persons import job of this user (any user's for the admin); 404 otherwise."""
    job = Job.objects.filter(pk=job_id, kind="import", params__kind="persons").first()
    if job is None or (job.user_id != request.user.pk and user_role(request.user) != roles.ADMIN):
        raise Http404("任务不存在")
    return job


@roles_required(*IMPORT_ROLES)
def person_import(request):
    form = PersonUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        path = save_upload(data["file"])
        options = {"area": data["area"] or None, "category": data["category"] or None,
                   "all_or_nothing": data["all_or_nothing"]}
        job = start_job("import", f"导入人员（预览）：{data['file'].name}"[:200], request.user,
                        {"kind": "persons", "path": path, "dry_run": True, "options": options,
                         "filename": data["file"].name})
        return redirect("registry:import_job", job_id=job.pk)
    return render(request, "registry/import_upload.html", {"form": form})


def _file_response(path: Path, filename: str) -> FileResponse:
    """Send a temporary file and remove it (the open handle keeps the data until sent)."""
    handle = path.open("rb")
    path.unlink(missing_ok=True)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def _temporary_xlsx() -> Path:
    handle = tempfile.NamedTemporaryFile(prefix="guanai-", suffix=".xlsx", delete=False)
    handle.close()
    return Path(handle.name)


@roles_required(*IMPORT_ROLES)
def person_import_template(request):
    path = exporting.build_template(_temporary_xlsx())
    return _file_response(path, "人员信息导入模板.xlsx")


@roles_required(*IMPORT_ROLES)
def person_import_job(request, job_id: int):
    job = _import_job_or_404(request, job_id)
    preview = job.params.get("dry_run", False)
    result = job.result or {}
    errors = result.get("errors") or []
    options = job.params.get("options") or {}
    commit_job = None
    if preview and result.get("commit_job"):
        commit_job = Job.objects.filter(pk=result["commit_job"]).first()
    context = {
        "job": job,
        "preview": preview,
        "result": result,
        "errors": errors[:500],
        "more_errors": max(0, len(errors) - 500),
        "options": options,
        "commit_job": commit_job,
        "may_commit": (preview and job.status == Job.DONE and commit_job is None
                       and (result.get("created", 0) + result.get("updated", 0)) > 0
                       and not (options.get("all_or_nothing") and errors)
                       and not any(e.get("row") == 0 for e in errors)),
        "preview_job": Job.objects.filter(pk=job.params.get("preview_job")).first() if not preview else None,
    }
    template = "registry/import_progress.html" if request.headers.get("HX-Request") else "registry/import_job.html"
    return render(request, template, context)


@roles_required(*IMPORT_ROLES)
def person_import_commit(request, job_id: int):
    job = _import_job_or_404(request, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not job.params.get("dry_run") or job.status != Job.DONE:
        return redirect("registry:import_job", job_id=job.pk)
    if job.result.get("commit_job"):  # already confirmed: show that job rather than start another
        return redirect("registry:import_job", job_id=job.result["commit_job"])
    params = {**job.params, "dry_run": False, "preview_job": job.pk}
    label = f"导入人员：{job.params.get('filename') or Path(job.params['path']).name}"[:200]
    commit = start_job("import", label, request.user, params)
    Job.objects.filter(pk=job.pk).update(result={**job.result, "commit_job": commit.pk})
    return redirect("registry:import_job", job_id=commit.pk)


@roles_required(*IMPORT_ROLES)
def person_import_errors(request, job_id: int):
    """The rows with errors as they were in the file, plus 原行号 and 错误说明."""
    job = _import_job_or_404(request, job_id)
    errors = (job.result or {}).get("errors") or []
    if job.status != Job.DONE or not errors:
        return redirect("registry:import_job", job_id=job.pk)
    path = exporting.build_error_workbook(job.params.get("path", ""), errors, _temporary_xlsx())
    stem = Path(job.params.get("filename") or "人员信息").stem
    return _file_response(path, f"{stem}-错误清单.xlsx")


def _describe(filters: dict) -> str:
    parts = []
    if filters["q"]:
        parts.append(f"查询“{filters['q']}”")
    if filters["area"]:
        parts.append(f"地区{filters['area']}")
    if filters["category"]:
        parts.append(f"类别{cat.CATEGORY_LABELS.get(filters['category'], filters['category'])}")
    if filters["risk"]:
        parts.append(f"风险{filters['risk']}")
    if filters["status"]:
        parts.append(f"状态{dict(Person.STATUS_CHOICES).get(filters['status'], filters['status'])}")
    return "，".join(parts)


@roles_required(*IMPORT_ROLES)
def person_export(request):
    """The list page's search (same filters, same scope) as an .xlsx file; audited.

    ID numbers are masked; ``full_id=1`` asks for them in full, which only a
    role that may see full ID numbers gets (and the audit event says so).
    """
    filters = _filters(request)
    queryset = services.search_persons(request.user, filters["q"], area=filters["area"],
                                       category=filters["category"], risk=filters["risk"],
                                       status=filters["status"]).distinct()
    full_ids = request.GET.get("full_id") == "1" and services.may_see_full_id(request.user)
    path, _count = exporting.export_persons(request.user, queryset, full_ids=full_ids,
                                            description=_describe(filters), request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _file_response(path, f"人员名单-{stamp}.xlsx")
