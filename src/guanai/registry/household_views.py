"""Household pages (issue 15.6): list, create from a village, the household with its head, members
and guardians, edit the head or a member, a child's guardian. Thin: the work is in households.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from guanai.accounts.access import roles_required
from guanai.areas.scoping import get_scoped_or_404, in_area
from guanai.core.forms import add_validation_errors
from guanai.core.idempotency import once_per_token
from guanai.core.pagination import paginate
from guanai.core.validation import parse_pk

from . import categories as cat
from . import households
from .forms import AddPersonForm, GuardianForm, HeadForm, HouseholdForm, MemberForm
from .models import Guardian, Household, HouseholdMember, Person
from .services import ConflictError, persons_for
from .views import RECORD_ROLES


def _save(form, call) -> bool:
    """Run a service call, putting its errors (and a stale edit) on ``form``; True when saved."""
    try:
        call()
    except ConflictError as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        add_validation_errors(form, exc)
    else:
        return True
    return False


@roles_required(*RECORD_ROLES)
def household_list(request):
    found = households.households_for(request.user).select_related("area", "area__parent")
    area = request.GET.get("area", "").strip()
    if area:
        found = in_area(found, area)
    q = request.GET.get("q", "").strip()
    if q:
        found = found.filter(head_name__startswith=q)
    page = paginate(request, found.order_by("area_id", "head_name", "pk"), 50)
    return render(request, "registry/household_list.html", {"page": page, "q": q})


@roles_required(*RECORD_ROLES)
@once_per_token
def household_create(request):
    form = HouseholdForm(request.POST or None, user=request.user,
                         initial={"area": request.GET.get("area") or request.user.area_id})
    if request.method == "POST" and form.is_valid():
        result = {}
        data = form.values()
        if _save(form, lambda: result.update(household=households.create_household(
                user=request.user, area_code=data.pop("area"), address=data.pop("address"), head=data))):
            household = result["household"]
            messages.success(request, f"已建立{household}。可继续添加家庭成员和监护人。")
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "新建家庭户", "submit_label": "建立家庭户",
                                                   "cancel_url": reverse("registry:households")})


def _candidates(user, household):
    """Persons on file of the household's village not yet in a household."""
    return persons_for(user).filter(area_id=household.area_id, household=None, status=Person.ACTIVE).order_by("name")[:300]


@roles_required(*RECORD_ROLES)
@once_per_token
def household_detail(request, pk: int):
    """The household; its POST puts a person on file in it."""
    household = get_scoped_or_404(Household.objects.select_related("area", "area__parent"), request.user, pk=pk)
    candidates = list(_candidates(request.user, household))
    add_form = AddPersonForm(request.POST or None, persons=candidates, initial={"version": household.version},
                             prefix="add")
    if request.method == "POST" and add_form.is_valid():
        person = next(p for p in candidates if str(p.pk) == add_form.cleaned_data["person"])
        if _save(add_form, lambda: households.add_person(
                user=request.user, household=household, expected_version=add_form.cleaned_data["version"],
                person=person, relation=add_form.cleaned_data["relation_to_head"])):
            messages.success(request, f"已将{person.name}加入{household}。")
            return redirect("registry:household_detail", pk=household.pk)
    in_care = list(persons_for(request.user).filter(household=household).prefetch_related("categories")
                   .order_by("name"))
    for person in in_care:
        person.is_child = bool({c.category for c in person.categories.all()} & cat.CHILD_CATEGORIES)
        person.the_guardian = Guardian.objects.filter(child=person).select_related("member", "person").first() \
            if person.is_child else None
    others = list(households.members_for(request.user).filter(household=household))
    return render(request, "registry/household_detail.html", {
        "household": household, "head": next((m for m in others if m.is_head), None),
        "head_on_file": next((p for p in in_care if p.relation_to_head == "head"), None),
        "in_care": in_care, "others": [m for m in others if not m.is_head], "add_form": add_form,
    })


