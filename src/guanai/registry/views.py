
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guanai.core import clock
from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import own_job_or_404, roles_required
from guanai.areas import codes
from guanai.areas.scoping import area_problem, get_scoped_or_404, scope_queryset
from guanai.core.pagination import keyset_page, list_query, paginate
from guanai.core.forms import add_validation_errors
from guanai.core.validation import parse_pk
from guanai.stats.tallies import current_figure

from .listing import person_filters
from . import categories as cat
from . import households, selectors, services
from .forms import AssessmentForm, ChildProfileForm, ElderProfileForm, PersonForm
from .models import Guardian, HouseholdMember, Person, RiskAssessment

# Who works with personal records; volunteers see their paired recipients once pairings exist.
RECORD_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
PAGE_SIZE = 50


def _filters(request) -> dict:
    return person_filters(request.GET)


def _with_row_details(queryset):
    """What a row of a person list shows besides the person: the village, its township and
    county (names), the categories; fetched with the page, not one query per row."""
    return queryset.select_related("area", "area__parent__parent").prefetch_related("categories")


def _page(request, queryset):
    return paginate(request, _with_row_details(queryset).order_by("area_id", "name", "pk"), PAGE_SIZE)


@roles_required(*RECORD_ROLES)
def person_list(request):
    filters = _filters(request)
    title, pk_ranges = "人员档案", None
    if filters["import_job"]:
        # The persons an import created: its job's own user (or the admin) only, and still scoped.
        job = own_job_or_404(request.user, int(filters["import_job"]), kind="import", params__kind="persons")
        pk_ranges = (job.result or {}).get("created_ranges") or []
        title = f"本次导入新增的人员（{job.label}）"
    queryset = services.search_persons(request.user, filters["q"], area=filters["area"],
                                       category=filters["category"], risk=filters["risk"], status=filters["status"],
                                       pk_ranges=pk_ranges)
    area_error = area_problem(request.user, filters["area"], label="地区")[1] if filters["area"] else None
    kept = None if pk_ranges is not None or area_error else _kept_figure(filters)
    page = _counted_page(request, queryset, *kept) if kept else _page(request, queryset)
    context = {"page": page, "filters": filters, "area_error": area_error, "category_choices": cat.CATEGORY_CHOICES,
               "risk_choices": RiskAssessment.LEVELS, "title": title, "query_string": list_query(request),
               "may_full_id": services.may_see_full_id(request.user)}
    context["oob"] = bool(request.headers.get("HX-Request"))  # the export buttons follow the filters
    template = "registry/person_rows.html" if context["oob"] else "registry/person_list.html"
    return render(request, template, context)


def _counted_page(request, queryset, metric: str, params: dict | None = None, area: str | None = None):
    """A list whose count is a metric of today (the home card's figure): a village's or a township's
    counted and numbered; a county's and above read by keyset, the count the metric's (kept).
    ``area``: the list's area filter, already known to be within the user's jurisdiction."""
    scope = area or request.user.area_id
    if scope and len(codes.prefix_of(scope)) >= 9:
        return _page(request, queryset)
    page = keyset_page(request, _with_row_details(queryset), ("area_id", "name", "pk"), PAGE_SIZE)
    page.paginator.count = current_figure(metric, scope, **(params or {}))
    return page


def _kept_figure(filters: dict) -> tuple[str, dict, str | None] | None:
    """The metric (name, parameters, area) whose figure is the count of the person list under
    these filters, when one is: persons on file by category and risk, in the user's area or an
    area of it (the caller has checked the area filter). None for a search or another status."""
    if filters["q"] or filters["status"] != Person.ACTIVE:
        return None
    if filters["category"] and filters["category"] not in cat.CATEGORY_LABELS:
        return None
    if filters["risk"] and filters["risk"] not in dict(RiskAssessment.LEVELS):
        return None
    if filters["risk"]:
        return "persons_at_risk", {"level": filters["risk"], "category": filters["category"]}, filters["area"]
    return "persons_registered", {"category": filters["category"]}, filters["area"]


