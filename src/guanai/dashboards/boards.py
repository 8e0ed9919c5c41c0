"""What each role's dashboard shows (issue 14, point 1): headline figures, charts and the table of
sub-areas, all as questions to ``figures.Figures`` (so through the metric functions).

- village worker (or any village): who is due and overdue, the period's visits, open cases,
  children turning 16, and the visits of the last twelve months;
- township, county and city staff (and the admin): the registry by category and risk, coverage,
  aid, activities, cases and late steps, screening progress, twelve months' trend, sub-areas;
- leaders: the same figures and charts, no links into personal records;
- the office: the leaders' board and the joint conference's panels, built from whatever of its
  metrics are registered (asked by name; a panel appears when its metrics exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.care.models import Activity
from guanai.registry import categories as cat
from guanai.registry.models import RiskAssessment
from guanai.stats.periods import MONTH, Period, parse_period, period_containing

from .figures import Figure, Figures

CATEGORIES = cat.CATEGORY_CHOICES
RISK_LEVELS = [(level, f"{label}色") for level, label in RiskAssessment.LEVELS]
ACTIVITY_KINDS = [(kind, str(label)) for kind, label in Activity.KIND_CHOICES]
COVERAGE_ROLES = frozenset({roles.ADMIN, roles.STAFF, roles.OFFICE, roles.LEADER})  # care.views' coverage page

# The joint conference's panels on the office's board: (title, [(metric, label)], page listing them),
# each shown when its metrics are registered (coordination defines them; DESIGN §7 names the first
# four); the yearly assessment is scored on its own pages, linked when they exist.
OFFICE_PANELS = [
    ("联席会议成员单位报送", [("unit_reports_due", "应报送"), ("unit_reports_submitted", "已报送"),
                            ("unit_reports_on_time", "按时报送"), ("unit_reports_late", "逾期或未报送"),
                            ("unit_reporting_rate", "报送率"), ("unit_on_time_rate", "按时报送率")],
     "coordination:report_list"),
    ("督导整改", [("rectification_items", "发现问题整改事项"), ("rectification_items_overdue", "逾期未整改"),
              ("rectification_items_late", "未按期整改"), ("rectification_on_time_rate", "整改按期完成率")],
     "oversight:item_list"),
    ("项目推进", [("projects_under_way", "实施项目"), ("projects_behind_schedule", "进度滞后项目")],
     "oversight:project_list"),
    ("年度考核", [], "oversight:scheme_list"),
]

VILLAGE_BOARD, AREA_BOARD = "village", "area"


@dataclass
class Headline:
    figure: Figure
    label: str = ""
    url: str = ""

    def __post_init__(self):
        self.label = self.label or self.figure.label


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # bar, line, pie, stack (stacked bars)
    unit: str
    categories: list[str]
    series: list[tuple[str, list[Figure]]]
    note: str = ""

    @property
    def dom_id(self) -> str:
        return f"chart-data-{self.key}"

    @property
    def series_names(self) -> list[str]:
        return [name for name, _figures in self.series]

    def spec(self) -> dict:
        """What static/guanai/charts.js draws (after the figures are resolved)."""
        return {"title": self.title, "kind": self.kind, "unit": self.unit, "categories": self.categories,
                "series": [{"name": name, "data": [f.value for f in figures]} for name, figures in self.series]}

    def rows(self) -> list[tuple[str, list]]:
        """The same numbers as a table: one row per category, one column per series."""
        return [(category, [figures[i].value for _name, figures in self.series])
                for i, category in enumerate(self.categories)]


@dataclass
class Column:
    label: str
    name: str
    params: dict = field(default_factory=dict)


@dataclass
class SubAreaRow:
    area: Area
    url: str
    cells: list[Figure]


@dataclass
class Panel:
    title: str
    headlines: list[Headline]
    chart: Chart | None = None
    url: str = ""


@dataclass
class Board:
    kind: str
    area: Area
    period: Period
    as_of: date
    headlines: list[Headline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    rows: list[SubAreaRow] = field(default_factory=list)
    total: list[Figure] = field(default_factory=list)
    below_village: str = ""  # the message in place of sub-areas at a village


SUB_AREA_COLUMNS = [
    Column("在册人员（人）", "persons_registered"),
    Column("农村留守儿童（人）", "persons_registered", {"category": "left_behind_child"}),
    Column("困境儿童（人）", "persons_registered", {"category": "child_in_difficulty"}),
    Column("走访覆盖率（%）", "visit_coverage"),
    Column("走访慰问（次）", "visits"),
    Column("发放慰问金（元）", "aid_cash_yuan"),
    Column("开展活动（场）", "activities"),
    Column("在办保护个案（件）", "cases_open"),
    Column("逾期处置环节（个）", "case_steps_late"),
]


def day_period(day: date) -> Period:
    """One day as a period: the question the village tallies answer for that day."""
    return Period(day, day, day.isoformat())


def last_twelve_months(period: Period, today: date) -> list[Period]:
    """The twelve months ending with the period's last month (this month while it runs)."""
    month = period_containing(MONTH, min(period.end, today))
    months = [month]
    for _ in range(11):
        previous = months[-1].start.replace(day=1)
        year, number = (previous.year, previous.month - 1) if previous.month > 1 else (previous.year - 1, 12)
        months.append(parse_period(f"{year}-{number:02d}"))
    return list(reversed(months))


