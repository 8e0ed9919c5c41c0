"""Briefing pages: list, compose, read, edit, recompute, publish, export, fact-check.
Thin: the work is in compose.py, services.py, render.py and factcheck.py."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import own_job_or_404, roles_required
from guanai.accounts.roles import user_role
from guanai.areas.scoping import area_for_user_or_404, get_scoped_or_404, scope_queryset
from guanai.coordination.workflow import reports_for
from guanai.core.models import Job
from guanai.stats.periods import last_complete_quarter, parse_period
from guanai.core.jobs import start_job
from guanai.core.pagination import paginate

from . import body as body_mod
from . import factcheck, render as rendering, services
from .forms import ComposeForm, FactCheckForm, MetaForm
from .models import Briefing
from .permissions import COMPOSE_ROLES, READ_ROLES


def _readable(user):
    briefings = scope_queryset(Briefing.objects.select_related("area"), user)
    if user_role(user) not in COMPOSE_ROLES:
        briefings = briefings.filter(status=Briefing.PUBLISHED)
    return briefings


def _briefing_or_404(request, pk: int) -> Briefing:
    return get_scoped_or_404(_readable(request.user), request.user, pk=pk)


@roles_required(*READ_ROLES)
def briefing_list(request):
    briefings = _readable(request.user).order_by("-created_at", "-pk")
    status = request.GET.get("status")
    if status in (Briefing.DRAFT, Briefing.PUBLISHED):
        briefings = briefings.filter(status=status)
    page = paginate(request, briefings, 30)
    return render(request, "briefings/list.html", {
        "page": page, "may_compose": user_role(request.user) in COMPOSE_ROLES, "status": status,
    })


def _published_already(user, form) -> list[Briefing]:
    """What the chosen area and period already have published (readable by ``user``)."""
    if not form.is_valid():
        return []
    area, period = form.cleaned_data["area"], form.cleaned_data["period"]
    return list(services.published_for(area.code, period.key) & _readable(user))


@roles_required(*COMPOSE_ROLES)
@once_per_token
def briefing_compose(request):
    if request.method == "POST":
        form = ComposeForm(request.POST, user=request.user)
    else:
        # Bound to the page's defaults, or to what is chosen so far (the warning of a published
        # briefing is asked again on each change), so the warning shows before composing.
        defaults = {"area": request.user.area_id or "990100000000",
                    "period": last_complete_quarter(timezone.localdate()).key, "kind": Briefing.JIANBAO}
        chosen = {key: value for key, value in request.GET.items() if key != "warning"}
        form = ComposeForm(chosen or defaults, user=request.user)
    existing = _published_already(request.user, form)
    if request.method == "GET" and request.GET.get("warning"):
        return render(request, "briefings/_published_warning.html", {"existing": existing})
    if request.method == "POST" and form.is_valid() and (not existing or request.POST.get("confirm_existing")):
        area, period, kind = form.cleaned_data["area"], form.cleaned_data["period"], form.cleaned_data["kind"]
        label = f"起草{dict(Briefing.KIND_CHOICES)[kind]}：{area.name}{period.label}"
        job = start_job("briefing_compose", label, request.user, {"area": area.code, "period": period.key,
                                                                  "kind": kind})
        return redirect("job_detail", pk=job.pk)
    return render(request, "briefings/compose.html", {"form": form, "existing": existing,
                                                      "asked": request.method == "POST" and bool(existing)})


@roles_required(*READ_ROLES)
def briefing_detail(request, pk: int):
    briefing = _briefing_or_404(request, pk)
    doc = rendering.load(briefing)
    facts = sorted(doc.facts.values(), key=lambda f: int(f.token[1:]) if f.token[1:].isdigit() else 0)
    return render(request, "briefings/detail.html", {
        "briefing": briefing, "doc": doc, "body": rendering.body_html(doc), "facts": facts,
        "may_edit": user_role(request.user) in COMPOSE_ROLES, "sources": _quoted_reports(request.user, briefing),
        "alike": [] if briefing.is_published else services.published_alike(briefing),
    })


def _quoted_reports(user, briefing) -> list[dict]:
    """The member-unit reports the body quotes, each linked when the reader may open it."""
    quoted = [s for s in body_mod.sources(briefing.body) if s.get("kind") == "unit_report"]
    readable = set(reports_for(user).filter(pk__in=[s.get("id") for s in quoted]).values_list("pk", flat=True))
    return [{"label": s.get("label", ""), "url": reverse("coordination:report_detail", args=[s["id"]])
             if s.get("id") in readable else ""} for s in quoted]


@roles_required(*COMPOSE_ROLES)
def briefing_edit(request, pk: int):
    briefing = _briefing_or_404(request, pk)
    if briefing.is_published:
        messages.info(request, "该简报已印发，不能再修改。")
        return redirect("briefings:detail", pk=briefing.pk)
    form = MetaForm(request.POST or None, instance=briefing)
    if request.method == "POST" and form.is_valid():
        meta = {name: form.cleaned_data[name] for name in services.META_FIELDS}
        try:
            services.save_edit(briefing, user=request.user, body_html=request.POST.get("body_html") or None,
                               meta=meta)
        except services.BriefingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存。文中数据仍与记录关联，可随时重新计算。")
            return redirect("briefings:edit", pk=briefing.pk)
    doc = rendering.load(briefing)
    return render(request, "briefings/edit.html", {
        "briefing": briefing, "form": form, "body": rendering.body_html(doc, editable=True),
    })


@require_POST
@roles_required(*COMPOSE_ROLES)
def briefing_recompute(request, pk: int):
    briefing = _briefing_or_404(request, pk)
    save = not briefing.is_published
    changes = services.recompute_facts(briefing, save=save, user=request.user)
    return render(request, "briefings/recompute.html", {"briefing": briefing, "changes": changes, "saved": save,
                                                        "count": briefing.facts.count()})


@require_POST
@roles_required(*COMPOSE_ROLES)
@once_per_token
def briefing_publish(request, pk: int):
    briefing = _briefing_or_404(request, pk)
    try:
        briefing = services.publish(briefing, user=request.user,
                                    confirm_duplicate=request.POST.get("confirm_duplicate") == "1")
    except services.BriefingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已印发：{briefing.issue_year}年{briefing.issue_label}。")
    return redirect("briefings:detail", pk=briefing.pk)


@roles_required(*READ_ROLES)
def briefing_export(request, pk: int, fmt: str):
    if fmt not in rendering.CONTENT_TYPES:
        raise Http404("不支持的格式")
    briefing = _briefing_or_404(request, pk)
    try:
        data = rendering.render(briefing, fmt)
    except RuntimeError as exc:
        messages.error(request, str(exc))
        return redirect("briefings:detail", pk=briefing.pk)
    services.record_export(briefing, fmt, user=request.user)
    response = HttpResponse(data, content_type=rendering.CONTENT_TYPES[fmt])
    name = f"{briefing.title}（{briefing.issue_label}）.{fmt}"
    response["Content-Disposition"] = content_disposition_header(fmt != "html", name)
    return response


def _check(request, text: str, area, period, *, briefing=None, context: dict):
    """Check ``text`` here, or, when long, as a job whose page shows its progress and result."""
    if len(text) > factcheck.LONG_TEXT_CHARS:
        label = f"数据核对：{briefing.title if briefing else area.name + period.label}（{len(text)}字）"[:200]
        job = start_job("briefing_factcheck", label, request.user, {
            "text": text, "area": area.code, "period": period.key, "briefing": briefing.pk if briefing else None})
        return redirect("job_detail", pk=job.pk)
    figures = factcheck.check_text(text, area, period)
    context.update({"figures": figures, "summary": factcheck.summary(figures), "notice": figures.notice,
                    "area": area, "period": period})
    return None


@roles_required(*COMPOSE_ROLES)
def briefing_check(request, pk: int):
    """Fact-check a briefing's own text (as edited) against the records now."""
    briefing = _briefing_or_404(request, pk)
    doc = rendering.load(briefing)
    context = {"briefing": briefing}
    text = doc.text()
    try:
        factcheck.check_length(text)
    except factcheck.TextTooLong as exc:
        messages.error(request, str(exc))
        return redirect("briefings:detail", pk=briefing.pk)
    return _check(request, text, briefing.area, briefing.period, briefing=briefing, context=context) or render(
        request, "briefings/factcheck_result.html", context)


