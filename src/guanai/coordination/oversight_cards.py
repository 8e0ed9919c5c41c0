"""Home cards of supervision and projects: overdue rectification items on the home pages
of the responsible (the unit reporter of the unit, staff of the area) and of the office,
each item named; projects behind schedule for the office and leaders."""

from django.urls import reverse

from guanai.accounts import roles
from guanai.areas.scoping import user_role
from guanai.core.home import home_card
from guanai.stats.periods import parse_period

from . import oversight_projects as projects
from . import oversight_supervision as supervision
from .oversight_services import today

SHOWN_ITEMS = 5


def _overdue_card(user, label: str) -> dict:
    day = today()
    overdue = supervision.overdue_items_for(user, day).select_related("responsible_unit", "responsible_area")
    count = overdue.count()
    items = [{"text": f"{item.responsible_name}：{item.problem[:40]}",
              "note": f"逾期{(day - item.deadline).days}天（期限{item.deadline:%Y-%m-%d}）",
              "url": reverse("oversight:item_detail", args=[item.pk])}
             for item in overdue.order_by("deadline", "pk")[:SHOWN_ITEMS]]
    return {"label": label, "value": count, "url": f"{reverse('oversight:item_list')}?status=overdue",
            "lines": items, "more": max(count - len(items), 0)}


@home_card(60)
def oversight_cards(user):
    role = user_role(user)
    cards = []
    if role == roles.UNIT:
        open_items = supervision.items_for(user).exclude(status="done").count()
        cards.append({"label": "本单位待整改事项", "value": open_items, "url": reverse("oversight:item_list")})
        cards.append(_overdue_card(user, "本单位逾期整改事项"))
    elif role in (roles.ADMIN, roles.OFFICE, roles.STAFF):
        cards.append(_overdue_card(user, "逾期整改事项" if role != roles.STAFF else "辖区逾期整改事项"))
    elif role == roles.LEADER and user.area_id:
        cards.append({"label": "逾期整改事项", "value": supervision.overdue_items_for(user).count(), "url": ""})
    if role in (roles.ADMIN, roles.OFFICE, roles.LEADER):
        day = today()
        states = projects.states_of(projects.projects_for(user), parse_period(str(day.year)))
        cards.append({"label": "进度滞后项目", "value": len(projects.behind_schedule(states, day)),
                      "url": reverse("oversight:project_list") + "?show=behind"})
    return cards
