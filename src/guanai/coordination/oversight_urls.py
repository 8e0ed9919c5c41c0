from django.urls import path

from . import oversight_views as views

app_name = "oversight"
urlpatterns = [
    path("supervision/", views.round_list, name="round_list"),
    path("supervision/create/", views.round_create, name="round_create"),
    path("supervision/<int:pk>/", views.round_detail, name="round_detail"),
    path("supervision/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("supervision/<int:pk>/items/create/", views.item_create, name="item_create"),
    path("supervision/<int:pk>/report.docx", views.round_report, name="round_report"),
    path("supervision/items/", views.item_list, name="item_list"),
    path("supervision/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("supervision/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("supervision/items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("supervision/items/<int:pk>/verify/", views.item_verify, name="item_verify"),
    path("supervision/evidence/<int:pk>/", views.evidence, name="evidence"),
    path("assessment/", views.scheme_list, name="scheme_list"),
    path("assessment/create/", views.scheme_create, name="scheme_create"),
    path("assessment/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("assessment/<int:pk>/indicators/create/", views.indicator_create, name="indicator_create"),
    path("assessment/<int:pk>/compute/", views.scheme_compute, name="scheme_compute"),
    path("assessment/<int:pk>/export.<str:fmt>", views.scheme_export, name="scheme_export"),
    path("assessment/scores/<int:pk>/", views.score_edit, name="score_edit"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/create/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/progress/", views.project_progress, name="project_progress"),
]
