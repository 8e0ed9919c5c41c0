"""Figures: the metric functions of stats.metrics, by name. Every value is
``stats.metrics.compute(name, area, period, **params)``: the number the pages and briefings show."""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from guanai.accounts import roles
from guanai.areas.models import Area
from guanai.areas.scoping import area_for_user_or_404
from guanai.dashboards.tables import build as build_table
from guanai.dashboards.tables import table_specs
from guanai.stats.forms import future_problem
from guanai.stats.metrics import METRICS, compute
from guanai.stats.periods import YEAR, period_containing

from . import filters
from .views_base import ApiView

# The roles of the statistics pages (dashboards/views.py STATS_ROLES) and the joint conference's.
FIGURE_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF, roles.VILLAGE, roles.LEADER, roles.UNIT)
MAX_PARAM = 50

MetricOut = inline_serializer("Metric", many=True, fields={
    "name": serializers.CharField(), "label": serializers.CharField(), "unit": serializers.CharField(),
    "params": serializers.ListField(child=serializers.CharField())})
ValueOut = inline_serializer("MetricValue", {
    "name": serializers.CharField(), "label": serializers.CharField(), "unit": serializers.CharField(),
    "area": serializers.CharField(), "period": serializers.CharField(),
    "params": serializers.DictField(child=serializers.CharField()),
    "value": serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False, allow_null=True)})


def _area(request):
    """The area of ``?area=`` (404 out of scope); by default the user's own, or for a user
    without one (the admin) the top area when there is only one."""
    code = request.query_params.get("area", "").strip() or request.user.area_id
    if not code:
        tops = list(Area.objects.filter(parent=None).values_list("code", flat=True)[:2])
        if len(tops) != 1:
            raise ValidationError({"area": ["请填写区划代码（12位）"]})
        code = tops[0]
    return area_for_user_or_404(request.user, code)


class MetricList(ApiView):
    """指标列表：名称、中文名称、单位、可选参数。"""

    allowed_roles = FIGURE_ROLES
    pagination_class = None

    @extend_schema(responses={200: MetricOut})
    def get(self, request):
        return Response([{"name": info.name, "label": info.label, "unit": info.unit, "params": list(info.params)}
                         for info in sorted(METRICS.values(), key=lambda info: info.name)])


class MetricValue(ApiView):
    """一个指标在某区划、某期间的数值（与页面、简报同一计算）。"""

    allowed_roles = FIGURE_ROLES

    @extend_schema(parameters=[
        OpenApiParameter("area", str, description="区划代码（12位），须在您的管辖范围内；默认为本人所在区划"),
        OpenApiParameter("period", str, description="期间：2026、2026S1、2026Q3、2026-09；默认为本年"),
        OpenApiParameter("category", str, description="人员类别等指标参数（见指标列表的 params）")],
        responses={200: ValueOut})
    def get(self, request, name: str):
        info = METRICS.get(name)
        if info is None:
            raise NotFound(f"没有名为“{name[:50]}”的指标")
        area = _area(request)
        # Without a period: this year, as the statistics pages open.
        period = filters.period(request) or period_containing(YEAR, timezone.localdate())
        problem = future_problem(period)
        if problem:
            raise ValidationError({"period": [problem]})
        params = {}
        for param in info.params:
            value = request.query_params.get(param, "").strip()
            if len(value) > MAX_PARAM:
                raise ValidationError({param: [f"参数过长，最多{MAX_PARAM}个字符"]})
            if value:
                params[param] = value
        try:
            with transaction.atomic():  # a value the database refuses leaves the connection usable
                value = compute(name, area.code, period, **params)
        except (ValueError, TypeError, LookupError, DatabaseError) as exc:
            raise ValidationError({"params": [f"参数有误：{exc}"[:200]]}) from None
        return Response({"name": info.name, "label": info.label, "unit": info.unit, "area": area.code,
                         "period": period.key, "params": params, "value": value})


# The statistics pages' roles (dashboards/views.py STATS_ROLES).
TABLE_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF, roles.VILLAGE, roles.LEADER)


def _spec_json(spec) -> dict:
    return {"slug": spec.slug, "title": spec.title, "unit": spec.unit, "description": spec.description,
            "columns": [{"number": number, "label": c.label, "unit": c.unit, "metric": c.metric, "params": c.params,
                         "group": c.group} for number, c in enumerate(spec.columns, start=1)]}


class TableList(ApiView):
    """统计报表列表（与 /stats/tables/ 相同）。"""

    allowed_roles = TABLE_ROLES

    @extend_schema(operation_id="tables_list",
                   responses={200: OpenApiResponse(description="[{slug, title, unit, description, columns}]")})
    def get(self, request):
        return Response([_spec_json(spec) for spec in table_specs().values()])


class TableValues(ApiView):
    """一张统计报表：下级区划各行、合计、勾稽关系核对（与页面同一计算）。"""

    allowed_roles = TABLE_ROLES

    @extend_schema(parameters=[
        OpenApiParameter("area", str, description="区划代码（12位）；默认为本人所在区划"),
        OpenApiParameter("period", str, description="期间：2026、2026S1、2026Q3、2026-09；默认为本年")],
        responses={200: OpenApiResponse(description="{slug, title, area, period, columns, rows, total, checks}")})
    def get(self, request, slug: str):
        spec = table_specs().get(slug)
        if spec is None:
            raise NotFound(f"没有名为“{slug[:50]}”的统计报表")
        area = _area(request)
        period = filters.period(request) or period_containing(YEAR, timezone.localdate())
        problem = future_problem(period)
        if problem:
            raise ValidationError({"period": [problem]})
        built = build_table(spec, area, period)

        def row(r):
            return {"label": r.label, "area": r.area.code if r.area else None, "kind": r.kind, "failed": r.failed,
                    "cells": r.cells}

        return Response({**_spec_json(spec), "area": area.code, "area_name": area.name, "period": period.key,
                         "rows": [row(r) for r in built.rows], "total": row(built.total),
                         "checks": [{"text": c.text, "note": c.note, "ok": c.ok,
                                     "failures": [{"row": label, "left": left, "right": right}
                                                  for label, left, right in c.failures]} for c in built.checks],
                         "note": built.below_village, "notice": built.nobody_registered})
