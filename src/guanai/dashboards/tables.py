"""Statistics tables (统计报表, DESIGN §7: pages under /stats/): rows of sub-areas, columns of
metrics or of categories, for any period, with a total row that is checked against its rows and
cross-column checks (勾稽关系: a whole equals the sum of its parts) run and shown.

Every cell is a metric's figure (``figures.Figures``) for the row's area and the period. The total
row is the metric asked of the whole area; the table checks that it equals the sum of the rows.
Records filed on the area itself rather than on one of its sub-areas (an activity held by the
county) make a difference, shown as a row of its own (本级) so that the table adds up; a negative
difference (rows counting more than the whole) is an error and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.stats.metrics import percent
from guanai.stats.periods import Period

from .figures import REGISTERED, Figure, Figures, available, nobody_registered_notice


@dataclass(frozen=True)
class Column:
    label: str
    unit: str
    metric: str
    params: dict = field(default_factory=dict)
    group: str = ""  # the header above several columns (年龄, 性别 ...)
    # A rate (%) is not summed: its total is built from the summed columns it is the ratio of
    # (numbers of the columns, 1-based), and the metric's own total is checked against that.
    rate_of: tuple[int, int] | None = None


@dataclass(frozen=True)
class Check:
    """``left op right``, columns by their number (1-based); op is "=" or "<="."""

    left: tuple[int, ...]
    op: str
    right: tuple[int, ...]
    note: str = ""

    @property
    def text(self) -> str:
        sign = "≤" if self.op == "<=" else "="
        return f"{' + '.join(map(str, self.left))} {sign} {' + '.join(map(str, self.right))}"

    def holds(self, values: list) -> tuple[bool, float, float]:
        left = sum(values[i - 1] or 0 for i in self.left)
        right = sum(values[i - 1] or 0 for i in self.right)
        return (left == right if self.op == "=" else left <= right), left, right


@dataclass(frozen=True)
class TableSpec:
    slug: str
    title: str
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = ()
    description: str = ""
    needs: tuple[str, ...] = ()  # metrics that must be registered for the table to exist

    @property
    def unit(self) -> str:
        """The table's unit of measure when every column shares one (计量单位), else ""."""
        units = {c.unit for c in self.columns}
        return units.pop() if len(units) == 1 else ""

    @property
    def groups(self) -> list[tuple[str, list[str]]]:
        """The columns' headers under their group's header, in order ("" for a column standing
        alone); a header carries its unit when the table has no single one."""
        groups: list[tuple[str, list[str]]] = []
        for column in self.columns:
            header = column.label if self.unit else f"{column.label}（{column.unit}）"
            if groups and column.group and groups[-1][0] == column.group:
                groups[-1][1].append(header)
            else:
                groups.append((column.group, [header]))
        return groups

    @property
    def has_groups(self) -> bool:
        return any(c.group for c in self.columns)


@dataclass
class Row:
    label: str
    cells: list
    area: Area | None = None
    url: str = ""
    kind: str = "child"  # child, own (本级), total
    failed: bool = False
    units: list[str] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple]:
        """(value, unit) of each cell, as the template writes them."""
        return list(zip(self.cells, self.units))


@dataclass
class CheckResult:
    text: str
    note: str
    failures: list[tuple[str, float, float]]  # (row label, left, right)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class BuiltTable:
    spec: TableSpec
    area: Area
    period: Period
    rows: list[Row]
    total: Row
    checks: list[CheckResult]
    below_village: str = ""
    nobody_registered: str = ""  # the dashboards' notice: nobody on file at the period's end

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.total]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def build(spec: TableSpec, area: Area, period: Period) -> BuiltTable:
    figures = Figures()
    children = list(Area.objects.filter(parent_id=area.code).order_by("code"))
    child_rows = [(child, [figures.ask(c.metric, child.code, period, **c.params) for c in spec.columns])
                  for child in children]
    total_cells = [figures.ask(c.metric, area.code, period, **c.params) for c in spec.columns]
    registered = figures.ask(REGISTERED, area.code, period)  # the registry table's own 在册人员: asked once
    figures.resolve()
    rows = [Row(child.name, [_value(f) for f in cells], child,
                f"{reverse('dashboards:table', args=[spec.slug, child.code])}?period={period.key}")
            for child, cells in child_rows]
    total = Row("合计", [_value(f) for f in total_cells], area, kind="total")
    checks = []
    if rows:
        own, sums = _own_row(spec, area, rows, total)
        if own is not None:
            rows.append(own)
        checks.append(sums)
    for check in spec.checks:
        failures = []
        for row in [*rows, total]:
            holds, left, right = check.holds(row.cells)
            if not holds:
                failures.append((row.label, left, right))
                row.failed = True
        checks.append(CheckResult(check.text, check.note, failures))
    for row in [*rows, total]:
        row.units = [c.unit for c in spec.columns]
    message = ""
    if area.level == codes.VILLAGE:
        message = f"{area.name}是村（社区）一级，没有下级区划可以分列；下表只有本村合计。"
    return BuiltTable(spec, area, period, rows, total, checks, message,
                      nobody_registered_notice(area, period, _value(registered)))


def _value(figure: Figure | None):
    return None if figure is None else figure.value


