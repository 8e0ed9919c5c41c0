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
    path("persons/", include("guanai.registry.urls")),
    path("admin/", admin.site.urls),
]
