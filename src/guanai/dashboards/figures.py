"""Every figure a dashboard, a statistics table or their exports show, asked by metric name of
``stats.metrics.compute`` (which answers a large area from the figures stats keeps for it, and
counts the records otherwise). Nothing here counts records itself.

A page collects its questions first (``Figures.ask`` gives a placeholder), then ``resolve()``
answers them at once: inside ``memoized()`` each question is asked once, derived figures are
built from the counts already asked, the kept aggregates answer what they keep and a table's rows
come from one grouped query (``prefetch``); the rest are asked on the request's own connection (a
connection opened per request for them cost a province's home page more than its counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guanai.stats.metrics import METRICS, compute, given_params, memoized, prefetch
from guanai.stats.periods import Period

# The metric whose 0 at a period's end means the area had nobody on file then.
REGISTERED = "persons_registered"


def available(name: str) -> bool:
    """Whether a metric of that name is registered (the joint conference's come from coordination)."""
    return name in METRICS


@dataclass(eq=False)
class Figure:
    name: str
    area: str
    period: Period
    params: dict = field(default_factory=dict)
    value: int | float | None = None

    @property
    def label(self) -> str:
        return METRICS[self.name].label

    @property
    def unit(self) -> str:
        return METRICS[self.name].unit


class Figures:
    """The questions of one page, answered together."""

    def __init__(self):
        self._asked: list[Figure] = []

    def ask(self, name: str, area: str, period: Period, **params) -> Figure | None:
        """A placeholder answered by ``resolve``; None when no such metric is registered."""
        if not available(name):
            return None
        figure = Figure(name, area, period, given_params(params))
        self._asked.append(figure)
        return figure

    def resolve(self) -> None:
        with memoized():
            prefetch([(f.name, f.area, f.period, f.params) for f in self._asked])
            for figure in self._asked:
                figure.value = None if _rate_of_nothing(figure) else compute(
                    figure.name, figure.area, figure.period, **figure.params)


def _rate_of_nothing(figure: Figure) -> bool:
    """A rate whose whole is zero (nobody due a visit, no report due): shown as "—", as the home
    cards do, not as 0%, which would read as a failure. The whole is one of the counts the rate is
    built from (``built_from``: part, whole), asked already by ``prefetch``."""
    info = METRICS[figure.name]
    if info.unit != "%" or len(info.built_from) != 2:
        return False
    whole = METRICS[info.built_from[1]]
    return compute(whole.name, figure.area, figure.period,
                   **{k: v for k, v in figure.params.items() if k in whole.params}) == 0


def nobody_registered_notice(area, period: Period, registered) -> str:
    """The notice of a dashboard or a statistics table whose area had nobody on file at the end
    of ``period`` (``registered``: the area's ``persons_registered`` figure then): its zeros are
    no finding, so the page says why ("" when someone was)."""
    if registered != 0:
        return ""
    return (f"{area.name}在{period.label}末没有在册人员：所选期间早于最早的建档记录"
            "（或辖区尚无记录），下面的人数、次数均为0，比率为“—”。")
