from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("import/", views.area_import, name="import"),
    path("<str:code>/", views.area_detail, name="detail"),
]
