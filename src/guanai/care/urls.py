from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.visit_list, name="visit_list"),
    path("export/", views.visit_export, name="visit_export"),
    path("visits/create/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("offline/", views.offline_visits, name="offline"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("recipients/", views.recipient_search, name="recipient_search"),
    path("due/", views.due_list, name="due"),
    path("coverage/", views.coverage, name="coverage"),
    path("pairings/", views.pairing_list, name="pairing_list"),
    path("pairings/export/", views.pairing_export, name="pairing_export"),
    path("pairings/create/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("helpers/", views.helper_list, name="helper_list"),
    path("helpers/create/", views.helper_create, name="helper_create"),
    path("mine/", views.my_recipients, name="mine"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/export/", views.activity_export, name="activity_export"),
    path("activities/create/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/photos/<int:pk>/", views.activity_photo, name="activity_photo"),
    path("homes/", views.home_list, name="home_list"),
    path("homes/export/", views.home_export, name="home_export"),
    path("homes/create/", views.home_create, name="home_create"),
    path("homes/<int:pk>/", views.home_detail, name="home_detail"),
    path("homes/<int:pk>/inspect/", views.home_inspect, name="home_inspect"),
]
