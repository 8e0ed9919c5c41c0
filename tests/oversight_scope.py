"""Scope cases and marker records of supervision, assessment and projects (see scope_cases.py).

``build_world`` puts a supervision round with a rectification item and its evidence, an
assessment scheme with a score and a project in the foreign city (990200000000), and an
item and a project in a village of the neighbouring township (990101002099), each with
unique marker text; the harness fails if a page shows one to a user whose area does not
contain it.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.scoping import scope_queryset

from .care_scope import PNG

FOREIGN_CITY, FOREIGN_TOWNSHIP, NEIGHBOUR_VILLAGE = "990200000000", "990201001000", "990101002099"


def build_world(foreign_unit) -> list[tuple[str, str]]:
    from guanai.coordination.models import (AssessmentIndicator, AssessmentScheme, AssessmentScore, Project,
                                            ProjectLine, RectificationEvidence, RectificationItem, SupervisionRound)

    day = timezone.localdate()
    foreign = SupervisionRound.objects.create(title="泄露检测督导", area_id=FOREIGN_CITY, started_on=day - timedelta(days=30),
                                              ended_on=day - timedelta(days=29), methods=["documents"],
                                              findings="泄露检测督导发现")
    item = RectificationItem.objects.create(round=foreign, number=1, problem="泄露检测整改问题",
                                            responsible_area_id=FOREIGN_TOWNSHIP, area_id=FOREIGN_TOWNSHIP,
                                            deadline=day - timedelta(days=1))
    RectificationItem.objects.create(round=foreign, number=2, problem="泄露检测单位整改问题",
                                     responsible_unit=foreign_unit, area_id=foreign_unit.area_id,
                                     deadline=day - timedelta(days=1))
    evidence = RectificationEvidence(item=item, name="泄露检测佐证.png", content_type="image/png", size=len(PNG))
    evidence.file.save("marker.png", ContentFile(PNG), save=True)
    scheme = AssessmentScheme.objects.create(title="泄露检测考核", year=day.year - 1, area_id=FOREIGN_CITY,
                                             subject="township", total_points=100)
    indicator = AssessmentIndicator.objects.create(scheme=scheme, order=1, name="泄露检测指标", points=Decimal(10),
                                                   rule="manual")
    AssessmentScore.objects.create(scheme=scheme, indicator=indicator, township_id=FOREIGN_TOWNSHIP,
                                   area_id=FOREIGN_TOWNSHIP, score=Decimal(8), source="entered",
                                   note="泄露检测评分说明")
    project = Project.objects.create(name="泄露检测项目", area_id=FOREIGN_CITY, planned_start=day - timedelta(days=10),
                                     planned_end=day + timedelta(days=100))
    ProjectLine.objects.create(project=project, order=1, action="改建", subject="泄露检测圈舍", measure="户",
                               planned=Decimal(10))
    city_round = SupervisionRound.objects.filter(area_id="990100000000").order_by("-started_on").first()
    RectificationItem.objects.create(round=city_round, number=99, problem="邻镇检测整改问题",
                                     responsible_area_id=NEIGHBOUR_VILLAGE, area_id=NEIGHBOUR_VILLAGE,
                                     deadline=day - timedelta(days=2))
    neighbour = Project.objects.create(name="邻镇检测项目", area_id=NEIGHBOUR_VILLAGE,
                                       planned_start=day - timedelta(days=10), planned_end=day + timedelta(days=100))
    ProjectLine.objects.create(project=neighbour, order=1, action="新建", subject="邻镇检测道路", measure="公里",
                               planned=Decimal(3))
    return [(FOREIGN_CITY, "泄露检测督导"), (FOREIGN_TOWNSHIP, "泄露检测整改问题"), (FOREIGN_CITY, "泄露检测单位整改问题"),
            (FOREIGN_TOWNSHIP, "泄露检测佐证"), (FOREIGN_CITY, "泄露检测考核"), (FOREIGN_CITY, "泄露检测指标"),
            (FOREIGN_TOWNSHIP, "泄露检测评分说明"), (FOREIGN_CITY, "泄露检测项目"), (FOREIGN_CITY, "泄露检测圈舍"),
            (NEIGHBOUR_VILLAGE, "邻镇检测整改问题"), (NEIGHBOUR_VILLAGE, "邻镇检测项目"),
            (NEIGHBOUR_VILLAGE, "邻镇检测道路")]


def _conference_area(user) -> str | None:
    """The user's own area when a round, scheme or project can belong to it (city, county, township)."""
    code = user.area_id or "990100000000"
    return code if codes.level_of(code) in (codes.CITY, codes.COUNTY, codes.TOWNSHIP) else None


def _round(user, world):
    from guanai.coordination.models import SupervisionRound

    inside = scope_queryset(SupervisionRound.objects.all(), user).order_by("-pk").first()
    if inside is None and _conference_area(user):
        day = timezone.localdate()
        inside = SupervisionRound.objects.create(title="本级督导", area_id=_conference_area(user), methods=["briefing"],
                                                 started_on=day - timedelta(days=5), ended_on=day - timedelta(days=4))
    outside = SupervisionRound.objects.get(title="泄露检测督导")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _item(user, world):
    from guanai.coordination.models import RectificationItem

    inside = scope_queryset(RectificationItem.objects.all(), user).order_by("-pk").first()
    outside = RectificationItem.objects.get(problem="泄露检测整改问题")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _evidence(user, world):
    from guanai.coordination.models import RectificationEvidence, RectificationItem

    item = scope_queryset(RectificationItem.objects.all(), user).order_by("-pk").first()
    inside = None
    if item is not None:
        inside = RectificationEvidence(item=item, name="本地佐证.png", content_type="image/png", size=len(PNG))
        inside.file.save("inside.png", ContentFile(PNG), save=True)
    outside = RectificationEvidence.objects.get(name="泄露检测佐证.png")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _scheme(user, world):
    from guanai.coordination.models import AssessmentScheme

    inside = scope_queryset(AssessmentScheme.objects.all(), user).order_by("-pk").first()
    if inside is None and _conference_area(user):
        inside = AssessmentScheme.objects.create(title="本级考核", year=2020, area_id=_conference_area(user),
                                                 subject="unit", total_points=100)
    outside = AssessmentScheme.objects.get(title="泄露检测考核")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _scheme_export(user, world):
    inside, outside = _scheme(user, world)
    return ({**inside, "fmt": "docx"} if inside else None), ({**outside, "fmt": "xlsx"} if outside else None)


def _score(user, world):
    from guanai.coordination.models import AssessmentScore

    inside = scope_queryset(AssessmentScore.objects.all(), user).order_by("-pk").first()
    outside = AssessmentScore.objects.get(note="泄露检测评分说明")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _project(user, world):
    from guanai.coordination.models import Project

    inside = scope_queryset(Project.objects.all(), user).order_by("-pk").first()
    outside = Project.objects.get(name="泄露检测项目")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


OVERSIGHT_CASES = {
    "oversight:round_detail": _round,
    "oversight:round_edit": _round,
    "oversight:round_report": _round,
    "oversight:item_create": _round,
    "oversight:item_detail": _item,
    "oversight:item_edit": _item,
    "oversight:item_progress": _item,
    "oversight:item_verify": _item,
    "oversight:evidence": _evidence,
    "oversight:scheme_detail": _scheme,
    "oversight:indicator_create": _scheme,
    "oversight:scheme_compute": _scheme,
    "oversight:scheme_export": _scheme_export,
    "oversight:score_edit": _score,
    "oversight:project_detail": _project,
    "oversight:project_progress": _project,
}
