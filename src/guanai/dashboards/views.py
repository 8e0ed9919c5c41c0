"""Dashboards and statistics tables under /stats/: thin views over boards.py and tables.py."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import get_scoped_or_404, may_see_area, top_area
from guanai.ledgers.office import default_filler
from guanai.ledgers.views import refuse_export
from guanai.spreadsheets import XLSX_CONTENT_TYPE
from guanai.stats.forms import PeriodForm, shortcuts
from guanai.stats.periods import MONTH, YEAR, Period, period_containing

from . import exporting, tables
from .boards import VILLAGE_BOARD, build_board
from .figures import REGISTERED, nobody_registered_notice

# Who sees figures of an area: its workers and officials; unit reporters and volunteers see their
# own records only (DESIGN §2).
STATS_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF, roles.VILLAGE, roles.LEADER)


def home_area(user) -> Area | None:
    """The area a user's dashboard opens on: their own, or for an admin without one the top area."""
    if user.area_id:
        return Area.objects.select_related("parent").get(pk=user.area_id)
    return top_area()


def area_for(user, code: str) -> Area:
    """An area of the user's jurisdiction, or 404 (a code that is no area, or outside it)."""
    return get_scoped_or_404(Area.objects.select_related("parent"), user, pk=code)


def default_period(area: Area) -> Period:
    """This month on a village's board (its worker's month of visits), this year above."""
    return period_containing(MONTH if area.level == codes.VILLAGE else YEAR, timezone.localdate())


def trail(user, area: Area) -> list[Area]:
    """The areas above ``area`` that the user may open, top first, and ``area`` itself."""
    chain = Area.objects.filter(code__in=codes.ancestors(area.code)).order_by("level")
    return [a for a in chain if may_see_area(user, a.code)]


def board_context(request, area: Area, *, compact: bool = False) -> dict:
    """Everything the board template shows for ``area`` and the period the request asks."""
    form = PeriodForm(request.GET, default=default_period(area))
    board = build_board(request.user, area, form.period)
    notices = [f"{form.problem}；下面是{form.period.label}的数字。"] if form.problem else []
    registered = next((h.figure.value for h in board.headlines if h.figure.name == REGISTERED), None)
    if empty := nobody_registered_notice(area, form.period, registered):
        notices.append(empty)
    return {"board": board, "period_form": form, "period": form.period, "notices": notices, "compact": compact,
            "shortcuts": shortcuts(), "trail": trail(request.user, area), "village": board.kind == VILLAGE_BOARD,
            "print_area": area.full_name if not compact else "", "print_period": form.period.label}


@roles_required(*STATS_ROLES)
def dashboard(request):
    area = home_area(request.user)
    if area is None:
        raise Http404("尚无行政区划，请先导入区划")
    return render(request, "dashboards/dashboard.html", board_context(request, area))


@roles_required(*STATS_ROLES)
def area_dashboard(request, code: str):
    return render(request, "dashboards/dashboard.html", board_context(request, area_for(request.user, code)))


# --- statistics tables ------------------------------------------------------------------------

@roles_required(*STATS_ROLES)
def table_index(request):
    area = home_area(request.user)
    if area is None:
        raise Http404("尚无行政区划，请先导入区划")
    form = PeriodForm(request.GET, default=period_containing(YEAR, timezone.localdate()))
    return render(request, "dashboards/tables.html", {
        "tables": tables.table_specs().values(), "area": area, "period": form.period, "period_form": form})


def _table_or_404(slug: str) -> tables.TableSpec:
    spec = tables.table_specs().get(slug)
    if spec is None:
        raise Http404("没有这张统计表")
    return spec


@roles_required(*STATS_ROLES)
def own_table(request, slug: str):
    _table_or_404(slug)
    area = home_area(request.user)
    if area is None:
        raise Http404("尚无行政区划，请先导入区划")
    query = request.GET.urlencode()
    return redirect(reverse("dashboards:table", args=[slug, area.code]) + (f"?{query}" if query else ""))


def _asked_table(request, slug: str, code: str):
    spec = _table_or_404(slug)
    area = area_for(request.user, code)
    return spec, area, PeriodForm(request.GET, default=period_containing(YEAR, timezone.localdate()))


@roles_required(*STATS_ROLES)
def table(request, slug: str, code: str):
    spec, area, form = _asked_table(request, slug, code)
    built = tables.build(spec, area, form.period)
    return render(request, "dashboards/table.html", {
        "spec": spec, "area": area, "table": built, "period": form.period, "period_form": form,
        "trail": trail(request.user, area), "problem": form.problem, "filler": default_filler(request.user),
        "print_area": area.full_name, "print_period": form.period.label})


@roles_required(*STATS_ROLES)
def table_xlsx(request, slug: str, code: str):
    spec, area, form = _asked_table(request, slug, code)
    if form.problem:  # the page shows its default period with the reason; a file would pass for the one asked
        return refuse_export(request, spec.title, form.problem, back=reverse("dashboards:table", args=[slug, area.code]))
    built = tables.build(spec, area, form.period)
    filler = (request.GET.get("filler") or "").strip()[:60] or default_filler(request.user)
    data = exporting.exported_workbook(built, filler=filler, user=request.user)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    filename = f"{area.name}{spec.title}（{form.period.label}）.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def role_has_board(user) -> bool:
    return user_role(user) in STATS_ROLES
