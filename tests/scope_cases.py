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


def _document(user, world):
    from guanai.archive.models import Document
    from guanai.archive.services import store_document

    # A document in the user's own area (the city's for the admin), and one in a foreign village.
    inside, _created = store_document("范围内档案.txt", f"范围内档案：{user.username}".encode(),
                                      area=user.area_id or "990100000000", title="范围内档案")
    outside = Document.objects.get(title="泄露检测档案")
    return {"pk": inside.pk}, ({"pk": outside.pk} if user.area_id else None)


def _person_import_job(user, world):
    # A persons import job of the user's own (a finished preview with one error row) and
    # one of someone else: the latter is a 404 to everyone but the admin.
    from guanai.core.models import Job

    params = {"kind": "persons", "path": "/nonexistent/upload.xlsx", "dry_run": True, "options": {}}
    result = {"created": 1, "updated": 0, "unchanged": 0, "committed": False,
              "errors": [{"row": 3, "column": "身份证号", "message": "身份证号码校验位错误"}]}
    own = Job.objects.create(kind="import", label="导入人员（预览）", user=user, status=Job.DONE,
                             params=params, result=result)
    other_owner = world["users"]["city"] if user.username != "city" else world["users"]["county"]
    foreign = Job.objects.create(kind="import", label="别人的导入", user=other_owner, status=Job.DONE,
                                 params=params, result=result)
    return {"job_id": own.pk}, ({"job_id": foreign.pk} if user.role != "admin" and not user.is_superuser else None)



def _briefing(user, world):
    # A briefing of the user's own area (the city's for the admin; published for a leader,
    # who reads only published ones), and the foreign city's.
    from guanai.briefings.models import Briefing

    status = "published" if user.role == "leader" else "draft"
    inside = Briefing.objects.create(kind="jianbao", area_id=user.area_id or "990100000000", period_key="2026Q1",
                                     title="范围内简报", office_name="本地办公室", status=status,
                                     body=[{"type": "p", "runs": [{"t": "范围内简报正文。"}]}])
    outside = Briefing.objects.get(title="泄露检测简报")
    return {"pk": inside.pk}, ({"pk": outside.pk} if user.area_id else None)


def _briefing_export(user, world):
    inside, outside = _briefing(user, world)
    return {**inside, "fmt": "docx"}, ({**outside, "fmt": "docx"} if outside else None)


CASES = {
    "briefings:detail": _briefing,
    "briefings:edit": _briefing,
    "briefings:recompute": _briefing,
    "briefings:publish": _briefing,
    "briefings:check": _briefing,
    "briefings:export": _briefing_export,
    "registry:import_job": _person_import_job,
    "registry:import_commit": _person_import_job,
    "registry:import_errors": _person_import_job,
    "archive:detail": _document,
    "archive:original": _document,
    "registry:screening_detail": _campaign,
    "registry:screening_report": _campaign,
    "registry:detail": _person,
    "registry:edit": _person,
    "registry:reveal_id": _person,
    "registry:assess": _person,
    "registry:profile": _person,
    "registry:household": _person,
    "areas:detail": _area,
    "job_detail": _job,
}

# Care and protection pages (tests/care_scope.py).
from .care_scope import CARE_CASES  # noqa: E402

CASES.update(CARE_CASES)


def must_not_show(user, world) -> list[str]:
    """Marker strings of records outside the user's scope."""
    return [name for code, name in world["markers"] if not may_see_area(user, code)]
