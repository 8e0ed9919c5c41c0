"""A person's file (档案) as it is printed: profile, household, risk history, visits and cases on
one page. It lives here, above registry, care and protection, because it shows all three."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import render

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.scoping import scope_queryset
from guanai.care.models import Visit
from guanai.protection.models import Case
from guanai.registry.models import Person
from guanai.registry.selectors import person_for_view

FILE_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
LIMIT = 200  # a file prints a person's latest records; older ones stay on the lists


@roles_required(*FILE_ROLES)
def person_file(request, pk: int):
    user = request.user
    person = person_for_view(user, pk, detail="打印档案")  # the sight audited, as the person's page
    visits = Visit.objects.filter(Q(person=person) | Q(household_id=person.household_id) if person.household_id
                                  else Q(person=person))
    context = {
        "person": person,
        "categories": list(person.categories.all()),
        "child": getattr(person, "child_profile", None),
        "elder": getattr(person, "elder_profile", None),
        "household_members": list(scope_queryset(Person.objects.filter(household_id=person.household_id), user)
                                  .exclude(pk=person.pk).order_by("name")) if person.household_id else [],
        "assessments": list(person.assessments.all()[:LIMIT]),
        "visits": list(scope_queryset(visits, user).select_related("person", "household").prefetch_related(
            "aid_items").order_by("-visit_date", "-pk")[:LIMIT]),
        "cases": list(scope_queryset(Case.objects.filter(child=person), user).prefetch_related("steps")
                      .order_by("-reported_at")[:LIMIT]),
        "print_area": person.area.full_name,
    }
    return render(request, "portal/person_file.html", context)
