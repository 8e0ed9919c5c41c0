"""How the scope harness fills each URL's parameters: for a user, a record
inside their scope and one outside it. Every parameterised URL needs an entry;
the harness fails on a URL it cannot fill, so new pages are never left untested.

Each entry maps a URL name to a function (user, world) -> (inside_kwargs, outside_kwargs),
either of which may be None when the user has no such record.
"""

from guanai.areas.scoping import may_see_area


def _area(user, world):
    inside = {"code": user.area_id} if user.area_id else {"code": "990100000000"}
    outside = {"code": world["foreign_village"].code} if user.area_id else None
    return inside, outside


def _job(user, world):
    from guanai.core.models import Job

    own = Job.objects.create(kind="import", label="自己的任务", user=user, status=Job.DONE)
    other_owner = world["users"]["city"] if user.username != "city" else world["users"]["county"]
    foreign = Job.objects.create(kind="import", label="别人的任务", user=other_owner, status=Job.DONE)
    return {"pk": own.pk}, ({"pk": foreign.pk} if user.role != "admin" and not user.is_superuser else None)


def _person(user, world):
    from guanai.registry.models import Person

    from guanai.areas.scoping import area_filter

    # A person in the user's own area (any person for the admin), and one in a foreign city.
    inside = Person.objects.filter(area_filter("area", user.area_id or "990100000000")).first()
    outside = {"pk": world["foreign_person"].pk} if user.area_id else None
    return ({"pk": inside.pk} if inside else None), outside


def _campaign(user, world):
    from guanai.registry.models import ScreeningCampaign

    inside = ScreeningCampaign.objects.create(name="本市排查", area_id="990100000000", start_date="2026-01-01",
                                              end_date="2026-03-31", categories=["left_behind_child"])
    outside = ScreeningCampaign.objects.get(name="泄露检测排查")
    return {"pk": inside.pk}, ({"pk": outside.pk} if user.area_id else None)


CASES = {
    "registry:screening_detail": _campaign,
    "registry:screening_report": _campaign,
    "registry:detail": _person,
    "registry:edit": _person,
    "registry:reveal_id": _person,
    "registry:assess": _person,
    "registry:profile": _person,
    "areas:detail": _area,
    "job_detail": _job,
}


def must_not_show(user, world) -> list[str]:
    """Marker strings of records outside the user's scope."""
    return [name for code, name in world["markers"] if not may_see_area(user, code)]
