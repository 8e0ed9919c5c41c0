"""Read-only resources: each a list (cursor-paginated, filtered) and a record, scoped through the
same functions and roles as its pages. A record of personal data read in full is audited as a
page view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers

from guanai.accounts import roles
from guanai.archive import services as archive
from guanai.archive.models import Document, DocumentFact
from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset
from guanai.briefings.models import Briefing, BriefingFact
from guanai.briefings.permissions import COMPOSE_ROLES as BRIEFING_COMPOSE_ROLES
from guanai.briefings.permissions import READ_ROLES as BRIEFING_READ_ROLES
from guanai.care import services as care
from guanai.care.models import Activity, CareHome, Inspection, Pairing
from guanai.coordination import services as coordination
from guanai.coordination.models import Conference, MemberUnit, UnitReport
from guanai.coordination.workflow import reports_for
from guanai.protection import services as protection
from guanai.protection.models import Case, CaseStep
from guanai.protection.selectors import case_for_view
from guanai.registry.models import ScreeningCampaign, ScreeningReport
from guanai.registry.screening_views import _campaigns_for as campaigns_for

from . import filters
from .base import Cursor
from .serializers import AreaRef, AreaSerializer, area_ref
from .views_base import ApiView, ReadForView

ALL = tuple(sorted(roles.ALL))
AREA_ROLES = tuple(sorted(roles.ALL - {roles.VOLUNTEER}))  # areas/views.py
PAIRING_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT)  # care/views.py
HOME_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.VILLAGE, roles.LEADER, roles.VOLUNTEER)
CASE_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT, roles.VOLUNTEER)  # protection/views.py
SCREENING_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER)
COORDINATION_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.LEADER)
UNIT_REPORT_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.LEADER)
ARCHIVE_ROLES = tuple(sorted(roles.ALL - {roles.VOLUNTEER}))


def readable_briefings(user):
    """As briefings/views.py: every scoped briefing for its composers, published ones for leaders."""
    from guanai.accounts.roles import user_role

    briefings = scope_queryset(Briefing.objects.select_related("area"), user)
    if user_role(user) not in BRIEFING_COMPOSE_ROLES:
        briefings = briefings.filter(status=Briefing.PUBLISHED)
    return briefings


@extend_schema_field(AreaRef(allow_null=True))
def _get_village(self, obj):
    return area_ref(getattr(obj, "area", None))


def model_serializer(model, fields=None, exclude=None, extra: dict | None = None, name: str | None = None):
    meta = type("Meta", (), {"model": model, **({"fields": fields} if fields else {"exclude": exclude or []})})
    attrs = {"Meta": meta, "village": serializers.SerializerMethodField()} if hasattr(model, "area") else {"Meta": meta}
    if "village" in attrs:
        attrs["get_village"] = _get_village
        if fields:
            meta.fields = [*fields, "village"]
    attrs.update(extra or {})
    return type(name or f"{model.__name__}Out", (serializers.ModelSerializer,), attrs)


@dataclass
class Resource:
    name: str  # URL segment and URL names "<name>" (list) and "<name>-detail"
    roles: tuple
    queryset: Callable  # user -> the scoped queryset, as the pages ask it
    serializer: type
    detail_serializer: type | None = None
    period_field: str | None = None
    updated_field: str | None = None
    category_field: str | None = None
    area_filter: bool = True
    # (user, pk) -> the record, for a full personal record: the page's selector, which audits the sight
    for_view: Callable | None = None
    ordering: str = "-pk"
    extra_params: list = field(default_factory=list)
    narrow: Callable | None = None  # (queryset, request) -> queryset: the resource's own filters
    converter: str = "int"  # of the record's URL (areas: "str", the code)


def _list_view(res: Resource):
    params = []
    if res.area_filter:
        params.append(OpenApiParameter("area", str, description="区划代码：只列此区划及其下级的记录"))
    if res.period_field:
        params.append(OpenApiParameter("period", str, description="期间：2026、2026S1、2026Q3、2026-09"))
    if res.updated_field:
        params.append(OpenApiParameter("updated_since", str, description="此时间以后新建或修改的记录"))
    if res.category_field:
        params.append(OpenApiParameter("category", str, description="类别代码"))
    params += res.extra_params

    class ListView(ApiView, generics.ListAPIView):
        allowed_roles = res.roles
        serializer_class = res.serializer
        pagination_class = type(f"Cursor{res.serializer.__name__}", (Cursor,), {"ordering": res.ordering})

        def get_queryset(self):
            qs = res.queryset(self.request.user)
            if res.area_filter:
                qs = filters.by_area(qs, self.request)
            if res.period_field:
                qs = filters.by_period(qs, self.request, res.period_field)
            if res.updated_field:
                qs = filters.updated_since(qs, self.request, res.updated_field)
            category = self.request.query_params.get("category", "").strip()
            if res.category_field and category:
                qs = qs.filter(**{res.category_field: category[:30]})
            if res.narrow:
                qs = res.narrow(qs, self.request)
            return qs

        @extend_schema(parameters=params, summary=f"{res.name}：列表")
        def get(self, request, *args, **kwargs):
            return super().get(request, *args, **kwargs)

    ListView.__name__ = ListView.__qualname__ = f"{res.serializer.__name__[:-3]}List"
    return ListView


def _detail_view(res: Resource):
    class DetailView(ReadForView, ApiView, generics.RetrieveAPIView):
        allowed_roles = res.roles
        serializer_class = res.detail_serializer or res.serializer
        for_view = staticmethod(res.for_view) if res.for_view else None

        def get_queryset(self):
            return res.queryset(self.request.user)

        @extend_schema(summary=f"{res.name}：单条记录")
        def get(self, request, *args, **kwargs):
            return super().get(request, *args, **kwargs)

    DetailView.__name__ = DetailView.__qualname__ = f"{res.serializer.__name__[:-3]}Detail"
    return DetailView


# --- shapes ----------------------------------------------------------------------------

PairingOut = model_serializer(Pairing, exclude=[], extra={
    "helper_name": serializers.CharField(source="helper.name"),
    "person_name": serializers.CharField(source="person.name")})
ActivityOut = model_serializer(Activity, exclude=["beneficiaries"], extra={
    "beneficiary_count": serializers.SerializerMethodField(),
    "get_beneficiary_count": extend_schema_field(serializers.IntegerField())(
        lambda self, obj: obj.beneficiaries.count())})
CareHomeOut = model_serializer(CareHome, exclude=[])
InspectionOut = model_serializer(Inspection, exclude=[])
CaseStepOut = model_serializer(CaseStep, exclude=["case_closed_at"], name="CaseStepOut")
CaseOut = model_serializer(Case, exclude=[], extra={
    "steps": CaseStepOut(many=True, read_only=True), "status_label": serializers.CharField(source="get_status_display"),
    "situation_label": serializers.CharField(source="get_situation_display")})
CampaignOut = model_serializer(ScreeningCampaign, exclude=[])
ScreeningReportOut = model_serializer(ScreeningReport, exclude=[])
ConferenceOut = model_serializer(Conference, exclude=[])
MemberUnitOut = model_serializer(MemberUnit, exclude=[])
UnitReportOut = model_serializer(UnitReport, exclude=[], extra={
    "unit_name": serializers.CharField(source="unit.name"),
    "status_label": serializers.CharField(source="get_status_display")})
BriefingFactOut = model_serializer(BriefingFact, exclude=["briefing"], name="BriefingFactOut")
BriefingOut = model_serializer(Briefing, exclude=["body"])
BriefingDetailOut = model_serializer(Briefing, exclude=[], name="BriefingDetailOut",
                                     extra={"facts": BriefingFactOut(many=True, read_only=True)})
DocumentOut = model_serializer(Document, exclude=["original", "text", "normalisation_log", "search_text"])
DocumentFactOut = model_serializer(DocumentFact, exclude=[])
DocumentDetailOut = model_serializer(Document, exclude=["original", "search_text"], name="DocumentDetailOut",
                                     extra={"facts": DocumentFactOut(many=True, read_only=True)})


def _level(qs, request):
    level = request.query_params.get("level", "").strip()
    return qs.filter(level=int(level)) if level.isdigit() and len(level) == 1 else qs


RESOURCES = [
    Resource("areas", AREA_ROLES, lambda user: scope_queryset(Area.objects.all(), user), AreaSerializer,
             ordering="code", converter="str", narrow=_level, extra_params=[OpenApiParameter("level", int, description="层级1–5")]),
    Resource("pairings", PAIRING_ROLES,
             lambda user: care.pairings_for(user).select_related("area", "helper", "person"), PairingOut,
             period_field="start_date", updated_field="created_at"),
    Resource("activities", ALL, lambda user: care.activities_for(user).select_related("area"), ActivityOut,
             period_field="held_on", updated_field="created_at", category_field="kind"),
    Resource("care-homes", HOME_ROLES, lambda user: scope_queryset(CareHome.objects.select_related("area"), user),
             CareHomeOut, updated_field="created_at", category_field="kind"),
    Resource("inspections", HOME_ROLES,
             lambda user: scope_queryset(Inspection.objects.select_related("area"), user), InspectionOut,
             period_field="inspected_on", updated_field="created_at"),
    Resource("cases", CASE_ROLES,
             lambda user: protection.cases_for(user).select_related("area").prefetch_related("steps"), CaseOut,
             period_field="reported_at", category_field="situation", for_view=case_for_view),
    Resource("screening-campaigns", SCREENING_ROLES, lambda user: campaigns_for(user).select_related("area"),
             CampaignOut, area_filter=False),
    Resource("screening-reports", SCREENING_ROLES,
             lambda user: scope_queryset(ScreeningReport.objects.select_related("village"), user),
             ScreeningReportOut,
             narrow=lambda qs, request: qs.filter(campaign_id=int(c)) if (c := request.query_params.get(
                 "campaign", "")).isdigit() and len(c) < 19 else qs,
             extra_params=[OpenApiParameter("campaign", int)]),
    Resource("conferences", COORDINATION_ROLES, coordination.conferences_for, ConferenceOut, updated_field="updated_at"),
    Resource("units", COORDINATION_ROLES, coordination.units_for, MemberUnitOut),
    Resource("unit-reports", UNIT_REPORT_ROLES, lambda user: reports_for(user).select_related("area"), UnitReportOut,
             updated_field="updated_at",
             narrow=lambda qs, request: qs.filter(period_key=p[:8]) if (p := request.query_params.get(
                 "period_key", "").strip()) else qs,
             extra_params=[OpenApiParameter("period_key", str, description="报送期间，如 2026Q3")]),
    Resource("briefings", tuple(sorted(BRIEFING_READ_ROLES)), lambda user: readable_briefings(user)
             .prefetch_related("facts"), BriefingOut, detail_serializer=BriefingDetailOut,
             updated_field="updated_at", category_field="kind",
             narrow=lambda qs, request: qs.filter(period_key=p[:8]) if (p := request.query_params.get(
                 "period_key", "").strip()) else qs,
             extra_params=[OpenApiParameter("period_key", str, description="简报期间，如 2026Q3")]),
    Resource("documents", ARCHIVE_ROLES, lambda user: archive.scoped_documents(user).select_related("area"),
             DocumentOut, detail_serializer=DocumentDetailOut, updated_field="created_at", category_field="kind"),
    Resource("document-facts", ARCHIVE_ROLES, lambda user: archive.scoped_facts(user), DocumentFactOut,
             category_field="kind"),
]

VIEWS = {res.name: (res, _list_view(res), _detail_view(res)) for res in RESOURCES}
