"""Home cards of the registry, each a scoped count."""

from django.urls import reverse

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.core.home import home_card

from guanai.stats.tallies import ensure_fresh, tally

from . import categories as cat


@home_card(30)
def registry_cards(user):
    if user_role(user) not in {roles.ADMIN, roles.STAFF, roles.VILLAGE}:
        return []
    # Current figures come from the village tallies, which the metric functions fill,
    # so a province's home page sums thousands of rows rather than counting millions.
    area = user.area_id  # None for the admin: every village
    ensure_fresh()
    list_url = reverse("registry:list")
    cards = [{"label": "在册人员", "value": tally(area, "persons_registered"), "url": list_url}]
    for code in (cat.LEFT_BEHIND_CHILD, cat.CHILD_IN_DIFFICULTY):
        cards.append({"label": cat.CATEGORY_LABELS[code], "value": tally(area, f"persons_registered:{code}"),
                      "url": f"{list_url}?category={code}"})
    cards.append({"label": "缺乏有效监护的儿童", "value": tally(area, "children_without_guardianship"),
                  "url": reverse("registry:guardianship")})
    cards.append({"label": "红色风险", "value": tally(area, "persons_at_risk:red"), "url": f"{list_url}?risk=red"})
    cards.append({"label": "90天内年满16周岁", "value": tally(area, "children_aging_out"),
                  "url": reverse("registry:aging_out")})
    return cards
