"""Project progress as official writing states it. Pure, no Django.

    progress_sentence("改建", "圈舍", planned=[(160, "户"), (480, "间")],
                      started=[(69, "户"), (207, "间")], finished=[(47, "户")], building=[(22, "户")])
        计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户
    investment_sentence(464.9, 120)
        计划投资464.9万元，已完成投资120万元

Amounts of one subject in several measures follow each other without a separator
(160户480间); a measure whose figure was not reported (None) is left out, and so is
a zero in the breakdown (其中 …).
"""

from __future__ import annotations

from .numbers import format_count

__all__ = ["amounts", "investment_sentence", "progress_sentence"]


def _given(pairs) -> list[tuple[object, str]]:
    return [(value, measure) for value, measure in pairs if value is not None]


def amounts(pairs) -> str:
    """160户480间: each figure with its measure word, the unreported (None) left out."""
    return "".join(format_count(value, measure) for value, measure in _given(pairs))


def progress_sentence(action: str, subject: str, *, planned, started=(), finished=(), building=()) -> str:
    """One work of a plan and how far it is: the plan, what has started, and of that how much
    is finished and how much is being built. ``action`` may be empty (then 建设)."""
    verb = action or "建设"
    text = f"计划{verb}{subject}{amounts(planned)}"
    begun = [(value, measure) for value, measure in _given(started) if value]
    if not begun:
        return text + "，尚未开工"
    text += f"，目前{verb}{amounts(begun)}"
    parts = []
    done = [(value, measure) for value, measure in _given(finished) if value]
    underway = [(value, measure) for value, measure in _given(building) if value]
    if done:
        parts.append("完成" + amounts(done))
    if underway:
        parts.append("在建" + amounts(underway))
    if parts:
        text += "，其中" + "、".join(parts)
    return text


def investment_sentence(planned_wan, spent_wan=None) -> str:
    """计划投资464.9万元，已完成投资120万元 (the second part only when money spent was reported)."""
    text = f"计划投资{format_count(planned_wan, '万元')}"
    if spent_wan is not None:
        text += f"，已完成投资{format_count(spent_wan, '万元')}"
    return text
