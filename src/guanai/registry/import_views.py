"""Pages for importing persons from Excel and exporting lists to Excel.

Upload → a background dry run (the preview: to create, to update, unchanged,
errors) → the user confirms → a second background job commits. Both jobs run
the same importer as `guanai import --kind persons`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import own_job_or_404, roles_required
from guanai.areas import codes
from guanai.areas.forms import area_choices
from guanai.areas.models import Area
from guanai.areas.scoping import area_problem
from guanai.core import uploads
from guanai.core.forms import SpreadsheetField
from guanai.core.jobs import start_job
from guanai.core.models import Job
from guanai.core.progress import current as current_progress

from . import categories as cat
from guanai.ledgers import views as ledger_views

from . import exporting

IMPORT_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
XLSX = exporting.XLSX_CONTENT_TYPE


class PersonUploadForm(forms.Form):
    file = SpreadsheetField(label="人员信息表", help_text="Excel（.xlsx、.xls）或 CSV 文件，每行一人；表头可在标题行之下。")
    area = forms.ChoiceField(label="所属地区", required=False, choices=[],
                             help_text="选填。按名称填写村（社区）时，名称须在此地区下唯一；"
                                       "若选一个村（社区），未填村（社区）的行都归入该村（社区）。")
    category = forms.ChoiceField(label="人员类别", required=False,
                                 choices=[("", "按表中“人员类别”列")] + [(label, label) for _c, label in cat.CATEGORY_CHOICES],
                                 help_text="表中未填类别的行使用此类别。")
    all_or_nothing = forms.BooleanField(label="全部正确才导入", required=False,
                                        help_text="勾选后，只要有一行有错误，就不写入任何数据。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The user's own tree, each area under its parent's name (a village named twice is told apart).
        self.fields["area"].choices = [("", "（我的管辖地区，按表中村名或代码）")] + area_choices(
            user, (codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE))
        for name, f in self.fields.items():
            f.widget.attrs["class"] = {"category": "form-select", "all_or_nothing": "form-check-input"}.get(
                name, "form-control")

    def clean_area(self):
        code = (self.cleaned_data.get("area") or "").strip()
        if not code:
            return ""
        _area, problem = area_problem(self.user, code, label="地区")
        if problem:
            raise forms.ValidationError(problem)
        return code


_FIELD_LABELS = {"name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生日期", "phone": "联系电话",
                 "area_id": "所在村（社区）", "address": "现住址", "hukou_place": "户籍所在地", "categories": "人员类别"}


def _examples(examples: dict) -> dict:
    """The preview's first rows with Chinese names: villages by name, categories by label."""
    codes_seen = {e["area_id"] for e in examples.get("created", [])}
    codes_seen |= {c[1] for e in examples.get("updated", []) for c in e["changes"] if c[0] == "area_id"}
    codes_seen |= {c[2] for e in examples.get("updated", []) for c in e["changes"] if c[0] == "area_id"}
    names = dict(Area.objects.filter(code__in=codes_seen - {""}).values_list("code", "name"))

    def shown(field: str, value: str) -> str:
        if field == "area_id":
            return names.get(value, value)
        if field == "categories":
            return "、".join(cat.CATEGORY_LABELS.get(c, c) for c in value.split("、") if c)
        return value

    created = [{**e, "village": names.get(e["area_id"], e["area_id"]),
                "categories": "、".join(cat.CATEGORY_LABELS.get(c, c) for c in e["categories"])}
               for e in examples.get("created", [])]
    updated = [{**e, "changes": [(_FIELD_LABELS.get(f, f), shown(f, old), shown(f, new)) for f, old, new in e["changes"]]}
               for e in examples.get("updated", [])]
    return {"created": created, "updated": updated}


def _import_job_or_404(request, job_id: int) -> Job:
    """A persons import job of this user (any user's for the admin); 404 otherwise."""
    return own_job_or_404(request.user, job_id, kind="import", params__kind="persons")


@roles_required(*IMPORT_ROLES)
@once_per_token
def person_import(request):
    form = PersonUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        path = uploads.save_upload(data["file"])
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
        "job": current_progress(job),
        "examples": _examples(result.get("examples") or {}),
        "created_link": (f"{reverse('registry:list')}?import={job.pk}"
                         if not preview and result.get("committed") and result.get("created") else ""),
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
        "error_workbook_expires": parse_datetime(result.get("error_workbook_expires") or ""),
    }
    template = "registry/import_progress.html" if request.headers.get("HX-Request") else "registry/import_job.html"
    return render(request, template, context)


@roles_required(*IMPORT_ROLES)
@once_per_token
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
    """The rows with errors as they were in the file, plus 原行号 and 错误说明: the workbook the
    import job built (this only sends it)."""
    job = _import_job_or_404(request, job_id)
    result = job.result or {}
    if job.status != Job.DONE or not result.get("errors"):
        return redirect("registry:import_job", job_id=job.pk)
    if not uploads.exists(result.get("error_workbook")):
        messages.info(request, "错误清单已过期（保留1天）或未生成，请重新上传文件。")
        return redirect("registry:import_job", job_id=job.pk)
    stem = Path(job.params.get("filename") or "人员信息").stem
    response = StreamingHttpResponse(uploads.stream(result["error_workbook"]), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}-错误清单.xlsx")
    return response


@roles_required(*IMPORT_ROLES)
def person_export(request):
    """The list page's search (same filters, same scope) as the ledger ``registry.persons``; audited.

    ID numbers are masked; ``full_id=1`` asks for them in full, which only a
    role that may see full ID numbers gets (and the audit event says so).
    """
    return ledger_views.respond(request, "registry.persons", back=reverse("registry:list"))
