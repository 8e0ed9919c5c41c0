from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("upload/", views.document_upload, name="upload"),
    path("facts/", views.fact_list, name="facts"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/original/", views.document_original, name="original"),
    path("<int:pk>/pages/<int:number>/", views.page_image, name="page_image"),
]
