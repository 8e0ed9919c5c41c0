from django.urls import reverse

from guanai.areas.scoping import user_role

from . import roles

# (label, url name, roles that see it). Later capabilities add their entries here.
NAVIGATION = [
    ("首页", "home", roles.ALL),
    ("人员档案", "registry:list", {roles.ADMIN, roles.STAFF, roles.VILLAGE}),
    ("导入人员", "registry:import", {roles.ADMIN, roles.STAFF, roles.VILLAGE}),
    ("摸底排查", "registry:screening_list", {roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER}),
    ("行政区划", "areas:list", roles.ALL - {roles.VOLUNTEER}),
    ("导入区划", "areas:import", {roles.ADMIN}),
    ("走访慰问", "care:visit_list", {roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER}),
    ("待访提醒", "care:due", {roles.ADMIN, roles.STAFF, roles.VILLAGE}),
    ("我的结对对象", "care:mine", {roles.VOLUNTEER}),
    ("走访覆盖率", "care:coverage", {roles.OFFICE, roles.LEADER}),
    ("结对帮扶", "care:pairing_list", {roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT}),
    ("活动", "care:activity_list", roles.ALL),
    ("爱心家园", "care:home_list", roles.ALL),
    ("保护个案", "protection:list", {roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT, roles.VOLUNTEER}),
    ("强制报告", "protection:report", {roles.OFFICE}),  # the others file it from 保护个案
    ("档案检索", "archive:list", roles.ALL - {roles.VOLUNTEER}),
    ("工作简报", "briefings:list", {roles.ADMIN, roles.OFFICE, roles.STAFF, roles.LEADER}),
    ("数据核对", "briefings:factcheck", {roles.ADMIN, roles.OFFICE, roles.STAFF, roles.LEADER}),
]


def navigation(request):
    role = user_role(getattr(request, "user", None))
    if role is None:
        return {"nav_items": [], "user_role_label": ""}
    items = [
        {"label": label, "url": reverse(name), "active": request.path == reverse(name)}
        for label, name, allowed in NAVIGATION
        if role in allowed
    ]
    if role == roles.ADMIN:
        items.append({"label": "后台管理", "url": "/admin/", "active": False})
        items.append({"label": "审计日志", "url": "/admin/audit/auditevent/", "active": False})
    return {"nav_items": items, "user_role_label": dict(roles.CHOICES).get(role, "")}
