from django.urls import path

from . import views

app_name = "protection"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("report/", views.report, name="report"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/close/", views.close, name="close"),
]
