from django.contrib import admin
from django.urls import include, path

from guanai.core import views as core_views

admin.site.site_header = "关爱平台 后台管理"
admin.site.site_title = "关爱平台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job_detail"),
    path("accounts/", include("guanai.accounts.urls")),
    path("areas/", include("guanai.areas.urls")),
    path("archive/", include("guanai.archive.urls")),
    path("persons/", include("guanai.registry.urls")),
    path("briefings/", include("guanai.briefings.urls")),
    path("care/", include("guanai.care.urls")),
    path("protection/", include("guanai.protection.urls")),
    path("admin/", admin.site.urls),
]
