"""Scope cases of the REST API's parameterised URLs (/api/v1/...): for each record URL, a record
of the resource's own scoped queryset (inside) and any record outside it (outside), so a
record the user may not see must answer 404 whatever made it out of scope."""

from .care_scope import CARE_CASES
from .scope_cases import _person


def _resource_case(res):
    def case(user, world):
        model = res.queryset(user).model
        visible = res.queryset(user).values("pk")
        inside = res.queryset(user).order_by("pk").first()
        outside = model.objects.exclude(pk__in=visible).order_by("pk").first()
        return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if outside else None)

    return case


def _cases():
    from guanai.api.resources import RESOURCES

    cases = {f"api:{res.name}-detail": _resource_case(res) for res in RESOURCES}
    cases["api:visit"] = CARE_CASES["care:visit_detail"]
    cases["api:person"] = _person
    # The figure of the user's own area (the admin: the top area); an area out of
    # scope in the query string is tested in src/guanai/api/tests/test_scope.py.
    cases["api:metric"] = lambda user, world: ({"name": "persons_registered"}, None)
    cases["api:table"] = lambda user, world: ({"slug": "care"}, None)
    # POST only: the harness's empty POST is a 400 inside scope (no photo), a 404 outside; uploads
    # inside scope are in guanai/api/tests/test_visit_photos.py.
    cases["api:visit_photos"] = CARE_CASES["care:visit_detail"]
    return cases


API_CASES = _cases()