@roles_required(*RECORD_ROLES)
@once_per_token
def household_head(request, pk: int):
    household = get_scoped_or_404(Household.objects.all(), request.user, pk=pk)
    head = household.others.filter(is_head=True).first()
    initial = {"version": household.version, "address": household.address}
    if head is not None:
        initial.update(name=head.name, relation=head.relation, phone=head.phone, away_for_work=head.away_for_work,
                       away_place=head.away_place)
    form = HeadForm(request.POST or None, initial=initial)
    if head is not None and head.id_number_masked:
        form.fields["id_number"].help_text = f"已登记：{head.id_number_masked}；不改请留空"
    if request.method == "POST" and form.is_valid():
        data = form.values()
        address = data.pop("address")
        if not data["id_number"]:
            data.pop("id_number")  # blank keeps the ID on file
        if _save(form, lambda: households.save_head(user=request.user, household=household,
                                                    expected_version=form.cleaned_data["version"], head=data,
                                                    address=address)):
            messages.success(request, "户主信息已保存。")
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"户主信息：{household}",
        "cancel_url": reverse("registry:household_detail", args=[household.pk])})


@roles_required(*RECORD_ROLES)
@once_per_token
def member_create(request, pk: int):
    household = get_scoped_or_404(Household.objects.all(), request.user, pk=pk)
    form = MemberForm(request.POST or None, initial={"version": household.version})
    if request.method == "POST" and form.is_valid():
        if _save(form, lambda: households.add_member(user=request.user, household=household,
                                                     expected_version=form.cleaned_data["version"],
                                                     data=form.values())):
            messages.success(request, f"已添加家庭成员{form.cleaned_data['name']}。")
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"添加家庭成员：{household}", "submit_label": "添加",
        "cancel_url": reverse("registry:household_detail", args=[household.pk])})


@roles_required(*RECORD_ROLES)
@once_per_token
def member_edit(request, pk: int):
    """Edit a member not in care; POST action=remove takes them out of the household."""
    member = get_scoped_or_404(HouseholdMember.objects.select_related("household"), request.user, pk=pk)
    household = member.household
    if request.method == "POST" and request.POST.get("action") == "remove":
        try:
            households.remove_member(user=request.user, member=member,
                                     expected_version=parse_pk(request.POST.get("version")))
        except (ConflictError, ValidationError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"已将{member.name}移出家庭户。")
        return redirect("registry:household_detail", pk=household.pk)
    form = MemberForm(request.POST or None, initial={
        "version": household.version, "name": member.name, "relation": member.relation, "phone": member.phone,
        "away_for_work": member.away_for_work, "away_place": member.away_place})
    if member.id_number_masked:
        form.fields["id_number"].help_text = f"已登记：{member.id_number_masked}；不改请留空"
    if request.method == "POST" and form.is_valid():
        data = form.values()
        if not data["id_number"]:
            data.pop("id_number")
        if _save(form, lambda: households.update_member(user=request.user, member=member,
                                                        expected_version=form.cleaned_data["version"], data=data)):
            messages.success(request, f"{member.name}的信息已保存。")
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"{'户主' if member.is_head else '家庭成员'}：{member.name}",
        "cancel_url": reverse("registry:household_detail", args=[household.pk])})


@roles_required(*RECORD_ROLES)
@once_per_token
def person_guardian(request, pk: int):
    """A child's guardian: chosen from the household or entered."""
    child = get_scoped_or_404(Person.objects.select_related("household"), request.user, pk=pk)
    current = Guardian.objects.filter(child=child).first()
    initial = {"version": child.version}
    if current is not None:
        initial.update(relation=current.relation, guardianship_type=current.guardianship_type,
                       chosen=f"m{current.member_id}" if current.member_id else
                       f"p{current.person_id}" if current.person_id else "",
                       name=current.name, phone=current.phone)
    form = GuardianForm(request.POST or None, choices=households.guardian_choices(request.user, child),
                        initial=initial)
    back = (reverse("registry:household_detail", args=[child.household_id]) if child.household_id
            else reverse("registry:detail", args=[child.pk]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(form, lambda: households.set_guardian(
                user=request.user, child=child, expected_version=data["version"], chosen=data["chosen"],
                name=data["name"], phone=data["phone"], relation=data["relation"],
                guardianship_type=data["guardianship_type"])):
            messages.success(request, f"{child.name}的监护人已保存。")
            return redirect(back)
    return render(request, "core/form_page.html", {"form": form, "title": f"监护人：{child.name}",
                                                   "cancel_url": back})
