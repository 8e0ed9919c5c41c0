"""The demo city's joint conference: its member units with liaisons and duties, the quarterly
report form, and four quarters of reports in every state, all through the real services.

The four quarters are the last four complete ones before the load day. In the three older
ones most units reported on time and were approved; some were late, one was returned and
resubmitted, and one unit never reported. In the newest one the reports are at every step:
approved, awaiting review, returned, resubmitted, a draft — and the ``unit`` account's
示范市教育局 has not begun its report, so the demo has one to fill.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from guanai.core.demo import CITY_CODE, DEMO_PASSWORD, DemoContext, demo_step
from guanai.stats.periods import last_complete_quarter, period_containing

# Duties (职责分工) and how each unit writes about its work, by a word of its name.
_UNIT_TEXT = {
    "民政": (["牵头做好农村留守儿童和困境儿童关爱服务工作，承担联席会议办公室日常工作",
             "指导儿童主任、儿童督导员开展摸底排查和信息动态更新",
             "落实困境儿童分类保障政策，做好强制报告受理和应急处置"],
            "组织各村（社区）儿童主任开展入户走访，逐户核实留守儿童信息，动态更新关爱台账。",
            "部分村儿童主任兼职较多，走访记录不够及时。",
            "继续加强儿童主任业务培训，推动走访记录及时录入系统。"),
    "教育": (["建立农村留守儿童学籍信息台账，落实控辍保学责任",
             "优先满足留守儿童寄宿需求，加强心理健康教育",
             "组织教师开展家访和结对帮扶"],
            "组织中小学班主任开展留守儿童家访，建立一生一档，落实控辍保学和心理健康教育。",
            "个别学校心理健康教师配备不足，家校沟通渠道有待拓宽。",
            "开展寒假留守儿童安全教育，推动每所学校配备心理辅导教师。"),
    "公安": (["加强农村留守儿童安全保护，及时受理涉及留守儿童的报警求助",
             "依法打击侵害未成年人合法权益的违法犯罪行为",
             "协助做好无户籍儿童落户工作"],
            "开展护校安园和校园周边治安整治，对涉及留守儿童的警情做到快速处置。",
            "部分偏远村组警力覆盖不足。",
            "继续开展平安校园建设，会同民政部门做好强制报告线索核查。"),
    "司法": (["开展未成年人保护法律宣传进校园、进村居", "为困境儿童提供法律援助"],
            "组织律师和法律明白人走进校园、村居开展法治宣传，为困难家庭提供法律咨询。",
            "宣传形式还不够丰富，针对留守儿童监护人的宣传有待加强。",
            "结合寒暑假开展法治宣传，针对监护人开展家庭教育促进法宣传。"),
    "财政": (["按规定落实关爱服务工作经费", "加强资金使用监管"],
            "及时拨付关爱服务专项资金，督促各地规范资金使用。",
            "个别乡镇资金拨付进度偏慢。",
            "加强资金使用绩效评价，确保资金及时足额用于关爱服务。"),
    "人力资源": (["推动返乡创业就业，从源头上减少留守现象", "开展外出务工人员职业技能培训"],
                "组织返乡创业就业专场招聘，帮助外出务工父母就近就业。",
                "就近就业岗位与务工人员需求匹配度不高。",
                "继续举办专场招聘会，加大返乡创业扶持力度。"),
    "卫生": (["做好留守儿童健康体检和疫苗接种", "开展心理健康服务和义诊活动"],
            "组织医务人员开展义诊进乡村活动，为留守儿童建立健康档案。",
            "基层心理健康服务力量薄弱。",
            "推动家庭医生签约服务覆盖困境儿童家庭。"),
    "妇女": (["实施爱心家长结对帮扶", "推进儿童之家建设和家庭教育指导"],
            "组织爱心妈妈与留守儿童结对，依托儿童之家开展亲子阅读和家庭教育指导。",
            "部分儿童之家活动开展不够经常。",
            "继续扩大爱心妈妈队伍，提升儿童之家服务水平。"),
    "团": (["组织青年志愿者开展关爱服务", "开展希望工程助学活动"],
          "组织青年志愿者开展课业辅导和陪伴成长活动，开展希望工程助学。",
          "志愿服务的持续性还需加强。",
          "建立志愿服务长效机制，开展寒假陪伴成长活动。"),
    "残疾": (["做好残疾儿童康复救助", "推动残疾儿童入学和辅具适配"],
            "为残疾儿童提供康复训练和辅具适配服务，协助残疾儿童入学。",
            "康复机构分布不均，偏远地区家庭接受服务不便。",
            "推动康复服务进家庭，扩大残疾儿童康复救助覆盖面。"),
}
_WORK_POINTS = [
    "健全农村留守儿童和困境儿童信息台账，做到底数清、情况明、数据准",
    "落实委托监护责任，确保每名留守儿童都有有效监护人",
    "推动儿童主任、儿童督导员按规定频次开展走访，及时发现和处置风险",
    "发挥成员单位职能作用，形成关爱保护工作合力",
    "加强督导检查和考核评估，推动各项任务落到实处",
]
_RETURN_REASONS = ["“存在问题”填写过于笼统，请结合本单位实际具体说明。",
                   "投入资金与资金使用说明不一致，请核实后重新报送。"]


def _texts(unit_name: str):
    for word, texts in _UNIT_TEXT.items():
        if word in unit_name:
            return texts
    return (["参与农村留守儿童关爱服务工作"], "结合部门职能开展关爱服务工作。", "工作力量有待加强。", "继续做好关爱服务工作。")


def _at(day, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@demo_step(70)
def build_conference(ctx: DemoContext) -> None:
    """联席会议、成员单位职责与季度报送"""
    from guanai.accounts import roles
    from guanai.accounts.models import User
    from guanai.areas.models import Area

    from . import services, workflow
    from .models import Duty, Indicator, ValidationRule
    from .schedule import deadline, entry_closed_reason

    office = ctx.users["office"]
    rng = ctx.rng
    conference = services.create_conference(acting_user=office, area_code=CITY_CODE,
                                            office_name="示范市民政局（联席会议办公室）", office_phone="0991-2345678")
    units = list(conference.units.order_by("-is_lead", "pk"))
    liaisons = {}
    for index, unit in enumerate(units):
        family, given = "王李张刘陈杨赵黄周吴"[index], ["海燕", "敏", "建军", "丽华", "志强", "秀梅", "国庆", "晓红", "磊", "春花"][index]
        services.update_unit(acting_user=office, unit=unit, name=unit.name, is_lead=unit.is_lead,
                             contact_name=f"{family}{given}", contact_phone=f"1390991{index:04d}", position=index + 1)
        account = ctx.users.get("unit") if unit.users.filter(username="unit").exists() else None
        if account is None:
            account = User(username=f"liaison{index + 1:02d}", last_name=family, first_name=given, role=roles.UNIT,
                           area=Area.objects.get(pk=CITY_CODE))
            account.set_password(DEMO_PASSWORD)
            account.save()
            services.assign_liaison(acting_user=office, unit=unit, account=account)
        liaisons[unit.pk] = account

    newest = last_complete_quarter(ctx.today)
    quarters = [newest]
    for _ in range(3):
        quarters.insert(0, period_containing("quarter", quarters[0].start - timedelta(days=1)))
    for year in sorted({q.start.year for q in quarters}):
        services.set_duties(acting_user=office, conference=conference, year=year, kind=Duty.WORK_POINT, unit=None,
                            items=_WORK_POINTS)
        for unit in units:
            services.set_duties(acting_user=office, conference=conference, year=year, kind=Duty.RESPONSIBILITY,
                                unit=unit, items=_texts(unit.name)[0])

    form = services.create_form(acting_user=office, conference=conference, name="成员单位关爱服务工作季度报表",
                                first_period=quarters[0].key, deadline_workdays=10, lock_workdays=65,
                                instructions="请于每季度结束后10个工作日内报送；带“系统记录”的指标已按本单位在平台登记的记录预填，"
                                             "如与实际不符请据实修改。")
    add = services.add_indicator
    activities = add(acting_user=office, form=form, label="开展关爱活动", unit="场", metric="activities", required=True)
    add(acting_user=office, form=form, label="活动参与群众", unit="人次", metric="activity_participants")
    add(acting_user=office, form=form, label="结对帮扶对象", unit="人", metric="persons_paired")
    add(acting_user=office, form=form, label="参与走访慰问", unit="次", metric="visits")
    funds = add(acting_user=office, form=form, label="投入资金", unit="万元", decimals=2)
    homes = add(acting_user=office, form=form, label="捐建爱心家园", unit="个")
    children = add(acting_user=office, form=form, label="帮扶儿童总数", unit="人", required=True)
    girls = add(acting_user=office, form=form, label="其中：女童人数", unit="人")
    add(acting_user=office, form=form, label="是否召开专题会议", kind=Indicator.YES_NO)
    funds_note = add(acting_user=office, form=form, label="资金使用说明", kind=Indicator.TEXT)
    services.add_rule(acting_user=office, form=form, left=[girls.pk], operator=ValidationRule.LE, right=[children.pk])
    services.add_rule(acting_user=office, form=form, left=[funds.pk], operator=ValidationRule.PAIR,
                      right=[funds_note.pk])
    sections = [services.add_section(acting_user=office, form=form, title=title, hint=hint) for title, hint in (
        ("主要做法", "本季度开展的主要工作、采取的措施和取得的成效"),
        ("存在问题", "工作中遇到的困难和不足"),
        ("下步打算", "下一季度的工作安排"))]

    now = timezone.now()
    load_day = timezone.localdate()
    latest_safe = min(now, _at(ctx.today, 0)) - timedelta(seconds=1)  # nothing is dated after the load

    def when(day, hour=10):
        return min(_at(day, hour), latest_safe)

    # (quarter index, unit index) → what happens; everything else: on time, approved.
    plan = {(0, 3): "late", (0, 4): "late", (1, 9): "missing", (2, 5): "returned_resubmitted", (2, 6): "late",
            (3, 1): "none", (3, 2): "draft", (3, 3): "submitted", (3, 4): "returned", (3, 5): "returned_resubmitted",
            (3, 7): "late_waiting"}
    for qi, quarter in enumerate(quarters):
        due_on = deadline(form, quarter)
        for ui, unit in enumerate(units):
            state = plan.get((qi, ui), "approved")
            if state == "none" and entry_closed_reason(form, quarter, None, load_day):
                # The quarter has locked: the office opens it again so the unit can still report.
                workflow.open_entry(acting_user=office, form=form, unit=unit, period_key=quarter.key,
                                    until=load_day + timedelta(days=14), reason="补报本季度报表", at=now)
            if state in ("none", "missing"):
                continue
            late = state in ("late", "late_waiting") and due_on < ctx.today
            day = due_on + timedelta(days=rng.randint(2, 9)) if late else \
                quarter.end + timedelta(days=rng.randint(1, max(1, (due_on - quarter.end).days - 1)))
            start_at = when(quarter.end + timedelta(days=1), 9)
            liaison = liaisons[unit.pk]
            report = workflow.start_report(acting_user=liaison, form=form, unit=unit, period_key=quarter.key,
                                           at=start_at)
            practice, problem, plan_text = _texts(unit.name)[1:]
            base_total, base_funds = 30 + 5 * ui, 1.0 + ui / 2  # each unit's usual scale, quarter after quarter
            total = base_total + rng.randint(-3, 3)
            values = dict(report.values)
            if ui == 2 and activities.key in values:  # hand-entered differently from the records
                values[activities.key] = str(int(values[activities.key]) + 2)
            values.update({funds.key: f"{base_funds + rng.randint(-3, 3) / 10:.1f}", homes.key: str(rng.randint(0, 1)),
                           children.key: str(total), girls.key: str(round(total * 0.46))})
            values[funds_note.key] = "用于走访慰问和活动开展"
            if qi == 3 and ui == 3:  # far outside the unit's history: flagged for the office
                values[funds.key] = "60.0"
            narrative = {sections[0].key: practice, sections[1].key: problem, sections[2].key: plan_text}
            report = workflow.save_report(acting_user=liaison, report=report, version=report.version, values=values,
                                          narrative=narrative, at=when(day, 9))
            if state == "draft":
                continue
            report = workflow.submit_report(acting_user=liaison, report=report, version=report.version,
                                            at=when(day, 10))
            if state in ("returned", "returned_resubmitted"):
                report = workflow.return_report(acting_user=office, report=report, version=report.version,
                                                reason=_RETURN_REASONS[ui % 2], at=when(day + timedelta(days=1), 15))
                if state == "returned":
                    continue
                narrative[sections[1].key] = problem + "已召开专题会议研究解决办法，正逐项推进。"
                report = workflow.save_report(acting_user=liaison, report=report, version=report.version,
                                              values=values, narrative=narrative, at=when(day + timedelta(days=2), 9))
                report = workflow.submit_report(acting_user=liaison, report=report, version=report.version,
                                                at=when(day + timedelta(days=2), 10))
                if qi == 3:
                    continue
            if state in ("submitted", "late_waiting"):
                continue
            workflow.approve_report(acting_user=office, report=report, version=report.version,
                                    at=when(day + timedelta(days=3), 16))
