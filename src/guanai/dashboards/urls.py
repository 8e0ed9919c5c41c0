from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("area/<str:code>/", views.area_dashboard, name="area"),
    path("tables/", views.table_index, name="tables"),
    path("tables/<slug:slug>/", views.own_table, name="table_own"),
    path("tables/<slug:slug>/<str:code>/", views.table, name="table"),
    path("tables/<slug:slug>/<str:code>/xlsx/", views.table_xlsx, name="table_xlsx"),
]
