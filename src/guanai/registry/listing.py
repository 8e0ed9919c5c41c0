"""The person list's filters, read once for the list page, its export and its ledger."""

from __future__ import annotations

from collections.abc import Mapping

from . import categories as cat
from .models import Person


def person_filters(params: Mapping[str, str]) -> dict:
    return {
        "q": (params.get("q") or "").strip(),
        "area": (params.get("area") or "").strip() or None,
        "category": params.get("category") or None,
        "risk": params.get("risk") or None,
        "status": params.get("status", Person.ACTIVE) or None,
        # The persons an import created (the import page links them): the job's id.
        "import_job": (params.get("import") or "").strip() if (params.get("import") or "").strip().isdigit() else None,
    }


def describe(filters: dict) -> str:
    parts = []
    if filters["q"]:
        parts.append(f"查询“{filters['q']}”")
    if filters["area"]:
        parts.append(f"地区{filters['area']}")
    if filters["category"]:
        parts.append(f"类别{cat.CATEGORY_LABELS.get(filters['category'], filters['category'])}")
    if filters["risk"]:
        parts.append(f"风险{filters['risk']}")
    if filters["status"]:
        parts.append(f"状态{dict(Person.STATUS_CHOICES).get(filters['status'], filters['status'])}")
    return "，".join(parts)
