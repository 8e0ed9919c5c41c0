from django.contrib import admin
from django.urls import include, path

from guanai.ledgers import views as ledger_views
from guanai.portal import person_file
from guanai.portal import views as portal_views

admin.site.site_header = "关爱平台 后台管理"
admin.site.site_title = "关爱平台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("jobs/<int:pk>/", portal_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/ledger.xlsx", ledger_views.download, name="ledger_download"),
    path("accounts/", include("guanai.accounts.urls")),
    path("areas/", include("guanai.areas.urls")),
    path("archive/", include("guanai.archive.urls")),
    path("persons/<int:pk>/file/", person_file.person_file, name="person_file"),
    path("persons/", include("guanai.registry.urls")),
    path("briefings/", include("guanai.briefings.urls")),
    path("care/", include("guanai.care.urls")),
    path("protection/", include("guanai.protection.urls")),
    path("coordination/", include("guanai.coordination.urls")),
    path("coordination/", include("guanai.coordination.oversight_urls")),
    path("stats/", include("guanai.dashboards.urls")),
    path("api/v1/", include("guanai.api.urls")),
    path("admin/", admin.site.urls),
]

# The project's own error pages (templates/4xx.html, 500.html, 503.html), in Chinese.
handler400 = "guanai.ops.views.bad_request"
handler500 = "guanai.ops.views.server_error"