@roles_required(*RECORD_ROLES)
def guardianship_list(request):
    queryset = services.without_effective_guardianship(request.user)
    return render(request, "registry/person_list.html", {
        "page": _counted_page(request, queryset, "children_without_guardianship"), "title": "缺乏有效监护的儿童",
        "filters": None})


@roles_required(*RECORD_ROLES)
def aging_out_list(request):
    queryset = services.about_to_age_out(request.user)
    return render(request, "registry/person_list.html", {
        "page": _counted_page(request, queryset, "children_aging_out"), "title": "即将年满16周岁的留守儿童（90天内）",
        "filters": None})


@roles_required(*RECORD_ROLES)
def person_detail(request, pk: int):
    person = selectors.person_for_view(request.user, pk)
    timeline = selectors.person_timeline(person)
    context = {
        "person": person,
        "categories": list(person.categories.all()),
        "assessments": list(person.assessments.all()[:20]),
        "timeline": timeline,
        "household_members": list(services.persons_for(request.user).filter(household_id=person.household_id)
                                  .exclude(pk=person.pk).order_by("name")) if person.household_id else [],
        "same_village": list(services.persons_for(request.user).filter(area_id=person.area_id, household=None,
                                                                       status=Person.ACTIVE)
                             .exclude(pk=person.pk).order_by("name")[:200]) if person.household_id else [],
        "relation_choices": [c for c in Person.RELATION_CHOICES if c[0] != "head"],
        # The household's members not in care (its head among them) and the child's guardian.
        "household_others": list(scope_queryset(HouseholdMember.objects.filter(household_id=person.household_id),
                                                request.user)) if person.household_id else [],
        "guardian": Guardian.objects.filter(child=person).select_related("member", "person").first(),
        "is_child": services.profile_kind(person) == "child",
        "child": getattr(person, "child_profile", None),
        "elder": getattr(person, "elder_profile", None),
        "may_reveal": services.may_see_full_id(request.user) and bool(person.id_number_encrypted),
        "age_problems": cat.age_problems([c.category for c in person.categories.all()], person.birth_date),
    }
    return render(request, "registry/person_detail.html", context)


@roles_required(*RECORD_ROLES)
@require_POST
def person_reveal_id(request, pk: int):
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    return HttpResponse(services.reveal_id_number(request.user, person))


@roles_required(*RECORD_ROLES)
@once_per_token
def person_create(request):
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(user=request.user, area_code=data["area"], data=data,
                                            categories=data["categories"], id_number=data["id_number"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已为{person.name}建档。")
            return redirect("registry:detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建档案",
                                                   "cancel_url": reverse("registry:list"),
                                                   "transfer_offer": _transfer_offer(form)})


def _transfer_offer(form) -> dict | None:
    """When the ID number is on file where the user cannot see it: what the transfer request
    form is to be opened with (the number goes by POST, never in a URL)."""
    if form.is_bound and form.has_error("id_number", code="registered_elsewhere"):
        return {"id_number": form.data.get("id_number", ""), "to_area": form.data.get("area", "")}
    return None


@roles_required(*RECORD_ROLES)
def person_edit(request, pk: int):
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    initial = {field: getattr(person, field) for field in services.PERSON_FIELDS if hasattr(person, field)}
    initial.update(area=person.area_id, version=person.version, id_number=person.id_number_masked,
                   categories=list(person.categories.values_list("category", flat=True)))
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The masked number shown in the form means "unchanged".
        id_number = None if data["id_number"] == person.id_number_masked else data["id_number"]
        try:
            services.update_person(user=request.user, person=person, expected_version=data["version"] or 0,
                                   data=data, categories=data["categories"], id_number=id_number,
                                   area_code=data["area"])
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("registry:detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"编辑：{person.name}",
                                                   "cancel_url": reverse("registry:detail", args=[person.pk]),
                                                   "transfer_offer": _transfer_offer(form)})


