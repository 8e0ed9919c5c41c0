"""Home cards of care work. Area figures come from the metric functions; the
worker's due counts from care.followup, the definition the due list uses."""

from django.urls import reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.scoping import scope_queryset
from guanai.core.home import home_card
from guanai.registry.models import Person
from guanai.stats.periods import parse_period
from guanai.stats.tallies import ensure_fresh, tally

from . import followup, metrics, services


def _fmt(value) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) or hasattr(value, "quantize") else str(value)


def _coverage_card(user, role) -> dict:
    # Current figures from the village tallies, which the metric functions fill
    # (persons_due_visit, persons_visited_in_time): a city sums rows instead of counting records.
    due, covered = tally(user.area_id, "persons_due_visit"), tally(user.area_id, "persons_visited_in_time")
    url = reverse("care:due") if role == roles.VILLAGE else (reverse("care:coverage") if user.area_id else "")
    return {"label": "走访覆盖率", "value": f"{round(100 * covered / due, 1)}%" if due else "—", "url": url}


def _visits_of(period) -> str:
    """The visit list of the period the card counts, so the list's count is the card's figure."""
    return f"{reverse('care:visit_list')}?from={period.start.isoformat()}&to={period.end.isoformat()}"


@home_card(40)
def care_cards(user):
    role = user_role(user)
    today = timezone.localdate()
    month = parse_period(f"{today:%Y-%m}")
    year = parse_period(str(today.year))
    cards = []
    local = bool(user.area_id) and len(codes.prefix_of(user.area_id)) >= 9  # a township or a village
    due_url = reverse("care:due")
    if role in (roles.STAFF, roles.VILLAGE, roles.ADMIN, roles.OFFICE, roles.LEADER):
        ensure_fresh()
    if role in (roles.STAFF, roles.VILLAGE) and local:
        counts = followup.status_counts(scope_queryset(Person.objects.all(), user), today)
        cards += [
            {"label": "逾期未访", "value": counts[followup.OVERDUE], "url": f"{due_url}?status=overdue"},
            {"label": "待首访", "value": counts[followup.FIRST], "url": f"{due_url}?status=first"},
            {"label": "7天内待访", "value": counts[followup.SOON], "url": f"{due_url}?status=soon"},
        ]
    elif role in (roles.STAFF, roles.ADMIN):
        # Overdue = due − visited in time, both from the tallies.
        overdue = tally(user.area_id, "persons_due_visit") - tally(user.area_id, "persons_visited_in_time")
        cards.append({"label": "逾期未访", "value": overdue, "url": f"{due_url}?status=overdue"})
    if user.area_id and role in (roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER):
        cards += [
            {"label": "本月走访（次）", "value": metrics.visits(user.area_id, month),
             "url": _visits_of(month) if role in (roles.STAFF, roles.VILLAGE) else ""},
            _coverage_card(user, role),
        ]
    if user.area_id and role in (roles.OFFICE, roles.LEADER):
        cards += [
            {"label": "本年发放慰问金（元）", "value": _fmt(metrics.aid_cash_yuan(user.area_id, year)), "url": ""},
            {"label": "本年开展活动（场）", "value": metrics.activities(user.area_id, year),
             "url": f"{reverse('care:activity_list')}?period={year.key}"},
        ]
    if role == roles.VOLUNTEER:
        mine = services.my_recipients(user)
        counts = followup.status_counts(mine, today)
        cards += [
            {"label": "我的结对对象", "value": mine.count(), "url": reverse("care:mine")},
            {"label": "待走访", "value": sum(counts.values()), "url": reverse("care:mine")},
            {"label": "本月我的走访", "value": services.visits_for(user).filter(
                visit_date__gte=month.start, visit_date__lte=month.end).count(), "url": _visits_of(month)},
        ]
    if role == roles.UNIT:
        cards += [
            {"label": "本单位结对（进行中）", "value": services.pairings_for(user).filter(
                start_date__lte=today).exclude(end_date__lt=today).count(), "url": reverse("care:pairing_list")},
            {"label": "本单位本年活动", "value": services.activities_for(user).filter(
                held_on__gte=year.start, held_on__lte=year.end).count(),
             "url": f"{reverse('care:activity_list')}?period={year.key}"},
        ]
    return cards
