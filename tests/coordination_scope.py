"""Scope cases and marker records of the joint conference (see scope_cases.py).

``build_world`` sets up a conference with a unit, a form, a rule and a report in the foreign
city (990200000000) and in the county 东城区 (990101000000), each with unique marker text;
the harness fails if a page shows one to a user whose area does not contain it. A unit
liaison's "outside" report is another unit's of its own city: a unit sees only its own.
"""

from django.utils import timezone

from guanai.areas.scoping import scope_queryset


def build_world(foreign_unit) -> list[tuple[str, str]]:
    from guanai.coordination.models import Conference, Duty, MemberUnit, ReportEvent, ReportForm, UnitReport, \
        ValidationRule

    markers = []
    now = timezone.now()
    for area, prefix, unit in (("990200000000", "泄露检测", foreign_unit), ("990101000000", "本县检测", None)):
        conference = Conference.objects.create(name=f"{prefix}联席会议", area_id=area, office_name=f"{prefix}办公室")
        if unit is None:
            unit = MemberUnit.objects.create(name=f"{prefix}单位", area_id=area)
        unit.conference = conference
        unit.save(update_fields=["conference"])
        Duty.objects.create(conference=conference, unit=unit, year=now.year, text=f"{prefix}职责")
        form = ReportForm.objects.create(conference=conference, name=f"{prefix}报表", first_period="2025Q1")
        total = form.indicators.create(label=f"{prefix}指标", position=1)
        ValidationRule.objects.create(form=form, left=[total.pk], operator="ge", right=[total.pk])
        report = UnitReport.objects.create(form=form, unit=unit, area_id=area, period_key="2025Q4", status="submitted",
                                           narrative={"1": f"{prefix}报表内容"}, first_submitted_at=now,
                                           submitted_at=now)
        ReportEvent.objects.create(report=report, action="submit", at=now, reason=f"{prefix}理由")
        markers += [(area, f"{prefix}联席会议"), (area, f"{prefix}职责"), (area, f"{prefix}报表"),
                    (area, f"{prefix}指标"), (area, f"{prefix}报表内容"), (area, f"{prefix}理由")]
    return markers


def _visible(model_path: str, user):
    from django.apps import apps

    return scope_queryset(apps.get_model(model_path).objects.all(), user).order_by("pk")


def _case(model_path: str, marker_field: str, marker: str):
    def case(user, world):
        from django.apps import apps

        inside = _visible(model_path, user).first()
        outside = apps.get_model(model_path).objects.get(**{marker_field: marker})
        return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)

    return case


def _report(user, world):
    from guanai.coordination.models import UnitReport

    inside = _visible("coordination.UnitReport", user).first()
    if user.role == "unit":  # another unit of its own city: as absent as a foreign one
        outside = UnitReport.objects.filter(area_id=user.area_id).exclude(unit=user.unit_id).first()
    else:
        outside = UnitReport.objects.get(form__name="泄露检测报表")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _unit(user, world):
    from guanai.coordination.models import MemberUnit

    inside = _visible("coordination.MemberUnit", user).filter(conference__isnull=False).first()
    if user.role == "unit":
        outside = MemberUnit.objects.filter(area_id=user.area_id).exclude(pk=user.unit_id).first()
    else:
        outside = MemberUnit.objects.get(name="泄露检测单位")
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if user.area_id else None)


def _start(user, world):
    inside, outside = _case("coordination.ReportForm", "name", "泄露检测报表")(user, world)
    return ({**inside, "period": "2025Q4"} if inside else None), ({**outside, "period": "2025Q4"} if outside else None)


_conference = _case("coordination.Conference", "name", "泄露检测联席会议")
_form = _case("coordination.ReportForm", "name", "泄露检测报表")

COORDINATION_CASES = {
    "coordination:conference_detail": _conference,
    "coordination:conference_edit": _conference,
    "coordination:unit_add": _conference,
    "coordination:duties_edit": _conference,
    "coordination:form_create": _conference,
    "coordination:unit_detail": _unit,
    "coordination:unit_edit": _unit,
    "coordination:unit_close": _unit,
    "coordination:unit_liaison": _unit,
    "coordination:form_detail": _form,
    "coordination:form_edit": _form,
    "coordination:indicator_add": _form,
    "coordination:section_add": _form,
    "coordination:rule_add": _form,
    "coordination:deadline_set": _form,
    "coordination:entry_open": _form,
    "coordination:report_start": _start,
    "coordination:rule_delete": _case("coordination.ValidationRule", "form__name", "泄露检测报表"),
    "coordination:report_detail": _report,
    "coordination:report_edit": _report,
    "coordination:report_return": _report,
    "coordination:report_approve": _report,
    "coordination:report_reopen": _report,
    "coordination:report_docx": _report,
}