def may_open_lists(user, area: Area) -> bool:
    """Whether headline figures may link to the lists of records behind them: the user's own area,
    for the roles that keep records (leaders and the office see figures only)."""
    return user_role(user) in roles.AREA_RECORD_ROLES and area.code == (user.area_id or area.code)


def build_board(user, area: Area, period: Period) -> Board:
    today = timezone.localdate()
    as_of = min(period.end, today)
    board = Board(kind=VILLAGE_BOARD if area.level == codes.VILLAGE else AREA_BOARD, area=area, period=period,
                  as_of=as_of)
    figures = Figures()
    links = may_open_lists(user, area)
    if board.kind == VILLAGE_BOARD:
        _village(board, figures, links, today)
        board.below_village = f"{area.name}是村（社区）一级，没有下级区划可以展开。"
    else:
        _area_figures(board, figures, links, today, user)
        _sub_areas(board, figures)
    if user_role(user) in (roles.OFFICE, roles.ADMIN):
        _office_panels(board, figures)
    figures.resolve()
    return board


def _visits_url(period: Period) -> str:
    return f"{reverse('care:visit_list')}?from={period.start.isoformat()}&to={period.end.isoformat()}"


def _trend(board: Board, figures: Figures, today: date) -> list[Period]:
    months = last_twelve_months(board.period, today)
    code = board.area.code
    board.charts.append(Chart("visits-trend", "近12个月走访慰问（次）", "line", "次",
                              [f"{m.start.year}年{m.start.month}月" for m in months],
                              [("走访慰问", [figures.ask("visits", code, m) for m in months])]))
    return months


def _village(board: Board, figures: Figures, links: bool, today: date) -> None:
    code, period = board.area.code, board.period
    state = day_period(board.as_of)  # the due lists' and home cards' question: as of that day
    due = reverse("care:due")
    board.headlines = [
        Headline(figures.ask("persons_overdue_visit", code, state), "逾期未访（人）",
                 f"{due}?status=overdue" if links else ""),
        Headline(figures.ask("persons_first_visit_pending", code, state), "待首访（人）",
                 f"{due}?status=first" if links else ""),
        Headline(figures.ask("persons_visit_due_soon", code, state), "近期待访（人）",
                 f"{due}?status=soon" if links else ""),
        Headline(figures.ask("visits", code, period), f"{period.label}走访慰问（次）",
                 _visits_url(period) if links else ""),
        Headline(figures.ask("persons_visited", code, period), f"{period.label}走访对象（人）"),
        Headline(figures.ask("cases_open", code, period), "在办保护个案（件）",
                 reverse("protection:list") if links else ""),
        Headline(figures.ask("children_aging_out", code, state), "90天内年满16周岁（人）",
                 reverse("registry:aging_out") if links else ""),
        Headline(figures.ask("persons_registered", code, period), "在册人员（人）",
                 reverse("registry:list") if links else ""),
    ]
    board.charts.append(Chart("due", "待访情况（人）", "bar", "人", ["逾期未访", "待首访", "近期待访"],
                              [("人数", [h.figure for h in board.headlines[:3]])]))
    _trend(board, figures, today)


