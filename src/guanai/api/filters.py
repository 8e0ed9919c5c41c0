"""The filters every list shares: area (a code the user may see), period, category,
updated_since. Bad values are a 400 naming the parameter, never a 500."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import NotFound, ValidationError

from guanai.areas.scoping import area_filter, area_problem
from guanai.stats.periods import PeriodError, parse_period


def area_code(request, name: str = "area") -> str | None:
    """The area of ``?area=``: 404 when missing or out of the user's jurisdiction (as a page)."""
    code = request.query_params.get(name, "").strip()
    if not code:
        return None
    area, problem = area_problem(request.user, code)
    if problem:
        if "不存在或不在" in problem:
            raise NotFound(problem)
        raise ValidationError({name: [problem]})
    return area.code


def by_area(queryset, request, path: str | None = None):
    code = area_code(request)
    if code is None:
        return queryset
    return queryset.filter(area_filter(path or queryset.model.area_path, code))


def period(request, name: str = "period", required: bool = False):
    text = request.query_params.get(name, "").strip()
    if not text:
        if required:
            raise ValidationError({name: ["请填写期间，如 2026Q3、2026-09、2026"]})
        return None
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise ValidationError({name: [str(exc)]}) from None


def by_period(queryset, request, field: str):
    found = period(request)
    if found is None:
        return queryset
    return queryset.filter(**{f"{field}__gte": found.start, f"{field}__lte": found.end})


def updated_since(queryset, request, field: str):
    text = request.query_params.get("updated_since", "").strip()
    if not text:
        return queryset
    moment = None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None or not 1900 <= moment.year <= 2200:
        raise ValidationError({"updated_since": ["时间格式应为 2026-09-30T08:00:00+08:00 或 2026-09-30"]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return queryset.filter(**{f"{field}__gte": moment})
