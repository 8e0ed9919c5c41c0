import re
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver
from django.utils import timezone

from guanai.protection import metrics, services
from guanai.protection.models import Case, CaseStep
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period

VILLAGE = "990101001001"


def _report(user, **kwargs):
    args = {"area_code": VILLAGE, "situation": "alone", "description": "孩子独自在家三天，无人照料",
            "child_name": "小明", "child_age": 8}
    args.update(kwargs)
    return services.report_case(user=user, **args)


def _card(body: str, label: str) -> int | None:
    match = re.search(r'data-card="%s">(\d+)<' % re.escape(label), body)
    return int(match.group(1)) if match else None


def test_any_role_but_the_leader_may_report(users):
    for name in ("village", "volunteer", "unit", "office", "county"):
        case = _report(users[name])
        assert case.number.startswith("BH") and case.status == Case.OPEN
        assert [s.kind for s in case.steps.all()] == ["emergency"]
    with pytest.raises(ValidationError) as err:
        _report(users["leader"])
    assert "不能填报" in str(err.value)


@pytest.mark.parametrize("kwargs,field,message", [
    ({"situation": ""}, "situation", "请选择发现的情形"),
    ({"description": "  "}, "description", "请填写情况描述"),
    ({"area_code": "990101002001"}, "area", "不在您的管辖范围内"),
    ({"area_code": "990101001000"}, "area", "应为村（社区）一级"),
    ({"child_name": "", "child_age": None}, "child_name", "请填写儿童姓名"),
    ({"found_at": timezone.now() + timedelta(days=1)}, "found_at", "发现时间不能晚于现在"),
])
def test_bad_reports_are_refused_in_chinese(users, kwargs, field, message):
    before = Case.objects.count()
    with pytest.raises(ValidationError) as err:
        _report(users["village"], **kwargs)
    assert message in "".join(err.value.message_dict[field])
    assert Case.objects.count() == before


def test_steps_follow_in_order_with_time_limits_and_guardianship_where_needed(users):
    village = users["village"]
    case = _report(village)
    emergency = case.steps.get()
    assert emergency.due_at == emergency.opened_at + timedelta(hours=24)
    with pytest.raises(ValidationError) as err:
        services.complete_step(user=village, case=case, action="")
    assert "请填写应急处置的处置情况" in err.value.message_dict["action"][0]
    services.complete_step(user=village, case=case, action="联系亲属临时照料", handler="村儿童主任")
    services.complete_step(user=village, case=case, action="评估：监护人严重失职", needs_guardianship=True)
    services.complete_step(user=village, case=case, action="帮扶计划")
    assert services.current_step(case).kind == "guardianship"
    services.complete_step(user=village, case=case, action="申请撤销监护资格")
    assert services.current_step(case).kind == "closure"
    with pytest.raises(ValidationError) as err:
        services.complete_step(user=village, case=case, action="结案")
    assert "结案请使用" in str(err.value)
    done = list(case.steps.exclude(completed_at=None))
    assert all(s.completed_by == village and s.action for s in done)

    other = _report(village)
    services.complete_step(user=village, case=other, action="处置")
    services.complete_step(user=village, case=other, action="评估：亲属可以照料", needs_guardianship=False)
    services.complete_step(user=village, case=other, action="帮扶计划")
    assert services.current_step(other).kind == "closure"  # no guardianship intervention needed


def test_workday_time_limits_skip_the_national_day_holiday():
    done = timezone.make_aware(datetime(2026, 9, 30, 10, 0))
    due = services.due_after("assessment", done)  # 3 working days: 8, 9 and 10 October (调休)
    assert timezone.localtime(due) == timezone.make_aware(datetime(2026, 10, 10, 23, 59, 59))


def test_a_case_is_closed_with_a_reason_and_never_deleted(users):
    village = users["village"]
    case = _report(village)
    with pytest.raises(ValidationError) as err:
        services.close_case(user=village, case=case, reason="")
    assert "请选择结案原因" in err.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as err:
        services.close_case(user=village, case=case, reason="other")
    assert "请写明具体原因" in err.value.message_dict["note"][0]
    with pytest.raises(ValidationError):
        services.close_case(user=users["volunteer"], case=case, reason="false_report")
    services.close_case(user=village, case=case, reason="false_report", note="经核实孩子由外婆照料")
    case.refresh_from_db()
    assert case.status == Case.CLOSED and case.close_reason == "false_report"
    with pytest.raises(ValidationError) as err:
        services.delete_case(user=village, case=case)
    assert "不得删除" in str(err.value)
    with pytest.raises(PermissionError):
        case.delete()
    with pytest.raises(PermissionError):
        Case.objects.filter(pk=case.pk).delete()
    with pytest.raises(PermissionError):
        CaseStep.objects.filter(case=case).delete()
    assert Case.objects.filter(pk=case.pk).exists()
    with pytest.raises(ValidationError):
        services.complete_step(user=village, case=case, action="再次处置")


