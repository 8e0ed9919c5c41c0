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


def _ledger_job(user, world):
    from guanai.core.models import Job

    own = Job.objects.create(kind="ledger", label="自己的导出", user=user, status=Job.DONE)
    other_owner = world["users"]["city"] if user.username != "city" else world["users"]["county"]
    foreign = Job.objects.create(kind="ledger", label="别人的导出", user=other_owner, status=Job.DONE)
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


def _document_page(user, world):
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from guanai.archive.models import DocumentPage

    # Page 1 of each document, as a scan's page would be stored.
    inside, outside = _document(user, world)
    for kwargs in filter(None, (inside, outside)):
        if not DocumentPage.objects.filter(document_id=kwargs["pk"], number=1).exists():
            png = io.BytesIO()
            Image.new("L", (8, 8), 255).save(png, format="PNG")
            path = default_storage.save(f"archive/scope-test/{kwargs['pk']}.png", ContentFile(png.getvalue()))
            DocumentPage.objects.create(document_id=kwargs["pk"], number=1, image=path, text="扫描页")
    return {**inside, "number": 1}, ({**outside, "number": 1} if outside else None)


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


def _transfer(user, world):
    # A pending transfer between two villages of the user's own area (the city's for the
    # admin), and one in the foreign city: only staff over both villages may decide.
    from guanai.areas.models import Area
    from guanai.areas.scoping import area_filter
    from guanai.registry.models import Person, TransferRequest

    area = user.area_id or "990100000000"
    villages = list(Area.objects.filter(area_filter("pk", area), level=5).order_by("code")[:2])
    inside = None
    person = Person.objects.filter(area_id=villages[0].code).first() if villages else None
    if person is not None and len(villages) == 2:
        inside = TransferRequest.objects.create(person=person, from_area_id=villages[0].code,
                                                to_area_id=villages[1].code, common_area_id=area,
                                                reason="范围内转移", requested_by=user)
    foreign = world["foreign_person"]
    outside = TransferRequest.objects.create(person=foreign, from_area_id=foreign.area_id, to_area_id=foreign.area_id,
                                             common_area_id="990201001001", reason="外地转移",
                                             requested_by=world["users"]["admin"])
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _factcheck_job(user, world):
    # A finished long check of the user's own, and someone else's: a 404 to all but the admin.
    from guanai.core.models import Job

    result = {"rows": [], "summary": {"match": 0, "mismatch": 0, "unknown": 0}, "notice": "",
              "area": user.area_id or "990100000000", "period": "2026", "briefing": None}
    own = Job.objects.create(kind="briefing_factcheck", label="核对", user=user, status=Job.DONE, result=result)
    other_owner = world["users"]["city"] if user.username != "city" else world["users"]["county"]
    foreign = Job.objects.create(kind="briefing_factcheck", label="别人的核对", user=other_owner, status=Job.DONE,
                                 result={**result, "area": "990201001001"})
    return {"job_id": own.pk}, ({"job_id": foreign.pk} if user.role != "admin" and not user.is_superuser else None)


def _household(user, world):
    # A household of a village of the user's own area (the city's first for the admin), and the
    # foreign village's (its head 泄露检测户主 is a marker).
    from guanai.areas.models import Area
    from guanai.areas.scoping import area_filter
    from guanai.registry.models import Household, HouseholdMember

    village = Area.objects.filter(area_filter("pk", user.area_id or "990100000000"), level=5).order_by("code").first()
    inside = None
    if village is not None:
        inside = Household.objects.create(area=village, head_name="范围内户主")
        HouseholdMember.objects.create(household=inside, is_head=True, name="范围内户主")
    outside = {"pk": world["foreign_household"].pk} if user.area_id else None
    return ({"pk": inside.pk} if inside else None), outside


def _household_member(user, world):
    from guanai.registry.models import HouseholdMember

    inside, outside = _household(user, world)
    member = lambda kwargs: {"pk": HouseholdMember.objects.get(household_id=kwargs["pk"], is_head=True).pk}  # noqa: E731
    return (member(inside) if inside else None), (member(outside) if outside else None)


