from django.urls import path

from . import views

app_name = "briefings"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("new/", views.briefing_compose, name="compose"),
    path("factcheck/", views.factcheck_page, name="factcheck"),
    path("factcheck/<int:job_id>/", views.factcheck_result, name="factcheck_result"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("<int:pk>/edit/", views.briefing_edit, name="edit"),
    path("<int:pk>/recompute/", views.briefing_recompute, name="recompute"),
    path("<int:pk>/publish/", views.briefing_publish, name="publish"),
    path("<int:pk>/check/", views.briefing_check, name="check"),
    path("<int:pk>/export/<str:fmt>/", views.briefing_export, name="export"),
]
