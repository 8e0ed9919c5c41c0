"""Scope cases and marker records of care and protection (see scope_cases.py).

``build_world`` puts a visit, an aid item, a helper and pairing, an activity, a care
home and a protection case in the foreign city (990201001001) and in a village of
the neighbouring township (990101002099), each with unique marker text; the harness
fails if any page shows one to a user whose area does not contain it.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from guanai.areas.scoping import scope_queryset

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def build_world(person_by_village: dict[str, object], unit_by_village: dict[str, object]) -> list[tuple[str, str]]:
    from guanai.care.models import Activity, ActivityPhoto, AidItem, CareHome, Helper, Pairing, Visit
    from guanai.protection.models import Case, CaseStep

    markers = []
    day = timezone.localdate() - timedelta(days=3)
    for village, prefix in (("990201001001", "泄露检测"), ("990101002099", "邻镇检测")):
        person = person_by_village[village]
        visit = Visit.objects.create(visit_date=day, mode="home", person=person, area_id=village,
                                     findings=f"{prefix}走访情况", needs=f"{prefix}需求")
        AidItem.objects.create(visit=visit, kind="goods", description=f"{prefix}物资", quantity=Decimal(1), unit="袋",
                               value_yuan=Decimal(80), area_id=village, given_on=day)
        helper = Helper.objects.create(name=f"{prefix}志愿者", kind="volunteer", area_id=village)
        Pairing.objects.create(helper=helper, person=person, area_id=village, start_date=day, note=f"{prefix}结对")
        activity = Activity.objects.create(title=f"{prefix}活动", kind="publicity", held_on=day, area_id=village,
                                           place=f"{prefix}地点", participants_count=5)
        if unit_by_village.get(village) is not None:
            activity.organisers.add(unit_by_village[village])
        activity.beneficiaries.add(person)
        photo = ActivityPhoto(activity=activity, content_type="image/png", caption=f"{prefix}照片")
        photo.image.save("marker.png", ContentFile(PNG), save=True)
        CareHome.objects.create(name=f"{prefix}儿童之家", kind="children_home", area_id=village)
        now = timezone.now()
        case = Case.objects.create(number=f"{prefix}个案", area_id=village, situation="alone", child_name=f"{prefix}儿童",
                                   found_at=now, reported_at=now - timedelta(days=10),
                                   description=f"{prefix}个案情况描述")
        CaseStep.objects.create(case=case, kind="emergency", opened_at=case.reported_at,
                                due_at=case.reported_at + timedelta(hours=24), area_id=village)
        markers += [(village, f"{prefix}走访情况"), (village, f"{prefix}物资"), (village, f"{prefix}志愿者"),
                    (village, f"{prefix}活动"), (village, f"{prefix}儿童之家"), (village, f"{prefix}个案"),
                    (village, f"{prefix}儿童")]
    return markers


def _scoped(model_path: str, marker_field: str, marker: str, *, extra=None):
    """A case function: the first record the user may see, and the foreign marker record."""

    def case(user, world):
        from django.apps import apps

        model = apps.get_model(model_path)
        visible = scope_queryset(model.objects.all(), user)
        if extra is not None:
            visible = extra(visible)
        inside = visible.order_by("-pk").first()
        outside = model.objects.get(**{marker_field: marker})
        return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)

    return case


def _photo(user, world):
    from guanai.care.models import Activity, ActivityPhoto

    activity = scope_queryset(Activity.objects.all(), user).order_by("-pk").first()
    inside = None
    if activity is not None:
        inside = ActivityPhoto(activity=activity, content_type="image/png")
        inside.image.save("inside.png", ContentFile(PNG), save=True)
    outside = ActivityPhoto.objects.get(caption="泄露检测照片")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _visit_photo(user, world):
    """A photo of a visit the user may see, and one of the foreign city's marker visit."""
    from guanai.care.models import Visit, VisitPhoto

    def photo_of(visit):
        photo = VisitPhoto(visit=visit, content_type="image/png", area_id=visit.area_id)
        photo.image.save("scope.png", ContentFile(PNG), save=True)
        return {"pk": photo.pk}

    visit = scope_queryset(Visit.objects.all(), user).order_by("-pk").first()
    outside = Visit.objects.get(findings="泄露检测走访情况")
    return (photo_of(visit) if visit else None), (photo_of(outside) if user.area_id else None)


def _open_case(visible):
    return visible.filter(status="open")


CARE_CASES = {
    "care:visit_detail": _scoped("care.Visit", "findings", "泄露检测走访情况"),
    "care:pairing_end": _scoped("care.Pairing", "note", "泄露检测结对", extra=lambda qs: qs.filter(end_date=None)),
    "care:activity_detail": _scoped("care.Activity", "title", "泄露检测活动"),
    "care:activity_photo": _photo,
    "care:visit_photo": _visit_photo,
    "care:home_detail": _scoped("care.CareHome", "name", "泄露检测儿童之家"),
    "care:home_inspect": _scoped("care.CareHome", "name", "泄露检测儿童之家"),
    "protection:detail": _scoped("protection.Case", "number", "泄露检测个案"),
    "protection:complete": _scoped("protection.Case", "number", "泄露检测个案", extra=_open_case),
    "protection:close": _scoped("protection.Case", "number", "泄露检测个案", extra=_open_case),
}
