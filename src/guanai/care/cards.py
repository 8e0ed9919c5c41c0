"""Home cards of care work. Area figures are asked of the metric functions through
``stats.metrics.compute`` (today's through ``current_figure``), so a card's number is the
dashboard's, kept figures read from the kept aggregates; the worker's due counts are the due
list's (care.followup.area_status_counts, asked of the same metrics)."""

from django.urls import reverse
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.core.home import home_card
from guanai.stats.metrics import compute
from guanai.stats.periods import parse_period
from guanai.stats.tallies import current_figure, ensure_fresh

from . import followup, services


def _fmt(value) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) or hasattr(value, "quantize") else str(value)


def _coverage_card(user, role) -> dict:
    # Today's due and visited-in-time (visit_coverage's parts): a city's read from its kept rows.
    due = current_figure("persons_due_visit", user.area_id)
    covered = current_figure("persons_visited_in_time", user.area_id)
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
        # The due list's own counts of the area (asked of the metrics: a township's kept rows read).
        counts = followup.area_status_counts(user.area_id)
        cards += [
            {"label": "逾期未访", "value": counts[followup.OVERDUE], "url": f"{due_url}?status=overdue"},
            {"label": "待首访", "value": counts[followup.FIRST], "url": f"{due_url}?status=first"},
            {"label": "7天内待访", "value": counts[followup.SOON], "url": f"{due_url}?status=soon"},
        ]
    elif role in (roles.STAFF, roles.ADMIN):
        # Overdue = due − visited in time, both today's.
        overdue = (current_figure("persons_due_visit", user.area_id)
                   - current_figure("persons_visited_in_time", user.area_id))
        cards.append({"label": "逾期未访", "value": overdue, "url": f"{due_url}?status=overdue"})
    if user.area_id and role in (roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER):
        cards += [
            {"label": "本月走访（次）", "value": compute("visits", user.area_id, month),
             "url": _visits_of(month) if role in (roles.STAFF, roles.VILLAGE) else ""},
            _coverage_card(user, role),
        ]
    if user.area_id and role in (roles.OFFICE, roles.LEADER):
        cards += [
            {"label": "本年发放慰问金（元）", "value": _fmt(compute("aid_cash_yuan", user.area_id, year)), "url": ""},
            {"label": "本年开展活动（场）", "value": compute("activities", user.area_id, year),
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