def test_there_is_no_delete_page():
    routes = [str(p.pattern) for p in get_resolver().url_patterns if "protection" in str(p.pattern)]
    assert routes
    names = [entry.name for p in get_resolver().url_patterns if str(p.pattern) == "protection/"
             for entry in p.url_patterns]
    assert names and not any("delete" in (n or "") for n in names)


def _make_late(case):
    step = services.current_step(case)
    CaseStep.objects.filter(pk=step.pk).update(due_at=timezone.now() - timedelta(hours=2))


def test_a_late_step_escalates_to_the_next_levels_home_pages(users, client_for):
    before = {name: _card(client_for(name).get("/").content.decode(), "下级逾期处置环节（督办）")
              for name in ("township", "county", "city")}
    assert all(v is not None for v in before.values())
    case = _report(users["village"])
    services.complete_step(user=users["village"], case=case, action="已安排临时照料")
    _make_late(case)  # the assessment is now past its time limit
    for name in ("township", "county", "city"):
        body = client_for(name).get("/").content.decode()
        assert _card(body, "下级逾期处置环节（督办）") == before[name] + 1, name
    village_home = client_for("village").get("/").content.decode()
    assert _card(village_home, "下级逾期处置环节（督办）") is None
    assert _card(village_home, "其中已逾期") >= 1
    # A township of another county does not see it.
    from django.test import Client

    from guanai.accounts.models import User

    other = User.objects.create(username="other_township", role="staff", area_id="990102001000")
    client = Client()
    client.force_login(other)
    assert _card(client.get("/").content.decode(), "下级逾期处置环节（督办）") == metrics.case_steps_late(
        "990102001000", parse_period(f"{timezone.localdate():%Y-%m}"))
    # The case page says so.
    detail = client_for("village").get(f"/protection/{case.pk}/").content.decode()
    assert "已逾期，已提请上级督办" in detail


def test_protection_metrics_equal_a_hand_count(users):
    from guanai.care.tests.helpers import fresh_village

    code = fresh_village("990101001082", "保护测试村").code
    county = users["county"]
    month = parse_period(f"{timezone.localdate():%Y-%m}")
    a = _report(county, area_code=code)
    b = _report(county, area_code=code, situation="harmed")
    c = _report(county, area_code=code)
    services.complete_step(user=county, case=a, action="处置")
    _make_late(a)
    _make_late(b)
    services.close_case(user=county, case=c, reason="resolved", note="")
    assert metrics.cases_opened(code, month) == 3
    assert metrics.cases_opened(code, month, situation="harmed") == 1
    assert metrics.cases_closed(code, month) == 1
    assert metrics.cases_open(code, month) == 2
    assert metrics.case_steps_late(code, month) == 2
    services.close_case(user=county, case=b, reason="transferred", note="已移交公安机关")
    assert metrics.case_steps_late(code, month) == 1  # a closed case's step is no longer late
    assert compute("cases_open", code, month.key) == 1


def test_pages_report_list_detail_complete_close(users, client_for):
    village = client_for("village")
    response = village.post("/protection/report/", {"situation": "unguarded", "area": VILLAGE,
                                                     "child_name": "小红", "child_age": "9",
                                                     "description": "父母外出，孩子无人照料"})
    assert response.status_code == 302
    case = Case.objects.get(child_name="小红")
    assert response.url == f"/protection/{case.pk}/"
    detail = village.get(response.url).content.decode()
    assert "应急处置" in detail and "24小时内" in detail and "小红" in detail
    assert village.post(f"/protection/{case.pk}/complete/", {"action": ""}).status_code == 200
    assert village.post(f"/protection/{case.pk}/complete/", {"action": "已由姑姑临时照料", "handler": "村委会"}).status_code == 302
    assert services.current_step(case).kind == "assessment"
    page = village.post(f"/protection/{case.pk}/close/", {"reason": "other", "note": ""}).content.decode()
    assert "请写明具体原因" in page
    assert village.post(f"/protection/{case.pk}/close/", {"reason": "resolved", "note": "已妥善安置"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.CLOSED
    assert "小红" in village.get("/protection/?show=closed").content.decode()
    # The office may report but not read personal case files: it is told the number.
    office = client_for("office")
    response = office.post("/protection/report/", {"situation": "missing", "area": VILLAGE, "child_age": "12",
                                                   "description": "学生两天未到校，联系不上家长"}, follow=True)
    assert "强制报告已提交" in response.content.decode()
    assert office.get("/protection/").status_code == 403
    assert client_for("leader").get("/protection/report/").status_code == 403


def test_a_volunteer_sees_only_the_reports_they_made(users, client_for):
    own = _report(users["volunteer"], child_name="志愿者报告的孩子")
    other = _report(users["village"], child_name="村里报告的孩子")
    body = client_for("volunteer").get("/protection/?show=all").content.decode()
    assert "志愿者报告的孩子" in body and "村里报告的孩子" not in body
    assert client_for("volunteer").get(f"/protection/{other.pk}/").status_code == 404
    assert client_for("volunteer").get(f"/protection/{own.pk}/").status_code == 200
    assert client_for("volunteer").post(f"/protection/{own.pk}/complete/", {"action": "x"}).status_code == 403
