"""The schema (/api/v1/schema/) and Swagger UI (/api/v1/docs/) from the project's own static
files (drf-spectacular-sidecar). The split view loads its start-up script from a URL of its
own rather than inline, as the CSP demands."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from guanai.accounts import roles

from .views_base import ApiView


class SchemaView(ApiView, SpectacularAPIView):
    allowed_roles = tuple(roles.ALL)


class DocsView(SpectacularSwaggerSplitView):
    # A page of the site: the login middleware sends an anonymous visitor to the login page.
    allowed_roles = tuple(roles.ALL)
    url_name = "api:schema"
    title = "关爱平台接口文档"

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.login_required = True  # DRF marks its views login_not_required: this one is a page
        return view
