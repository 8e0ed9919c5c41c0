"""Home cards of the registry: today's figures of the user's area, asked of the metric functions
(``stats.tallies.current_figure``), so a card's number is the dashboard's."""

from django.urls import reverse

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.core.home import home_card

from guanai.stats.tallies import current_figure, ensure_fresh

from . import categories as cat


@home_card(30)
def registry_cards(user):
    if user_role(user) not in {roles.ADMIN, roles.STAFF, roles.VILLAGE}:
        return []
    # Today's figures through compute: a large area's read from its kept row (the sum of its
    # villages), so a province's home page reads one row rather than counting millions.
    area = user.area_id  # None for the admin: every village
    ensure_fresh()
    list_url = reverse("registry:list")
    cards = [{"label": "在册人员", "value": current_figure("persons_registered", area), "url": list_url}]
    for code in (cat.LEFT_BEHIND_CHILD, cat.CHILD_IN_DIFFICULTY):
        cards.append({"label": cat.CATEGORY_LABELS[code], "value": current_figure("persons_registered", area, category=code),
                      "url": f"{list_url}?category={code}"})
    cards.append({"label": "缺乏有效监护的儿童", "value": current_figure("children_without_guardianship", area),
                  "url": reverse("registry:guardianship")})
    cards.append({"label": "红色风险", "value": current_figure("persons_at_risk", area, level="red"),
                  "url": f"{list_url}?risk=red"})
    cards.append({"label": "90天内年满16周岁", "value": current_figure("children_aging_out", area),
                  "url": reverse("registry:aging_out")})
    return cards
