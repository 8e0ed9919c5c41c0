from django.urls import reverse

from guanai.areas.scoping import user_role

from . import roles

# (label, url name, roles that see it). Later capabilities add their entries here.
NAVIGATION = [
    ("首页", "home", roles.ALL),
    ("人员档案", "registry:list", {roles.ADMIN, roles.STAFF, roles.VILLAGE}),
    ("摸底排查", "registry:screening_list", {roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER}),
    ("行政区划", "areas:list", roles.ALL - {roles.VOLUNTEER}),
    ("导入区划", "areas:import", {roles.ADMIN}),
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