@roles_required(*RECORD_ROLES)
@once_per_token
def person_assess(request, pk: int):
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    form = AssessmentForm(request.POST or None, initial={"assessed_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scores = {code: data[code] for code, _label in RiskAssessment.DIMENSIONS}
        try:
            assessment = services.assess_risk(user=request.user, person=person, assessed_on=data["assessed_on"],
                                              scores=scores, flags=data["flags"], note=data["note"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"评估已保存，风险等级：{assessment.get_level_display()}。")
            return redirect("registry:detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"风险评估：{person.name}",
                                                   "submit_label": "保存评估",
                                                   "cancel_url": reverse("registry:detail", args=[person.pk])})


@roles_required(*RECORD_ROLES)
def duplicate_list(request):
    from .duplicates import ID_REASON, LIMIT, NAME_REASON, probable_duplicates

    groups = probable_duplicates(request.user, limit=LIMIT)
    # The note that more follow: when a kind filled its share, not when both kinds together did.
    more = any(sum(g.reason == reason for g in groups) >= LIMIT for reason in (ID_REASON, NAME_REASON))
    return render(request, "registry/duplicates.html", {"groups": groups, "limit": LIMIT, "more": more})


@roles_required(*RECORD_ROLES)
@require_POST
def duplicate_merge(request):
    from .duplicates import merge_persons

    keep_pk, duplicate_pk = parse_pk(request.POST.get("keep")), parse_pk(request.POST.get("duplicate"))
    if not (keep_pk and duplicate_pk):
        messages.error(request, "请选择要合并的两份档案。")
        return redirect("registry:duplicates")
    keep = get_scoped_or_404(Person.objects.all(), request.user, pk=keep_pk)
    duplicate = get_scoped_or_404(Person.objects.all(), request.user, pk=duplicate_pk)
    try:
        merge_persons(user=request.user, keep=keep, duplicate=duplicate)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("registry:duplicates")
    messages.success(request, f"已将重复档案合并至{keep.name}（编号{keep.pk}）。")
    return redirect("registry:detail", pk=keep.pk)


@roles_required(*RECORD_ROLES)
@once_per_token
def person_profile(request, pk: int):
    """The category form: the national child registration form, or the elderly person's form."""
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    kind = services.profile_kind(person)
    if kind == "child":
        form_class, instance, title = ChildProfileForm, getattr(person, "child_profile", None), "儿童信息"
    elif kind == "elder":
        form_class, instance, title = ElderProfileForm, getattr(person, "elder_profile", None), "老人信息"
    else:
        messages.info(request, "该人员的类别无需填写专项信息。")
        return redirect("registry:detail", pk=person.pk)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(user=request.user, person=person, data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"{title}已保存。")
            return redirect("registry:detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"{title}：{person.name}",
                                                   "cancel_url": reverse("registry:detail", args=[person.pk])})


@roles_required(*RECORD_ROLES)
@require_POST
@once_per_token
def person_household(request, pk: int):
    """Household actions from a person's page: open one, add a member found by name, leave."""
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "create":
            services.create_household_for_person(user=request.user, head=person)
            messages.success(request, f"已建立以{person.name}为户主的家庭户。")
        elif action == "add":
            if not person.household_id:
                raise ValidationError("请先建立家庭户")
            if not parse_pk(request.POST.get("member")):
                raise ValidationError("请选择要加入的人员")
            member = get_scoped_or_404(Person.objects.all(), request.user, pk=parse_pk(request.POST.get("member")))
            # No household form on this page: no version to compare, the household's is bumped.
            households.add_person(user=request.user, household=person.household, expected_version=None,
                                  person=member, relation=request.POST.get("relation", ""))
            messages.success(request, f"已将{member.name}加入家庭户。")
        elif action == "remove":
            services.remove_from_household(user=request.user, person=person)
            messages.success(request, f"已将{person.name}移出家庭户。")
    except services.ConflictError as exc:  # the household went meanwhile
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("registry:detail", pk=person.pk)