def _area_figures(board: Board, figures: Figures, links: bool, today: date, user) -> None:
    code, period = board.area.code, board.period
    ask = figures.ask
    # The coverage page shows the same figure by sub-area, for the same area and period.
    coverage_url = (f"{reverse('care:coverage')}?area={code}&period={period.key}"
                    if user_role(user) in COVERAGE_ROLES else "")
    person_list = reverse("registry:list")
    board.headlines = [
        Headline(ask("persons_registered", code, period), "在册人员（人）", person_list if links else ""),
        Headline(ask("persons_registered", code, period, category="left_behind_child"), "农村留守儿童（人）",
                 f"{person_list}?category=left_behind_child" if links else ""),
        Headline(ask("persons_registered", code, period, category="child_in_difficulty"), "困境儿童（人）",
                 f"{person_list}?category=child_in_difficulty" if links else ""),
        Headline(ask("persons_at_risk", code, period, level="red"), "红色风险（人）",
                 f"{person_list}?risk=red" if links else ""),
        Headline(ask("visit_coverage", code, period), "走访覆盖率（%）", coverage_url),
        Headline(ask("visits", code, period), "走访慰问（次）", _visits_url(period) if links else ""),
        Headline(ask("aid_cash_yuan", code, period), "发放慰问金（元）"),
        Headline(ask("aid_goods_value_yuan", code, period), "发放物资折款（元）"),
        Headline(ask("activities", code, period), "开展活动（场）",
                 f"{reverse('care:activity_list')}?period={period.key}" if links else ""),
        Headline(ask("cases_opened", code, period), "受理强制报告（件）"),
        Headline(ask("cases_open", code, period), "在办保护个案（件）"),
        Headline(ask("case_steps_late", code, period), "逾期处置环节（个）",
                 f"{reverse('protection:list')}?show=late" if links else ""),
        Headline(ask("screening_reports_in", code, period), "已上报排查结果（个村）"),
        Headline(ask("screening_reports_due", code, period), "应上报排查结果（个村）"),
    ]
    board.charts.append(Chart("categories", "在册关爱服务对象构成（人）", "bar", "人", [label for _c, label in CATEGORIES],
                              [("在册人员", [ask("persons_registered", code, period, category=c) for c, _l in CATEGORIES])]))
    board.charts.append(Chart("risk", "风险等级分布（人）", "pie", "人", [label for _l, label in RISK_LEVELS],
                              [("人数", [ask("persons_at_risk", code, period, level=lvl) for lvl, _l in RISK_LEVELS])],
                              note="按每人当前的风险评估"))
    months = _trend(board, figures, today)
    board.charts.append(Chart("aid-trend", "近12个月发放慰问金和物资（元）", "stack", "元",
                              [f"{m.start.year}年{m.start.month}月" for m in months],
                              [("慰问金", [ask("aid_cash_yuan", code, m) for m in months]),
                               ("物资折款", [ask("aid_goods_value_yuan", code, m) for m in months])]))
    board.charts.append(Chart("activities", "开展活动（场）", "bar", "场", [label for _k, label in ACTIVITY_KINDS],
                              [("活动", [ask("activities", code, period, kind=k) for k, _l in ACTIVITY_KINDS])]))
    board.charts.append(Chart("cases", "强制报告和保护个案（件）", "bar", "件", ["受理强制报告", "结案", "在办"],
                              [("个案", [ask("cases_opened", code, period), ask("cases_closed", code, period),
                                       ask("cases_open", code, period)])]))


def _sub_areas(board: Board, figures: Figures) -> None:
    period = board.period
    board.columns = SUB_AREA_COLUMNS
    children = list(Area.objects.filter(parent_id=board.area.code).order_by("code"))
    for child in children:
        url = f"{reverse('dashboards:area', args=[child.code])}?period={period.key}"
        board.rows.append(SubAreaRow(child, url, [figures.ask(c.name, child.code, period, **c.params)
                                                  for c in board.columns]))
    board.total = [figures.ask(c.name, board.area.code, period, **c.params) for c in board.columns]
    if children:
        coverage = board.columns.index(next(c for c in board.columns if c.name == "visit_coverage"))
        board.charts.append(Chart("coverage", "各下级区划走访覆盖率（%）", "bar", "%", [c.name for c in children],
                                  [("走访覆盖率", [row.cells[coverage] for row in board.rows])]))


def _office_panels(board: Board, figures: Figures) -> None:
    code, period = board.area.code, board.period
    for title, metrics_, url_name in OFFICE_PANELS:
        headlines = [Headline(f, label) for name, label in metrics_ if (f := figures.ask(name, code, period))]
        url = _url_or_blank(url_name)
        if not headlines and not (url and not metrics_):
            continue
        counts = [h for h in headlines if h.figure.unit != "%"]
        chart = Chart(f"office-{len(board.panels)}", f"{title}（{counts[0].figure.unit}）", "bar", counts[0].figure.unit,
                      [h.label for h in counts], [(title, [h.figure for h in counts])]) if counts else None
        board.panels.append(Panel(title, headlines, chart, url))


def _url_or_blank(name: str) -> str:
    """The page of a joint-conference panel, when the app serving it is installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
