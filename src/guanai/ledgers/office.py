"""The lines offices put around a table they send: 统计期间, 填报单位, 填报人, 制表日期. One place for
the statistics tables (dashboards.exporting) and the ledgers (ledgers.base)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from guanai.textproc.numbers import format_date


def default_filler(user) -> str:
    """填报单位 as the page offers it: the user's member unit, else the name of their area."""
    if getattr(user, "unit", None) is not None:
        return user.unit.name
    return user.area.name if getattr(user, "area_id", None) else ""


def made_by_name(user) -> str:
    return user.get_full_name() or user.get_username()


def period_text(period) -> str:
    """统计期间's value: 2026年第三季度（2026-07-01至2026-09-30）."""
    return f"{period.label}（{period.start.isoformat()}至{period.end.isoformat()}）"


def office_fields(*, filler: str, made_by, day: date | None = None) -> list[str]:
    """填报单位 / 填报人 / 制表日期, each as its own text, in the offices' order."""
    return [f"填报单位：{filler}", f"填报人：{made_by_name(made_by)}",
            f"制表日期：{format_date(day or timezone.localdate())}"]
