"""Home cards of the registry, each a scoped count."""

from django.urls import reverse

from guanai.accounts import roles
from guanai.areas.scoping import user_role
from guanai.core.home import home_card

from . import categories as cat
from . import services


@home_card(30)
def registry_cards(user):
    if user_role(user) not in {roles.ADMIN, roles.STAFF, roles.VILLAGE}:
        return []
    active = services.search_persons(user)
    list_url = reverse("registry:list")
    cards = [{"label": "在册人员", "value": active.count(), "url": list_url}]
    for code in (cat.LEFT_BEHIND_CHILD, cat.CHILD_IN_DIFFICULTY):
        cards.append({"label": cat.CATEGORY_LABELS[code], "value": active.filter(categories__category=code).count(),
                      "url": f"{list_url}?category={code}"})
    cards.append({"label": "缺乏有效监护的儿童", "value": services.without_effective_guardianship(user).count(),
                  "url": reverse("registry:guardianship")})
    cards.append({"label": "红色风险", "value": services.search_persons(user, risk="red").count(),
                  "url": f"{list_url}?risk=red"})
    cards.append({"label": "90天内年满16周岁", "value": services.about_to_age_out(user).count(),
                  "url": reverse("registry:aging_out")})
    return cards