def _own_row(spec: TableSpec, area: Area, rows: list[Row], total: Row) -> tuple[Row | None, CheckResult]:
    """The 本级 row (records on the area itself) and the check that the total equals the rows."""
    own_cells, failures = [], []
    for i, column in enumerate(spec.columns):
        if column.rate_of:
            own_cells.append(None)
            continue
        difference = (total.cells[i] or 0) - sum(r.cells[i] or 0 for r in rows)
        if isinstance(difference, float):
            difference = round(difference, 2)
        own_cells.append(difference)
        if difference < 0:
            failures.append((f"{column.label}（第{i + 1}栏）", total.cells[i], total.cells[i] - difference))
    for i, column in enumerate(spec.columns):
        if column.rate_of:
            part, whole = (sum(r.cells[n - 1] or 0 for r in rows) + (own_cells[n - 1] or 0) for n in column.rate_of)
            expected = percent(part, whole) if whole else None  # the metrics' rate; of nothing: "—" (figures)
            if total.cells[i] != expected:
                failures.append((f"{column.label}（第{i + 1}栏）", total.cells[i], expected))
    own = None
    if any(v for v in own_cells if v is not None):
        own = Row(f"{area.name}本级", own_cells, area, kind="own")
    note = ("合计为全区划的数字，各下级之和加本级直接登记的记录应等于合计；比率由合计的分子分母算出"
            if own is not None else "合计为全区划的数字，应等于各下级之和；比率由合计的分子分母算出")
    return own, CheckResult("合计 = 各下级之和" + (" + 本级" if own is not None else ""), note, failures)


# --- the tables ---------------------------------------------------------------------------------

def _registry_table() -> TableSpec:
    from guanai.registry.categories import CATEGORY_CHOICES

    return TableSpec(
        "registry", "关爱服务对象分类统计表",
        (Column("在册人员", "人", "persons_registered"),
         *(Column(label, "人", "persons_registered", {"category": code}, group="其中（按类别）")
           for code, label in CATEGORY_CHOICES),
         Column("新增建档", "人", "persons_new"), Column("退出管理", "人", "persons_exited")),
        description="在册人员为期末在册数；一人可属多个类别，各类别之和可大于在册人员。新增、退出为期间内人数。")


def _care_table() -> TableSpec:
    return TableSpec(
        "care", "走访慰问统计表",
        (Column("走访慰问", "次", "visits"), Column("走访对象", "人", "persons_visited"),
         Column("应走访", "人", "persons_due_visit", group="按期走访"),
         Column("按期走访", "人", "persons_visited_in_time", group="按期走访"),
         Column("逾期未访", "人", "persons_overdue_visit", group="按期走访"),
         Column("覆盖率", "%", "visit_coverage", group="按期走访", rate_of=(4, 3)),
         Column("慰问金", "元", "aid_cash_yuan", group="发放慰问"),
         Column("物资折款", "元", "aid_goods_value_yuan", group="发放慰问")),
        description="应走访、按期走访、覆盖率为期末（本期未结束时为今天）的状态；走访、慰问为期间内累计。")


def _activities_table() -> TableSpec:
    return TableSpec(
        "activities", "关爱活动统计表",
        (Column("开展活动", "场", "activities"), Column("参与群众", "人次", "activity_participants"),
         Column("受益人数", "人", "activity_beneficiaries"), Column("参与志愿者", "人次", "activity_volunteers"),
         Column("咨询人数", "人次", "activity_consultations"), Column("投入资金", "元", "activity_funds_yuan")),
        description="按活动日期计入期间；由县、市组织的活动记在组织它的区划本级。")


def _protection_table() -> TableSpec:
    return TableSpec(
        "protection", "强制报告和保护个案统计表",
        (Column("受理强制报告", "件", "cases_opened"), Column("结案", "件", "cases_closed"),
         Column("期末在办", "件", "cases_open"), Column("逾期处置环节", "个", "case_steps_late")),
        description="受理、结案为期间内件数；在办和逾期环节为期末（本期未结束时为现在）的状态。")


def _units_table() -> TableSpec:
    return TableSpec(
        "unit-reports", "联席会议成员单位报送统计表",
        (Column("应报送", "份", "unit_reports_due"), Column("已报送", "份", "unit_reports_submitted"),
         Column("按时报送", "份", "unit_reports_on_time"), Column("逾期或未报送", "份", "unit_reports_late"),
         Column("报送率", "%", "unit_reporting_rate", rate_of=(2, 1)),
         Column("按时报送率", "%", "unit_on_time_rate", rate_of=(3, 1))),
        checks=(Check((3,), "<=", (2,), "按时报送的报表都已报送"),),
        description="按各级联席会议成员单位的报表计算（报表期间的截止日在所选期间内）。",
        needs=("unit_reports_due", "unit_reports_submitted", "unit_reports_on_time", "unit_reports_late",
               "unit_reporting_rate", "unit_on_time_rate"))


def table_specs() -> dict[str, TableSpec]:
    """The statistics tables whose metrics are registered (the joint conference's come from
    coordination), by slug, in the order the index lists them."""
    from .national import national_tables

    specs = [_registry_table(), *national_tables(), _care_table(), _activities_table(), _protection_table(),
             _units_table()]
    return {spec.slug: spec for spec in specs
            if all(available(name) for name in spec.needs or [c.metric for c in spec.columns])}