CASES = {
    "registry:guardian": _person,
    "registry:household_detail": _household,
    "registry:household_head": _household,
    "registry:member_create": _household,
    "registry:member_edit": _household_member,
    "briefings:factcheck_result": _factcheck_job,
    "registry:transfer_decide": _transfer,
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
    "archive:page_image": _document_page,
    "registry:screening_detail": _campaign,
    "registry:screening_report": _campaign,
    "registry:screening_export": _campaign,
    "registry:detail": _person,
    "person_file": _person,
    "registry:edit": _person,
    "registry:reveal_id": _person,
    "registry:assess": _person,
    "registry:profile": _person,
    "registry:household": _person,
    "areas:detail": _area,
    "job_detail": _job,
    "ledger_download": _ledger_job,
}

def _stats_table(user, world):
    # The national table of the user's own area (the city for the admin), and of a foreign village.
    inside, outside = _area(user, world)
    slug = "left-behind-children"
    return {**inside, "slug": slug}, ({**outside, "slug": slug} if outside else None)


CASES.update({
    "dashboards:area": _area,
    "dashboards:table": _stats_table,
    "dashboards:table_xlsx": _stats_table,
    "dashboards:table_own": lambda user, world: ({"slug": "care"}, None),
})

# Care and protection pages (tests/care_scope.py).
from .care_scope import CARE_CASES  # noqa: E402

CASES.update(CARE_CASES)

# Joint-conference pages (tests/coordination_scope.py).
from .coordination_scope import COORDINATION_CASES  # noqa: E402

CASES.update(COORDINATION_CASES)

# Supervision, assessment and projects (tests/oversight_scope.py).
from .oversight_scope import OVERSIGHT_CASES  # noqa: E402

CASES.update(OVERSIGHT_CASES)

# The REST API (tests/api_scope.py).
from .api_scope import API_CASES  # noqa: E402

CASES.update(API_CASES)


def _screening_village(user, world):
    """The city-wide round's report page for a village of the user's own area, and for a village
    of another county (its report holds 231 households and a note): a 404 to whoever may not see
    it, for a GET and for the refused POST alike."""
    from guanai.areas.models import Area
    from guanai.areas.scoping import area_filter

    campaign = world["city_round"]
    url = f"/persons/screening/{campaign.pk}/report/?village="
    post = {"households_checked": "9", "count_left_behind_child": "1", "note": "越权上报"}
    own = Area.objects.filter(area_filter("pk", user.area_id or "990100000000"), level=5).order_by("code").first()
    inside = (url + own.code, post) if own is not None else (None, None)
    outside = (url + "990102001002", post) if user.area_id and not may_see_area(user, "990102001002") else (None, None)
    return inside, outside


def _visit_recipient(user, world):
    """The visit form for a recipient the user may visit, and for one they may not: for the
    volunteer, the child whose pairing ended yesterday; for others, the foreign city's child."""
    from django.utils import timezone

    from guanai.areas.scoping import scope_queryset
    from guanai.registry.models import Person

    def post(person):
        return {"person": str(person.pk), "visit_date": timezone.localdate().isoformat(), "mode": "phone",
                "risk_level": "red", "findings": "越权走访"}

    url = "/care/visits/create/?person="
    mine = scope_queryset(Person.objects.all(), user).order_by("pk").first()
    inside = (url + str(mine.pk), post(mine)) if mine is not None else (None, None)
    if user.role == "volunteer":
        stranger = world["ended_child"]
    else:
        stranger = world["foreign_person"] if user.area_id else None
    outside = (url + str(stranger.pk), post(stranger)) if stranger is not None else (None, None)
    return inside, outside


# URL name -> case for pages that take an area or a record from the query string:
# (user, world) -> ((inside url, post data), (outside url, post data)), url None when none.
QUERY_CASES = {
    "registry:screening_report": _screening_village,
    "care:visit_create": _visit_recipient,
}


def must_not_show(user, world) -> list[str]:
    """Marker strings of records outside the user's scope."""
    markers = [name for code, name in world["markers"] if not may_see_area(user, code)]
    if user.role == "volunteer":
        markers += world["not_for_volunteer"]
    return markers
