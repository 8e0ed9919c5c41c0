"""A figure read from prose, with the span it was read from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """One figure read from a text.

    kind: ``date``, ``quantity``, ``money`` or ``percent``.
    value: ``YYYY-MM-DD`` (``XXXX``/``XX`` where unknown) for a date; a number
        (int when whole) for the others, in yuan for money.
    unit: the measure word (``户``, ``人次``), ``元``, ``%`` or ``个百分点``;
        empty for a date.
    subject: what is counted (``建档立卡贫困户``), empty when not found.
    approx: the marker of an approximate figure (``多``, ``余``, ``近``, ``约``,
        ``上``, ``以上``, ``左右``; ``上旬``/``中旬``/``下旬``/``初``/``底`` for
        dates); empty when exact.
    span, start, end: the text the fact was read from and its offsets.
    inferred: a date whose year or month (or, for ``上月``, ``近日``, all of
        it) was not written but worked out from the text around it.
    range_start, range_end: for a relative expression (``今年以来``), the
        days it covers as ``YYYY-MM-DD``, where they can be given.
    """

    kind: str
    value: str | int | float
    unit: str
    subject: str
    approx: str
    span: str
    start: int
    end: int
    inferred: bool = False
    range_start: str = ""
    range_end: str = ""


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)
