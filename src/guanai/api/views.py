"""Visits and persons: the contract the offline visit form builds on (see ARCHITECTURE.md,
"The API's contract"). Thin: scope through areas.scoping, writes through the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.archive import services as archive
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.care import selectors as care_selectors
from guanai.care import services as care
from guanai.care.models import Visit
from guanai.core.pagination import page_number
from guanai.registry import selectors as registry_selectors
from guanai.registry import services as registry
from guanai.registry.models import Household, Person

from . import filters, idempotency
from .base import validation_response
from .views_base import ApiView, ReadForView
from .serializers import PersonDetailSerializer, PersonInput, PersonSerializer, VisitInput, VisitSerializer

VISIT_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER)
# The persons the pages show to workers; a volunteer sees the recipients paired with them.
PERSON_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER)
EDIT_PERSON_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)  # registry/views.py person_edit

ERROR = OpenApiResponse(description="JSON：{\"detail\": 中文说明, \"errors\": {字段: [中文说明]}}")
AREA = OpenApiParameter("area", str, description="区划代码（12位）：只列此区划及其下级的记录")
PERIOD = OpenApiParameter("period", str, description="期间：2026、2026S1、2026Q3、2026-09 或 2026年第三季度")
UPDATED_SINCE = OpenApiParameter("updated_since", str, description="只列此时间（ISO 8601）以后新建或修改的记录")
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                               description="幂等键（最多64字符）：同一用户以同一键重发，返回第一次的结果，不重复保存")


def visits_queryset(user):
    return (care.visits_for(user).select_related("area", "person", "household", "created_by")
            .prefetch_related("aid_items"))


class VisitList(ApiView, generics.ListAPIView):
    """走访记录：列表（游标分页）与新建。"""

    allowed_roles = VISIT_ROLES
    serializer_class = VisitSerializer

    def get_queryset(self):
        qs = visits_queryset(self.request.user)
        qs = filters.by_area(qs, self.request)
        qs = filters.by_period(qs, self.request, "visit_date")
        qs = filters.updated_since(qs, self.request, "created_at")
        person = self.request.query_params.get("person", "").strip()
        if person:
            qs = qs.filter(person_id=person if person.isdigit() and len(person) < 19 else 0)
        return qs

    @extend_schema(parameters=[AREA, PERIOD, UPDATED_SINCE, OpenApiParameter("person", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=VisitInput, parameters=[IDEMPOTENCY],
                   responses={201: VisitSerializer, 400: ERROR, 404: ERROR, 409: ERROR})
    def post(self, request):
        data = _valid(VisitInput, request)
        return idempotency.once(request, lambda: self._create(request, data))

    def _create(self, request, data):
        user = request.user
        person = household = None
        if data["person"] is not None:
            # Out of scope (for a volunteer: not in an active pairing) reads as missing: 404, as the page.
            person = scope_queryset(Person.objects.select_related("area"), user).filter(pk=data["person"]).first()
            if person is None:
                raise NotFound("走访对象不存在或不在您的管辖或结对范围内")
        elif data["household"] is not None:
            household = scope_queryset(Household.objects.all(), user).filter(pk=data["household"]).first()
            if household is None:
                raise NotFound("家庭户不存在或不在您的管辖范围内")
        try:
            visit = care.create_visit(
                user=user, person=person, household=household, visit_date=data["visit_date"], mode=data["mode"],
                findings=data["findings"], needs=data["needs"], risk_level=data["risk_level"],
                next_visit_on=data["next_visit_on"], other_visitors=data["other_visitors"],
                aid=[care.AidRow(**row) for row in data["aid_items"]],
                signature_declined=data["signature_declined"], signature_note=data["signature_note"])
        except ValidationError as exc:
            return validation_response(exc, rename={"aid": "aid_items"})
        visit = visits_queryset(user).get(pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitDetail(ReadForView, ApiView, generics.RetrieveAPIView):
    allowed_roles = VISIT_ROLES
    serializer_class = VisitSerializer
    for_view = staticmethod(care_selectors.visit_for_view)  # as the visit's page: the sight audited

    def get_queryset(self):  # the schema's (the record itself is read by for_view)
        return visits_queryset(self.request.user)


class PersonList(ApiView, generics.ListAPIView):
    """人员档案：列表（游标分页），身份证号脱敏。"""

    allowed_roles = PERSON_ROLES
    serializer_class = PersonSerializer

    def get_queryset(self):
        params = self.request.query_params
        status_filter = params.get("status", Person.ACTIVE).strip()
        if status_filter not in (Person.ACTIVE, Person.EXITED, "all"):
            raise _bad("status", "状态应为 active、exited 或 all")
        qs = registry.search_persons(self.request.user, params.get("q", "")[:50],
                                     category=params.get("category") or None, risk=params.get("risk") or None,
                                     status=None if status_filter == "all" else status_filter)
        qs = filters.by_area(qs, self.request)
        qs = filters.updated_since(qs, self.request, "updated_at")
        return qs.select_related("area").prefetch_related("categories")

    @extend_schema(parameters=[
        AREA, UPDATED_SINCE, OpenApiParameter("q", str, description="姓名、拼音、电话或完整身份证号"),
        OpenApiParameter("category", str, description="人员类别代码"),
        OpenApiParameter("risk", str, description="风险等级：red/orange/yellow/green"),
        OpenApiParameter("status", str, enum=["active", "exited", "all"])])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _bad(field: str, message: str):
    return ApiValidationError({field: [message]})


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data



def _etag(person) -> str:
    return f'"{person.version}"'


class PersonDetail(ApiView):
    """人员档案：完整记录（每次读取记入审计）；PATCH 修改须带 If-Match（版本号）。"""

    allowed_roles = PERSON_ROLES

    def _person(self, request, pk):
        return get_scoped_or_404(Person.objects.select_related("area", "household"), request.user, pk=pk)

    @extend_schema(responses={200: PersonDetailSerializer, 404: ERROR},
                   parameters=[OpenApiParameter("reveal_id", bool, description="完整身份证号（仅限有权角色，记入审计）")])
    def get(self, request, pk: int):
        person = registry_selectors.person_for_view(request.user, pk)  # as the page reads it: the sight audited
        data = PersonDetailSerializer(person, context={"persons": registry.persons_for(request.user)}).data
        if request.query_params.get("reveal_id") in ("1", "true") and registry.may_see_full_id(request.user):
            data["id_number"] = registry.reveal_id_number(request.user, person)
        response = Response(data)
        response["ETag"] = _etag(person)
        return response

    @extend_schema(request=PersonInput, parameters=[
        OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True,
                         description="GET 返回的 ETag（记录版本）：他人已修改则 412")],
        responses={200: PersonDetailSerializer, 400: ERROR, 404: ERROR, 409: ERROR, 412: ERROR, 428: ERROR})
    def patch(self, request, pk: int):
        if user_role(request.user) not in EDIT_PERSON_ROLES:
            raise PermissionDenied("您的角色不能修改人员档案")
        person = self._person(request, pk)
        data = _valid(PersonInput, request)
        expected = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        if not expected:
            return Response({"detail": "请在请求头 If-Match 中带上读取时的 ETag（记录版本），以免覆盖他人的修改"},
                            status=status.HTTP_428_PRECONDITION_REQUIRED)
        if not expected.isdigit() or int(expected) != person.version:
            response = Response({"detail": "此记录已被他人修改（版本不符），您的修改未保存。请重新读取后再修改。"},
                                status=status.HTTP_412_PRECONDITION_FAILED)
            response["ETag"] = _etag(person)
            return response
        fields = {k: v for k, v in data.items() if k not in ("categories", "area")}
        try:
            person = registry.update_person(user=request.user, person=person, expected_version=int(expected),
                                            data=fields, categories=data.get("categories"),
                                            area_code=data.get("area"))
        except registry.ConflictError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            return validation_response(exc)
        person = self._person(request, pk)
        response = Response(PersonDetailSerializer(person, context={"persons": registry.persons_for(request.user)}).data)
        response["ETag"] = _etag(person)
        return response


class DocumentSearch(ApiView):
    """档案检索：按词检索（jieba 分词），带摘要；每页最多50条。"""

    allowed_roles = tuple(sorted(roles.ALL - {roles.VOLUNTEER}))

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("page", int),
                               OpenApiParameter("year", int), OpenApiParameter("area", str),
                               OpenApiParameter("kind", str)],
                   responses={200: OpenApiResponse(description="{query, total, page, num_pages, timed_out, results}")})
    def get(self, request):
        params = request.query_params
        year = params.get("year", "").strip()
        page = archive.search_documents(
            request.user, params.get("q", "")[:200], year=int(year) if year.isdigit() and len(year) == 4 else None,
            area=filters.area_code(request), kind=params.get("kind") or None,
            page=page_number(params.get("page"), per_page=20), per_page=20)
        return Response({
            "query": page.query, "total": page.total, "page": page.page, "num_pages": page.num_pages,
            "timed_out": page.timed_out,
            "results": [{"id": hit.document.pk, "title": hit.document.title, "year": hit.document.year,
                         "kind": hit.document.kind, "area": hit.document.area_id,
                         "title_html": str(hit.title_html), "snippet_html": str(hit.snippet_html)}
                        for hit in page.hits]})
