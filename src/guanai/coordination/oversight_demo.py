"""Demo supervision, assessment and projects of 示范市, through the real services:

- this year's supervision round with a rectification item in every status (未整改, 整改中,
  已整改 on time and late, verified, and 逾期 — one of 示范市教育局, the ``unit`` account's
  unit, and one of 城关镇, the ``township`` account's), and last year's round, all put right;
- last year's assessment of the member units and of the townships, computed and entered;
- two projects with progress: 圈舍改建 (160户480间, 69户 started, 47 finished: behind
  schedule) and 危旧房改造 (41户, 12 started).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from guanai.core.demo import CITY_CODE, DemoContext, demo_step

from . import oversight_assessment as assessment
from . import oversight_projects as projects
from . import oversight_supervision as supervision
from .models import AssessmentScheme, RectificationItem

COUNTY = "990101000000"
TOWNSHIP = "990101001000"  # 城关镇, the township account's
OTHER_TOWNSHIP = "990101002000"
# A 1×1 PNG: the photo of a rectification's evidence.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@demo_step(70)
def build_oversight(ctx: DemoContext) -> None:
    """督导检查、年度考核与项目"""
    office = ctx.users.get("office")
    if office is None or len(ctx.units) < 8:
        return
    _last_year_round(ctx, office)
    _this_year_round(ctx, office)
    _assessment(ctx, office)
    _projects(ctx, office)


def _unit(ctx, suffix: str):
    return next(u for u in ctx.units if u.name.endswith(suffix))


def _progress(item, user, status, on=None, note="", files=()):
    item.refresh_from_db()
    return supervision.report_progress(acting_user=user, item=item, expected_version=item.version, status=status,
                                       progress_note=note, completed_on=on, files=files)


def _last_year_round(ctx: DemoContext, office) -> None:
    year = ctx.today.year - 1
    start = date(year, 10, 12)
    last = supervision.create_round(
        acting_user=office, title=f"{year}年第四季度关爱留守儿童工作督导检查", area_code=CITY_CODE,
        started_on=start, ended_on=start + timedelta(days=3), methods=["documents", "briefing", "spot_check"],
        team_users=[office], team_units=[_unit(ctx, "民政局")], visited_areas=[],
        visited_units=[_unit(ctx, s) for s in ("教育局", "公安局", "卫生健康委员会", "妇女联合会")],
        findings="各成员单位职责基本落实，个别单位台账不规范、信息共享不及时。")
    rows = [("教育局", "控辍保学台账与摸底数据不一致", date(year, 11, 30), date(year, 11, 20)),
            ("公安局", "事实无人抚养儿童户籍核查未完成", date(year, 11, 30), date(year, 12, 18)),
            ("卫生健康委员会", "留守儿童健康体检未全覆盖", date(year, 12, 15), date(year, 12, 10)),
            ("妇女联合会", "“爱心妈妈”结对名册未及时更新", date(year, 11, 30), date(year, 12, 26))]
    for suffix, problem, deadline, done_on in rows:
        item = supervision.add_item(acting_user=office, supervision=last, problem=problem, measure="限期整改到位",
                                    deadline=deadline, responsible_unit=_unit(ctx, suffix))
        _progress(item, office, RectificationItem.DONE, done_on, "已整改到位。")


def _this_year_round(ctx: DemoContext, office) -> None:
    today = ctx.today
    start = today - timedelta(days=60)
    current = supervision.create_round(
        acting_user=office, title=f"{start.year}年关爱留守儿童工作专项督导", area_code=CITY_CODE,
        started_on=start, ended_on=start + timedelta(days=4),
        methods=["documents", "briefing", "site_visit", "spot_check"],
        team_users=[u for u in (office, ctx.users.get("city")) if u is not None],
        team_units=[_unit(ctx, "民政局"), _unit(ctx, "妇女联合会")],
        visited_areas=[a for a in ctx.areas.get(4, []) if a.code in (TOWNSHIP, OTHER_TOWNSHIP)],
        visited_units=[_unit(ctx, "教育局"), _unit(ctx, "公安局"), _unit(ctx, "财政局")],
        findings="各地各单位认真落实关爱服务工作，摸底排查基本到位；部分学校成长档案不全，个别村走访记录不规范，"
                 "经费拨付不及时。")
    unit_user = ctx.users.get("unit")

    def add(problem, measure, days, *, unit=None, area=None):
        return supervision.add_item(acting_user=office, supervision=current, problem=problem, measure=measure,
                                    deadline=today + timedelta(days=days), responsible_unit=unit,
                                    responsible_area_code=area)

    # 逾期 (未整改, past the deadline): on the home page of 示范市教育局's reporter and of the office.
    add("部分学校未建立留守儿童成长档案", "全面建立成长档案，落实“一人一档”", -20, unit=_unit(ctx, "教育局"))
    # 整改中, within the deadline.
    item = add("寄宿制学校心理辅导教师配备不足", "配齐专兼职心理辅导教师，开展心理健康教育", 30, unit=_unit(ctx, "教育局"))
    _progress(item, unit_user or office, RectificationItem.IN_PROGRESS, note="已招聘兼职心理教师3名，培训工作正在进行。")
    # 已整改 on time, with a photo, verified by the office.
    item = add("户籍信息与摸底数据未及时比对", "建立户籍与摸底数据定期比对机制", -30, unit=_unit(ctx, "公安局"))
    photo = SimpleUploadedFile("比对工作照片.png", PNG, content_type="image/png")
    _progress(item, office, RectificationItem.DONE, today - timedelta(days=35), "已完成全市比对，更正信息12条。",
              files=[photo])
    item.refresh_from_db()
    supervision.verify_item(acting_user=office, item=item, expected_version=item.version,
                            verified_on=today - timedelta(days=25), note="查阅比对台账，属实。")
    # 已整改, but after the deadline.
    item = add("关爱服务经费拨付不及时", "按季度足额拨付关爱服务经费", -15, unit=_unit(ctx, "财政局"))
    _progress(item, office, RectificationItem.DONE, today - timedelta(days=8), "第三季度经费已全部拨付。")
    # 未整改, within the deadline.
    add("个别村儿童主任走访记录不全", "规范走访记录，每月检查一次", 15, area=OTHER_TOWNSHIP)
    # 逾期 while 整改中: on the township account's home page.
    item = add("留守儿童委托监护协议签订不全", "逐户补签委托监护协议", -5, area=TOWNSHIP)
    _progress(item, ctx.users.get("township") or office, RectificationItem.IN_PROGRESS,
              note="已补签协议46份，尚有9户监护人在外务工未签。")


def _assessment(ctx: DemoContext, office) -> None:
    year = ctx.today.year - 1
    rng = ctx.rng
    units = assessment.create_scheme(acting_user=office, title=f"{year}年度成员单位关爱服务工作考核",
                                     year=year, area_code=CITY_CODE, subject=AssessmentScheme.UNITS, total_points=100)
    for name, points, rule, extra in [
        ("领导机制", 5, "manual", {"requirement": "成立工作领导小组，明确分管领导和联络员（各1分）"}),
        ("联席会议", 10, "deduction", {"requirement": "全年参加联席会议4次，少一次扣2.5分", "target": 4,
                                      "deduct_per": "2.5"}),
        ("整改落实", 30, "deduction", {"requirement": "督导发现问题按期整改，每逾期一项扣10分", "target": 0,
                                      "deduct_per": 10, "higher_is_better": False,
                                      "metric": "rectification_items_late"}),
        ("职责任务落实", 55, "manual", {"requirement": "按职责分工完成年度工作要点"}),
    ]:
        assessment.add_indicator(acting_user=office, scheme=units, name=name, points=points, rule=rule, **extra)
    townships = assessment.create_scheme(acting_user=office, title=f"{year}年度乡镇（街道）关爱服务工作考核",
                                         year=year, area_code=CITY_CODE, subject=AssessmentScheme.TOWNSHIPS,
                                         total_points=100)
    for name, points, rule, extra in [
        ("领导机制", 5, "manual", {"requirement": "成立协调小组、落实包保责任制"}),
        ("摸底排查", 15, "deduction", {"requirement": "村级排查完成率100%，每低1个百分点扣0.5分", "target": 100,
                                      "deduct_per": "0.5"}),
        ("走访覆盖率", 30, "proportional", {"requirement": "按期走访率100%，按比例得分", "target": 100,
                                         "metric": "visit_coverage"}),
        ("整改落实", 10, "deduction", {"requirement": "督导发现问题按期整改，每逾期一项扣5分", "target": 0,
                                      "deduct_per": 5, "higher_is_better": False,
                                      "metric": "rectification_items_late"}),
        ("保护个案处置", 10, "deduction", {"requirement": "强制报告个案按时限处置，每逾期一个环节扣2分", "target": 0,
                                        "deduct_per": 2, "higher_is_better": False, "metric": "case_steps_late"}),
        ("日常工作", 30, "manual", {"requirement": "信息报送、宣传培训、档案管理"}),
    ]:
        assessment.add_indicator(acting_user=office, scheme=townships, name=name, points=points, rule=rule, **extra)
    for scheme in (units, townships):
        assessment.compute_scores(acting_user=office, scheme=scheme)
        for score in scheme.scores.filter(indicator__metric="").select_related("indicator").order_by("pk"):
            indicator = score.indicator
            points = indicator.points
            if indicator.rule == "manual":
                given = (points * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.1"))
                assessment.enter_score(acting_user=office, score=score, expected_version=score.version,
                                       score_value=given, note="查阅年度工作台账和佐证材料")
            elif indicator.name == "联席会议":
                assessment.enter_score(acting_user=office, score=score, expected_version=score.version,
                                       value=rng.choice([4, 4, 4, 3, 2]), note="据联席会议签到表")
            else:
                assessment.enter_score(acting_user=office, score=score, expected_version=score.version,
                                       value=rng.choice([100, 100, 98, 95, 90]), note="据排查台账，完成村数/应排查村数")


def _projects(ctx: DemoContext, office) -> None:
    today = ctx.today
    pens = projects.create_project(
        acting_user=office, name="圈舍改建项目", area_code=COUNTY, responsible_unit=_unit(ctx, "财政局"),
        planned_start=today - timedelta(days=240), planned_end=today + timedelta(days=60),
        description="改善困难家庭生产生活条件，实施人畜分离圈舍改建。",
        lines=[{"action": "改建", "subject": "圈舍", "measure": "户", "planned": "160"},
               {"action": "改建", "subject": "圈舍", "measure": "间", "planned": "480"},
               {"action": "", "subject": "项目投资", "measure": "万元", "planned": "464.9"}])
    houses, rooms, _money = list(pens.lines.order_by("order"))
    for days, started, finished, started_rooms, spent in [(180, 20, 0, 60, "52"), (90, 45, 18, 135, "130.5"),
                                                          (10, 69, 47, 207, "215.6")]:
        pens.refresh_from_db()
        projects.report_progress(acting_user=office, project=pens, expected_version=pens.version,
                                 reported_on=today - timedelta(days=days), spent_wan=spent,
                                 figures={houses.pk: {"started": started, "finished": finished},
                                          rooms.pk: {"started": started_rooms}})
    houses_old = projects.create_project(
        acting_user=office, name="危旧房改造项目", area_code=OTHER_TOWNSHIP, responsible_unit=_unit(ctx, "民政局"),
        planned_start=today - timedelta(days=30), planned_end=today + timedelta(days=335),
        lines=[{"action": "改造", "subject": "危旧房", "measure": "户", "planned": "41"}])
    line = houses_old.lines.get()
    projects.report_progress(acting_user=office, project=houses_old, expected_version=houses_old.version,
                             reported_on=today - timedelta(days=5), figures={line.pk: {"started": 12, "finished": 0}},
                             note="已开工12户，其余正在办理手续。")
