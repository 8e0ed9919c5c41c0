"""Pages of supervision, assessment and projects: thin views that parse, call one
service, render. Records are reached through the scoping function only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404, user_role
from guanai.core.idempotency import once_per_token
from guanai.core.forms import add_validation_errors
from guanai.core.uploads import stored_file_response
from guanai.spreadsheets import XLSX_CONTENT_TYPE
from guanai.stats.periods import parse_period

from . import oversight_assessment as assessment
from . import oversight_documents as documents
from . import oversight_projects as projects
from . import oversight_supervision as supervision
from .models import (AssessmentIndicator, AssessmentScheme, AssessmentScore, Project, RectificationEvidence,
                     RectificationItem, SupervisionRound)
from .oversight_forms import (IndicatorForm, ItemForm, ProgressForm, ProjectForm, ProjectProgressForm, RoundForm,
                              SchemeForm, ScoreForm, VerifyForm, line_rows_from, MEASURE_CHOICES)
from .oversight_services import OFFICE_ROLES, today

A, O, S, L, U = roles.ADMIN, roles.OFFICE, roles.STAFF, roles.LEADER, roles.UNIT
VIEW_ROLES = (A, O, S, L, U)  # units see their own items and projects
REPORT_ROLES = (A, O, S, U)  # the responsible report progress
DOCUMENT_ROLES = (A, O, S, L)
ASSESS_VIEW_ROLES = (A, O, S, L)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _rows(items, day):
    """(item, state, label) of each item, with ``days_late`` for the overdue."""
    rows = []
    for item in items:
        state = item.display_status(day)
        item.days_late = (day - item.deadline).days if state == RectificationItem.OVERDUE else 0
        rows.append((item, state, item.display_label(day)))
    return rows


def _service_call(form, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return False
    return True


# --- supervision rounds ---------------------------------------------------------------------

@roles_required(*VIEW_ROLES)
def round_list(request):
    rounds = supervision.rounds_for(request.user).select_related("area").order_by("-started_on", "-pk")[:200]
    rounds = list(rounds)
    counts = supervision.status_counts_by_round(supervision.items_for(request.user).filter(round__in=rounds))
    for r in rounds:
        r.counts = counts.get(r.pk)
    return render(request, "coordination/oversight/round_list.html", {
        "rounds": rounds, "may_edit": user_role(request.user) in OFFICE_ROLES})


@roles_required(*OFFICE_ROLES)
@once_per_token
def round_create(request):
    form = RoundForm(request.POST or None, user=request.user, initial={"methods": ["documents", "briefing"]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = {}
        if _service_call(form, lambda: result.setdefault("round", supervision.create_round(
                acting_user=request.user, title=d["title"], area_code=d["area"], started_on=d["started_on"],
                ended_on=d["ended_on"], methods=d["methods"], team_users=list(d["team_users"]),
                team_units=list(d["team_units"]), visited_areas=list(d["visited_areas"]),
                visited_units=list(d["visited_units"]), findings=d["findings"]))):
            messages.success(request, "已创建督导检查，请填写整改清单。")
            return redirect("oversight:round_detail", pk=result["round"].pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建督导检查",
                                                   "cancel_url": reverse("oversight:round_list")})


@roles_required(*VIEW_ROLES)
def round_detail(request, pk: int):
    r = get_scoped_or_404(SupervisionRound.objects.select_related("area"), request.user, pk=pk)
    status = request.GET.get("status") or ""
    items = supervision.items_for(request.user).filter(round=r).select_related("responsible_unit",
                                                                                "responsible_area")
    shown = supervision.filter_by_status(items, status).order_by("number")
    day = today()
    return render(request, "coordination/oversight/round_detail.html", {
        "round": r, "items": _rows(shown, day),
        "counts": supervision.status_counts(items, day), "status": status,
        "team_users": list(r.team_users.all()), "team_units": list(r.team_units.all()),
        "visited_areas": list(r.visited_areas.all()), "visited_units": list(r.visited_units.all()),
        "may_edit": user_role(request.user) in OFFICE_ROLES,
        "may_export": user_role(request.user) in DOCUMENT_ROLES})


@roles_required(*OFFICE_ROLES)
def round_edit(request, pk: int):
    r = get_scoped_or_404(SupervisionRound.objects.select_related("area"), request.user, pk=pk)
    initial = {"version": r.version, "title": r.title, "area": r.area_id, "started_on": r.started_on,
               "ended_on": r.ended_on, "methods": r.methods, "findings": r.findings,
               "team_users": list(r.team_users.all()), "team_units": list(r.team_units.all()),
               "visited_areas": list(r.visited_areas.all()), "visited_units": list(r.visited_units.all())}
    form = RoundForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: supervision.update_round(
                acting_user=request.user, supervision=r, expected_version=d["version"], title=d["title"],
                area_code=d["area"], started_on=d["started_on"], ended_on=d["ended_on"], methods=d["methods"],
                team_users=list(d["team_users"]), team_units=list(d["team_units"]),
                visited_areas=list(d["visited_areas"]), visited_units=list(d["visited_units"]),
                findings=d["findings"], reason=d["reason"])):
            messages.success(request, "已保存督导检查。")
            return redirect("oversight:round_detail", pk=r.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"修改：{r.title}",
                                                   "cancel_url": reverse("oversight:round_detail", args=[r.pk])})


@roles_required(*DOCUMENT_ROLES)
def round_report(request, pk: int):
    r = get_scoped_or_404(SupervisionRound.objects.select_related("area"), request.user, pk=pk)
    content = documents.export_rectification_report(acting_user=request.user, supervision_round=r, day=today())
    return _attachment(content, documents.DOCX_CONTENT_TYPE, f"{r.title}整改情况报告.docx")


# --- rectification items ---------------------------------------------------------------------

@roles_required(*OFFICE_ROLES)
@once_per_token
def item_create(request, pk: int):
    r = get_scoped_or_404(SupervisionRound.objects.select_related("area"), request.user, pk=pk)
    form = ItemForm(request.POST or None, user=request.user, supervision=r)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: supervision.add_item(
                acting_user=request.user, supervision=r, problem=d["problem"], measure=d["measure"],
                deadline=d["deadline"], responsible_unit=d["responsible_unit"],
                responsible_area_code=d["responsible_area"] or None)):
            messages.success(request, "已加入整改清单。")
            if "another" in request.POST:
                return redirect("oversight:item_create", pk=r.pk)
            return redirect("oversight:round_detail", pk=r.pk)
    return render(request, "coordination/oversight/item_form.html", {
        "form": form, "round": r, "title": f"添加整改事项：{r.title}"})


@roles_required(*VIEW_ROLES)
def item_list(request):
    status = request.GET.get("status") or ""
    items = supervision.items_for(request.user).select_related("round", "responsible_unit", "responsible_area")
    day = today()
    counts = supervision.status_counts(items, day)
    shown = supervision.filter_by_status(items, status).order_by("deadline", "pk")[:500]
    return render(request, "coordination/oversight/item_list.html", {
        "items": _rows(shown, day),
        "counts": counts, "status": status})


def _item(request, pk):
    return get_scoped_or_404(RectificationItem.objects.select_related(
        "round", "round__area", "responsible_unit", "responsible_area", "verified_by"), request.user, pk=pk)


def _item_page(request, item, progress_form=None, verify_form=None):
    day = today()
    may_report = supervision.may_report(request.user, item) and (
        item.verified_on is None or user_role(request.user) in OFFICE_ROLES)
    may_verify = supervision.may_verify(request.user, item) and item.status == RectificationItem.DONE
    if may_report and progress_form is None:
        progress_form = ProgressForm(initial={"version": item.version, "status": item.status,
                                              "completed_on": item.completed_on or day,
                                              "progress_note": item.progress_note})
    if may_verify and verify_form is None:
        verify_form = VerifyForm(initial={"version": item.version, "verified_on": item.verified_on or day})
    _item_row, state, label = _rows([item], day)[0]
    return render(request, "coordination/oversight/item_detail.html", {
        "item": item, "state": state, "state_label": label,
        # A form that was posted comes back with its errors even when it is no longer offered.
        "evidence": list(item.evidence.all()), "progress_form": progress_form, "verify_form": verify_form,
        "may_edit": user_role(request.user) in OFFICE_ROLES})


@roles_required(*VIEW_ROLES)
def item_detail(request, pk: int):
    return _item_page(request, _item(request, pk))


@roles_required(*OFFICE_ROLES)
def item_edit(request, pk: int):
    item = _item(request, pk)
    initial = {"version": item.version, "problem": item.problem, "measure": item.measure,
               "responsible_unit": item.responsible_unit, "responsible_area": item.responsible_area_id or "",
               "deadline": item.deadline}
    form = ItemForm(request.POST or None, user=request.user, supervision=item.round, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: supervision.update_item(
                acting_user=request.user, item=item, expected_version=d["version"], problem=d["problem"],
                measure=d["measure"], deadline=d["deadline"], responsible_unit=d["responsible_unit"],
                responsible_area_code=d["responsible_area"] or None, reason=d["reason"])):
            messages.success(request, "已保存整改事项。")
            return redirect("oversight:item_detail", pk=item.pk)
    return render(request, "coordination/oversight/item_form.html", {
        "form": form, "round": item.round, "title": f"修改整改事项：{item}", "editing": True})


@require_POST
@roles_required(*REPORT_ROLES)
def item_progress(request, pk: int):
    item = _item(request, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: supervision.report_progress(
                acting_user=request.user, item=item, expected_version=d["version"], status=d["status"],
                progress_note=d["progress_note"], completed_on=d["completed_on"],
                files=request.FILES.getlist("files"))):
            messages.success(request, "已保存整改情况。")
            return redirect("oversight:item_detail", pk=item.pk)
    item.refresh_from_db()
    return _item_page(request, item, progress_form=form)


@require_POST
@roles_required(*OFFICE_ROLES)
def item_verify(request, pk: int):
    item = _item(request, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: supervision.verify_item(
                acting_user=request.user, item=item, expected_version=d["version"], verified_on=d["verified_on"],
                note=d["note"])):
            messages.success(request, "已核验销号。")
            return redirect("oversight:item_detail", pk=item.pk)
    item.refresh_from_db()
    return _item_page(request, item, verify_form=form)


@roles_required(*VIEW_ROLES)
def evidence(request, pk: int):
    piece = get_scoped_or_404(RectificationEvidence.objects.all(), request.user, pk=pk)
    return stored_file_response(piece.file, piece.content_type, filename=piece.name)


# --- assessment ----------------------------------------------------------------------------------

@roles_required(*ASSESS_VIEW_ROLES)
def scheme_list(request):
    schemes = assessment.schemes_for(request.user).select_related("area")[:200]
    return render(request, "coordination/oversight/scheme_list.html", {
        "schemes": schemes, "may_edit": user_role(request.user) in OFFICE_ROLES})


@roles_required(*OFFICE_ROLES)
@once_per_token
def scheme_create(request):
    form = SchemeForm(request.POST or None, user=request.user,
                      initial={"year": today().year - 1, "total_points": 100, "area": request.user.area_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = {}
        if _service_call(form, lambda: result.setdefault("scheme", assessment.create_scheme(
                acting_user=request.user, title=d["title"], year=d["year"], area_code=d["area"],
                subject=d["subject"], total_points=d["total_points"]))):
            messages.success(request, "已创建考核方案，请添加考核指标。")
            return redirect("oversight:scheme_detail", pk=result["scheme"].pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建考核方案",
                                                   "cancel_url": reverse("oversight:scheme_list")})


@roles_required(*ASSESS_VIEW_ROLES)
def scheme_detail(request, pk: int):
    scheme = get_scoped_or_404(AssessmentScheme.objects.select_related("area"), request.user, pk=pk)
    scores = assessment.scores_for(request.user).filter(scheme=scheme).select_related("unit", "township")
    indicators, rows = assessment.ranking(scheme, scores)
    used = sum((i.points for i in indicators), 0)
    return render(request, "coordination/oversight/scheme_detail.html", {
        "scheme": scheme, "indicators": indicators, "rows": rows, "points_used": used,
        "may_edit": user_role(request.user) in OFFICE_ROLES})


@roles_required(*OFFICE_ROLES)
@once_per_token
def indicator_create(request, pk: int):
    scheme = get_scoped_or_404(AssessmentScheme.objects.select_related("area"), request.user, pk=pk)
    form = IndicatorForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: assessment.add_indicator(
                acting_user=request.user, scheme=scheme, name=d["name"], requirement=d["requirement"],
                points=d["points"], rule=d["rule"], target=d["target"], deduct_per=d["deduct_per"],
                higher_is_better=d["higher_is_better"], metric=d["metric"], metric_params=d["metric_params"])):
            messages.success(request, "已添加考核指标。")
            return redirect("oversight:scheme_detail", pk=scheme.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"添加考核指标：{scheme.title}",
                                                   "cancel_url": reverse("oversight:scheme_detail", args=[scheme.pk])})


@require_POST
@roles_required(*OFFICE_ROLES)
def scheme_compute(request, pk: int):
    scheme = get_scoped_or_404(AssessmentScheme.objects.select_related("area"), request.user, pk=pk)
    try:
        count = assessment.compute_scores(acting_user=request.user, scheme=scheme)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已按统计指标计算{count}项得分；人工录入的指标请逐项录入。")
    return redirect("oversight:scheme_detail", pk=scheme.pk)


@roles_required(*OFFICE_ROLES)
def score_edit(request, pk: int):
    score = get_scoped_or_404(AssessmentScore.objects.select_related(
        "scheme", "indicator", "unit", "township"), request.user, pk=pk)
    indicator = score.indicator
    form = ScoreForm(request.POST or None, indicator=indicator,
                     initial={"version": score.version, "value": score.value, "score": score.score,
                              "note": score.note})
    if indicator.metric:
        form = None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: assessment.enter_score(
                acting_user=request.user, score=score, expected_version=d["version"], note=d["note"],
                value=d.get("value"), score_value=d.get("score"))):
            messages.success(request, f"已录入“{indicator.name}”得分：{score.subject_name}。")
            return redirect("oversight:scheme_detail", pk=score.scheme_id)
    return render(request, "coordination/oversight/score_form.html", {
        "form": form, "score": score, "indicator": indicator})


@roles_required(*ASSESS_VIEW_ROLES)
def scheme_export(request, pk: int, fmt: str):
    scheme = get_scoped_or_404(AssessmentScheme.objects.select_related("area"), request.user, pk=pk)
    if fmt not in ("xlsx", "docx"):
        raise Http404("未知的导出格式")
    content = documents.export_assessment(acting_user=request.user, scheme=scheme, fmt=fmt, day=today())
    if fmt == "xlsx":
        return _attachment(content, XLSX_CONTENT_TYPE, f"{scheme.title}得分.xlsx")
    return _attachment(content, documents.DOCX_CONTENT_TYPE, f"{scheme.year}年度考核结果通报.docx")


# --- projects --------------------------------------------------------------------------------------

@roles_required(*VIEW_ROLES)
def project_list(request):
    day = today()
    period = parse_period(str(day.year))
    states = projects.states_of(projects.projects_for(request.user).select_related("area", "responsible_unit"),
                                period)
    rows = [(state, projects.schedule(state, day)) for state in states]
    if request.GET.get("show") == "behind":
        rows = [(state, info) for state, info in rows if info["behind"]]
    chart = {"names": [s.project.name for s, _i in rows], "expected": [float(i["expected"]) for _s, i in rows],
             "actual": [float(i["actual"]) for _s, i in rows]}
    # The area's figures (every project of the area, from the metrics); a unit sees its own projects only.
    summary = projects.summary_sentences(request.user.area_id, period) if request.user.area_id and \
        user_role(request.user) != U else []
    return render(request, "coordination/oversight/project_list.html", {
        "rows": rows, "behind": [(s, i) for s, i in rows if i["behind"]], "show": request.GET.get("show", ""),
        "chart": chart, "summary": summary, "year": period.label,
        "may_edit": user_role(request.user) in OFFICE_ROLES})


@roles_required(*OFFICE_ROLES)
@once_per_token
def project_create(request):
    form = ProjectForm(request.POST or None, user=request.user)
    rows = line_rows_from(request.POST) if request.method == "POST" else [
        {"action": "", "subject": "", "measure": "户", "planned": ""}]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result = {}
        if _service_call(form, lambda: result.setdefault("project", projects.create_project(
                acting_user=request.user, name=d["name"], area_code=d["area"], planned_start=d["planned_start"],
                planned_end=d["planned_end"], responsible_unit=d["responsible_unit"], description=d["description"],
                lines=rows))):
            messages.success(request, "已登记项目。")
            return redirect("oversight:project_detail", pk=result["project"].pk)
    return render(request, "coordination/oversight/project_form.html", {
        "form": form, "rows": rows, "measures": MEASURE_CHOICES})


def _project(request, pk):
    return get_scoped_or_404(Project.objects.select_related("area", "responsible_unit"), request.user, pk=pk)


@roles_required(*VIEW_ROLES)
def project_detail(request, pk: int):
    project = _project(request, pk)
    day = today()
    state = projects.project_states([project], day)[0]
    period = parse_period(str(day.year))
    series = projects.chart_series(project)
    return render(request, "coordination/oversight/project_detail.html", {
        "project": project, "state": state, "schedule": projects.schedule(state, day),
        "sentences": projects.summary_sentences(project.area_id, period, project=project.pk),
        "series": series,
        "updates": list(project.updates.select_related("entered_by").prefetch_related("lines__line")
                        .order_by("-reported_on", "-pk")),
        "may_report": projects.may_report(request.user, project)})


@roles_required(*REPORT_ROLES)
@once_per_token
def project_progress(request, pk: int):
    project = _project(request, pk)
    if not projects.may_report(request.user, project):
        raise Http404("记录不存在或您无权查看")
    lines = list(project.lines.order_by("order"))
    state = projects.project_states([project], today())[0]
    initial = {"version": project.version, "reported_on": today(), "spent_wan": state.spent_wan}
    for line_state in state.physical:
        initial[f"started_{line_state.line.pk}"] = line_state.started
        initial[f"finished_{line_state.line.pk}"] = line_state.finished
    form = ProjectProgressForm(request.POST or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _service_call(form, lambda: projects.report_progress(
                acting_user=request.user, project=project, expected_version=d["version"],
                reported_on=d["reported_on"], figures=form.figures(), spent_wan=d["spent_wan"], note=d["note"])):
            messages.success(request, "已保存项目进度。")
            return redirect("oversight:project_detail", pk=project.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"填报进度：{project.name}",
        "cancel_url": reverse("oversight:project_detail", args=[project.pk])})