@roles_required(*READ_ROLES)
def factcheck_page(request):
    form = FactCheckForm(request.POST or None, request.FILES or None, user=request.user,
                         initial=_archive_document_initial(request))
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        area, period = form.cleaned_data["area"], form.cleaned_data["period"]
        started = _check(request, form.cleaned_data["document_text"], area, period, context=context)
        if started is not None:
            return started
        if not context["figures"]:
            messages.info(request, "文稿中没有找到可核对的数量、金额或百分比。")
    return render(request, "briefings/factcheck.html", context)


@roles_required(*READ_ROLES)
def factcheck_result(request, job_id: int):
    """The result of a long check run by the worker (the user's own job; any for the admin)."""
    job = own_job_or_404(request.user, job_id, kind="briefing_factcheck")
    if job.status != Job.DONE:
        return redirect("job_detail", pk=job.pk)
    result = job.result
    area = area_for_user_or_404(request.user, result["area"])
    briefing = _readable(request.user).filter(pk=result.get("briefing") or 0).first()
    return render(request, "briefings/factcheck_result.html", {
        "figures": result["rows"], "summary": result["summary"], "notice": result["notice"], "area": area,
        "period": parse_period(result["period"]), "briefing": briefing, "job": job})


def _archive_document_initial(request) -> dict:
    """?document=<pk> checks an archived old briefing against the records of its area and year."""
    pk = request.GET.get("document", "")
    if not pk.isdigit():
        return {}
    from guanai.archive.models import Document
    from guanai.areas.scoping import get_scoped_or_404

    document = get_scoped_or_404(Document.objects.all(), request.user, pk=int(pk))
    initial = {"text": document.text}
    if document.area_id:
        initial["area"] = document.area_id
    if document.year:
        initial["period"] = str(document.year)
    return initial
