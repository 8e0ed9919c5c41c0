from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.core.pagination import CappedPaginator
from guanai.core.forms import add_validation_errors

from . import categories as cat
from . import services
from .forms import AssessmentForm, ChildProfileForm, ElderProfileForm, PersonForm
from .models import Person, RiskAssessment

# Who works with personal records; volunteers see their paired recipients once pairings exist.
RECORD_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
PAGE_SIZE = 50


def _filters(request) -> dict:
    get = request.GET
    return {
        "q": get.get("q", "").strip(),
        "area": get.get("area", "").strip() or None,
        "category": get.get("category") or None,
        "risk": get.get("risk") or None,
        "status": get.get("status", Person.ACTIVE) or None,
    }


def _page(request, queryset):
    queryset = queryset.select_related("area").prefetch_related("categories").order_by("area_id", "name", "pk")
    return CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@roles_required(*RECORD_ROLES)
def person_list(request):
    filters = _filters(request)
    queryset = services.search_persons(request.user, filters["q"], area=filters["area"],
                                       category=filters["category"], risk=filters["risk"], status=filters["status"])
    context = {"page": _page(request, queryset), "filters": filters, "category_choices": cat.CATEGORY_CHOICES,
               "risk_choices": RiskAssessment.LEVELS, "title": "人员档案", "query_string": request.GET.urlencode()}
    template = "registry/person_rows.html" if request.headers.get("HX-Request") else "registry/person_list.html"
    return render(request, template, context)


@roles_required(*RECORD_ROLES)
def guardianship_list(request):
    queryset = services.without_effective_guardianship(request.user)
    return render(request, "registry/person_list.html", {
        "page": _page(request, queryset), "title": "缺乏有效监护的儿童", "filters": None})


@roles_required(*RECORD_ROLES)
def aging_out_list(request):
    queryset = services.about_to_age_out(request.user)
    return render(request, "registry/person_list.html", {
        "page": _page(request, queryset), "title": "即将年满16周岁的留守儿童（90天内）", "filters": None})


@roles_required(*RECORD_ROLES)
def person_detail(request, pk: int):
    person = get_scoped_or_404(Person.objects.select_related("area", "area__parent", "household"), request.user, pk=pk)
    record(AuditEvent.VIEW, user=request.user, obj=person, request=request)
    timeline = AuditEvent.objects.filter(object_type="registry.person", object_id=str(person.pk)).order_by("-at")[:50]
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
        "child": getattr(person, "child_profile", None),
        "elder": getattr(person, "elder_profile", None),
        "may_reveal": services.may_see_full_id(request.user) and bool(person.id_number_encrypted),
        "age_problems": services.category_age_problems([c.category for c in person.categories.all()], person.birth_date),
    }
    return render(request, "registry/person_detail.html", context)


@roles_required(*RECORD_ROLES)
@require_POST
def person_reveal_id(request, pk: int):
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    return HttpResponse(services.reveal_id_number(request.user, person))


@roles_required(*RECORD_ROLES)
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
                                                   "cancel_url": reverse("registry:list")})


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
                                                   "cancel_url": reverse("registry:detail", args=[person.pk])})


@roles_required(*RECORD_ROLES)
def person_assess(request, pk: int):
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    form = AssessmentForm(request.POST or None, initial={"assessed_on": date.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["assessed_on"] > date.today():
            form.add_error("assessed_on", "评估日期不能晚于今天")
        else:
            scores = {code: data[code] for code, _label in RiskAssessment.DIMENSIONS}
            assessment = services.assess_risk(user=request.user, person=person, assessed_on=data["assessed_on"],
                                              scores=scores, flags=data["flags"], note=data["note"])
            messages.success(request, f"评估已保存，风险等级：{assessment.get_level_display()}。")
            return redirect("registry:detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"风险评估：{person.name}",
                                                   "submit_label": "保存评估",
                                                   "cancel_url": reverse("registry:detail", args=[person.pk])})


@roles_required(*RECORD_ROLES)
def duplicate_list(request):
    from .duplicates import probable_duplicates

    return render(request, "registry/duplicates.html", {"groups": probable_duplicates(request.user)})


@roles_required(*RECORD_ROLES)
@require_POST
def duplicate_merge(request):
    from .duplicates import merge_persons

    try:
        keep = get_scoped_or_404(Person.objects.all(), request.user, pk=int(request.POST.get("keep", 0)))
        duplicate = get_scoped_or_404(Person.objects.all(), request.user, pk=int(request.POST.get("duplicate", 0)))
    except ValueError:
        messages.error(request, "请选择要合并的两份档案。")
        return redirect("registry:duplicates")
    try:
        merge_persons(user=request.user, keep=keep, duplicate=duplicate)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("registry:duplicates")
    messages.success(request, f"已将重复档案合并至{keep.name}（编号{keep.pk}）。")
    return redirect("registry:detail", pk=keep.pk)


@roles_required(*RECORD_ROLES)
def person_profile(request, pk: int):
    """The category form: the national child registration form, or the elderly person's form."""
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    codes_ = set(person.categories.values_list("category", flat=True))
    if codes_ & cat.CHILD_CATEGORIES:
        form_class, instance, title = ChildProfileForm, getattr(person, "child_profile", None), "儿童信息"
    elif codes_ & cat.ELDER_CATEGORIES:
        form_class, instance, title = ElderProfileForm, getattr(person, "elder_profile", None), "老人信息"
    else:
        messages.info(request, "该人员的类别无需填写专项信息。")
        return redirect("registry:detail", pk=person.pk)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_profile(user=request.user, person=person, form=form)
        messages.success(request, f"{title}已保存。")
        return redirect("registry:detail", pk=person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"{title}：{person.name}",
                                                   "cancel_url": reverse("registry:detail", args=[person.pk])})


@roles_required(*RECORD_ROLES)
@require_POST
def person_household(request, pk: int):
    """Household actions from a person's page: open one, add a member found by name, leave."""
    person = get_scoped_or_404(Person.objects.all(), request.user, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "create":
            services.create_household(user=request.user, head=person)
            messages.success(request, f"已建立以{person.name}为户主的家庭户。")
        elif action == "add":
            if not person.household_id:
                raise ValidationError("请先建立家庭户")
            try:
                member = get_scoped_or_404(Person.objects.all(), request.user, pk=int(request.POST.get("member", "")))
            except ValueError:
                raise ValidationError("请选择要加入的人员") from None
            services.add_to_household(user=request.user, household=person.household, person=member,
                                      relation=request.POST.get("relation", ""))
            messages.success(request, f"已将{member.name}加入家庭户。")
        elif action == "remove":
            services.remove_from_household(user=request.user, person=person)
            messages.success(request, f"已将{person.name}移出家庭户。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("registry:detail", pk=person.pk)
