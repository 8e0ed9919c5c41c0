"""Demo protection cases: a few mandatory reports of the last months, handled
through the real services; one has a step past its time limit (it shows on the
home pages of the township, county and city), two are closed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from guanai.areas import codes
from guanai.core.demo import DemoContext, demo_step
from guanai.registry.models import Person

from . import services


@demo_step(50)
def build_cases(ctx: DemoContext) -> None:
    """未成年人保护个案"""
    # Times relative to the load day (tests may load the demo "as of" another day).
    now = timezone.now() - timedelta(days=(timezone.localdate() - ctx.today).days)
    users = ctx.users
    village, township, volunteer = users.get("village"), users.get("township"), users.get("volunteer")
    if village is None or township is None:
        return
    child = Person.objects.filter(area_id="990101001001", categories__category="left_behind_child").order_by("-pk").first()

    def report(user, area, situation, description, days_ago, **extra):
        return services.report_case(user=user, area_code=area, situation=situation, description=description,
                                    reported_at=now - timedelta(days=days_ago), **extra)

    def handler_for(area: str):
        for name in ("village", "township", "county", "city"):
            user = users.get(name)
            if user is not None and area.startswith(codes.prefix_of(user.area_id)):
                return user
        return users["admin"]

    def step(case, action, handler, after_hours, **extra):
        current = services.current_step(case)
        services.complete_step(user=handler_for(case.area_id), case=case,
                               action=action, handler=handler,
                               completed_at=current.opened_at + timedelta(hours=after_hours), **extra)

    # 1. Reported by the volunteer, handled in time, waiting for closure.
    case = report(volunteer or village, "990101001001", "alone", "放学后发现孩子独自在家，祖母住院，家中无其他成年人。",
                  20, child_name=child.name if child else "王小明", child_age=9, location="三组")
    step(case, "当晚联系孩子姑姑临时照料，村儿童主任上门查看。", "村儿童主任张秀英", 3)
    step(case, "评估：祖母出院前缺乏照料，亲属可临时监护。", "镇民政办", 30, needs_guardianship=False)
    step(case, "制定帮扶计划：姑姑临时照料，结对爱心家长每周探望，协调学校午托。", "镇民政办", 48)

    # 2. A step past its time limit: emergency done, assessment not done.
    late = report(handler_for("990101001002"), "990101001002", "unguarded", "孩子父母外出务工，祖父去世后无人照料，孩子在邻居家借住。", 12,
                  child_name="赵小雨", child_age=11, location="五组")
    step(late, "邻居暂时照料，村委会送去生活物资。", "村委会", 5)

    # 3. Closed: the report proved unfounded.
    wrong = report(handler_for("990101002001"), "990101002001", "missing", "群众反映一名儿童两天未回家。", 60, child_name="刘小军", child_age=13)
    step(wrong, "联系家长核实，孩子在外婆家居住，情况不属实。", "镇派出所", 2)
    services.close_case(user=handler_for(wrong.area_id), case=wrong, reason="false_report", note="孩子安全，在外婆家居住。",
                        closed_at=wrong.reported_at + timedelta(days=1))

    # 4. Closed after guardianship intervention.
    hard = report(handler_for("990101003002"), "990101003002", "harmed", "学校老师发现学生身上多处伤痕，疑似遭受家暴。", 150,
                  child_name="陈小花", child_age=10, location="村小学")
    step(hard, "派出所出警，孩子由外祖父母临时照料。", "镇派出所、妇联", 2)
    step(hard, "评估：父亲存在家暴行为，需监护干预。", "县民政局", 40, needs_guardianship=True)
    step(hard, "帮扶计划：心理辅导、就学保障、定期回访。", "县民政局", 60)
    step(hard, "向法院申请人身安全保护令，外祖父母为临时监护人。", "县民政局、法院", 200)
    services.close_case(user=handler_for(hard.area_id), case=hard, reason="resolved", note="孩子在外祖父母家生活稳定。",
                        closed_at=hard.reported_at + timedelta(days=40))

    # 5. Just reported, in another county.
    report(handler_for("990102001001"), "990102001001", "alone", "走访中发现一名7岁女孩独自生活，祖母已外出多日。", 0.2,
           child_name="", child_age=7)
