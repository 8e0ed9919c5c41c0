"""The home page shows the role's dashboard below its cards (portal renders the sections
registered in core.home): the charts, the office's panels and the sub-areas for the period
picked on the home page itself."""

from django.template.loader import render_to_string

from guanai.core.home import home_section

from .views import board_context, home_area, role_has_board


@home_section(10)
def dashboard_section(request) -> str:
    if not role_has_board(request.user):
        return ""
    area = home_area(request.user)
    if area is None:
        return ""
    return render_to_string("dashboards/_board.html", board_context(request, area, compact=True), request=request)
