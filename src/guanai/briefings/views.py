"""Briefing pages: list, compose, read, edit, recompute, publish, export, fact-check.
Thin: the work is in compose.py, services.py, render.py and factcheck.py."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404, scope_queryset, user_role
from guanai.core.jobs import start_job

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
    page = Paginator(briefings, 30).get_page(request.GET.get("page"))
    return render(request, "briefings/list.html", {
        "page": page, "may_compose": user_role(request.user) in COMPOSE_ROLES, "status": status,
    })


@roles_required(*COMPOSE_ROLES)
def briefing_compose(request):
    form = ComposeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        area, period, kind = form.cleaned_data["area"], form.cleaned_data["period"], form.cleaned_data["kind"]
        label = f"起草{dict(Briefing.KIND_CHOICES)[kind]}：{area.name}{period.label}"
        job = start_job("briefing_compose", label, request.user, {"area": area.code, "period": period.key,
                                                                  "kind": kind})
        return redirect("job_detail", pk=job.pk)
    return render(request, "briefings/compose.html", {"form": form})


@roles_required(*READ_ROLES)
def briefing_detail(request, pk: int):
    briefing = _briefing_or_404(request, pk)
    doc = rendering.load(briefing)
    facts = sorted(doc.facts.values(), key=lambda f: int(f.token[1:]) if f.token[1:].isdigit() else 0)
    return render(request, "briefings/detail.html", {
        "briefing": briefing, "doc": doc, "body": rendering.body_html(doc), "facts": facts,
        "may_edit": user_role(request.user) in COMPOSE_ROLES,
    })


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
    changes = services.recompute_facts(briefing, save=save)
    return render(request, "briefings/recompute.html", {"briefing": briefing, "changes": changes, "saved": save,
                                                        "count": briefing.facts.count()})


@require_POST
@roles_required(*COMPOSE_ROLES)
def briefing_publish(request, pk: int):
    briefing = _briefing_or_404(request, pk)
    try:
        briefing = services.publish(briefing, user=request.user)
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
    services.record_export(briefing, fmt, user=request.user, request=request)
    response = HttpResponse(data, content_type=rendering.CONTENT_TYPES[fmt])
    name = f"{briefing.title}（{briefing.issue_label}）.{fmt}"
    response["Content-Disposition"] = content_disposition_header(fmt != "html", name)
    return response


@roles_required(*COMPOSE_ROLES)
def briefing_check(request, pk: int):
    """Fact-check a briefing's own text (as edited) against the records now."""
    briefing = _briefing_or_404(request, pk)
    doc = rendering.load(briefing)
    figures = factcheck.check_text(doc.text(), briefing.area, briefing.period)
    return render(request, "briefings/factcheck_result.html", {
        "figures": figures, "summary": factcheck.summary(figures), "area": briefing.area,
        "period": briefing.period, "briefing": briefing,
    })


@roles_required(*READ_ROLES)
def factcheck_page(request):
    form = FactCheckForm(request.POST or None, request.FILES or None, user=request.user,
                         initial=_archive_document_initial(request))
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        area, period = form.cleaned_data["area"], form.cleaned_data["period"]
        figures = factcheck.check_text(form.cleaned_data["document_text"], area, period)
        context.update({"figures": figures, "summary": factcheck.summary(figures), "area": area, "period": period})
        if not figures:
            messages.info(request, "文稿中没有找到可核对的数量、金额或百分比。")
    return render(request, "briefings/factcheck.html", context)


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
