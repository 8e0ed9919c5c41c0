from django.urls import reverse

from . import roles
from .roles import user_role

# The menus of the navigation bar, in the order they appear. An entry names its menu;
# a menu with one entry for a role shows as a plain link, a menu with none is not shown.
MENUS = ["人员", "走访关爱", "保护", "联席会议", "简报与档案", "统计", "系统"]
_STAFF = {roles.ADMIN, roles.STAFF, roles.VILLAGE}
_DESK = {roles.ADMIN, roles.OFFICE, roles.STAFF, roles.LEADER}

# (menu, label, url name or absolute path, roles that see it): adding an entry is one line here.
NAVIGATION = [
    ("人员", "人员档案", "registry:list", _STAFF),
    ("人员", "导入人员", "registry:import", _STAFF),
    ("人员", "转移申请", "registry:transfers", _STAFF),
    ("人员", "摸底排查", "registry:screening_list", _STAFF | {roles.OFFICE, roles.LEADER}),
    ("走访关爱", "走访慰问", "care:visit_list", _STAFF | {roles.VOLUNTEER}),
    ("走访关爱", "待访提醒", "care:due", _STAFF),
    ("走访关爱", "我的结对对象", "care:mine", {roles.VOLUNTEER}),
    ("走访关爱", "离线走访", "care:offline", {roles.VILLAGE, roles.VOLUNTEER}),
    ("走访关爱", "走访覆盖率", "care:coverage", {roles.OFFICE, roles.LEADER}),
    ("走访关爱", "结对帮扶", "care:pairing_list", _STAFF | {roles.UNIT}),
    ("走访关爱", "活动", "care:activity_list", roles.ALL),
    ("走访关爱", "爱心家园", "care:home_list", roles.ALL),
    ("保护", "保护个案", "protection:list", _STAFF | {roles.UNIT, roles.VOLUNTEER}),
    ("保护", "强制报告", "protection:report", {roles.OFFICE}),  # the others file it from 保护个案
    ("联席会议", "成员单位与职责", "coordination:conference_list", _DESK | {roles.UNIT}),
    ("联席会议", "成员单位报送", "coordination:report_list", {roles.ADMIN, roles.OFFICE, roles.UNIT, roles.LEADER}),
    ("联席会议", "督导检查", "oversight:round_list", _DESK),
    ("联席会议", "整改事项", "oversight:item_list", _DESK | {roles.UNIT}),
    ("联席会议", "年度考核", "oversight:scheme_list", _DESK),
    ("联席会议", "项目", "oversight:project_list", _DESK | {roles.UNIT}),
    ("简报与档案", "工作简报", "briefings:list", _DESK),
    ("简报与档案", "数据核对", "briefings:factcheck", _DESK),
    ("简报与档案", "档案检索", "archive:list", roles.ALL - {roles.VOLUNTEER}),
    ("统计", "统计看板", "dashboards:dashboard", _DESK | {roles.VILLAGE}),
    ("统计", "统计报表", "dashboards:tables", _DESK | {roles.VILLAGE}),
    ("系统", "行政区划", "areas:list", roles.ALL - {roles.VOLUNTEER}),
    ("系统", "导入区划", "areas:import", {roles.ADMIN}),
    ("系统", "后台管理", "/admin/", {roles.ADMIN}),
    ("系统", "审计日志", "/admin/audit/auditevent/", {roles.ADMIN}),
    ("系统", "数据接口", "api:docs", {roles.ADMIN, roles.OFFICE}),
]


def _url(target: str) -> str:
    return target if target.startswith("/") else reverse(target)


def menus_for(role: str, path: str = "") -> list[dict]:
    """The role's menus: {"label", "entries": [{"label", "url", "active"}], "active"}."""
    menus = {name: [] for name in MENUS}
    for menu, label, target, allowed in NAVIGATION:
        if role in allowed:
            url = _url(target)
            menus[menu].append({"label": label, "url": url, "active": path == url})
    return [{"label": name, "entries": entries, "active": any(e["active"] for e in entries)}
            for name, entries in menus.items() if entries]


def navigation(request):
    role = user_role(getattr(request, "user", None))
    if role is None:
        return {"nav_menus": [], "user_role_label": ""}
    return {"nav_menus": menus_for(role, request.path), "user_role_label": dict(roles.CHOICES).get(role, "")}
