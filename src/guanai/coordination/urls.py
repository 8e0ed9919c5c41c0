from django.urls import path

from . import views

app_name = "coordination"
urlpatterns = [
    path("", views.conference_list, name="conference_list"),
    path("conferences/create/", views.conference_create, name="conference_create"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("conferences/<int:pk>/edit/", views.conference_edit, name="conference_edit"),
    path("conferences/<int:pk>/units/add/", views.unit_add, name="unit_add"),
    path("conferences/<int:pk>/duties/", views.duties_edit, name="duties_edit"),
    path("conferences/<int:pk>/forms/create/", views.form_create, name="form_create"),
    path("import/", views.conference_import, name="import"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/close/", views.unit_close, name="unit_close"),
    path("units/<int:pk>/liaison/", views.unit_liaison, name="unit_liaison"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("forms/<int:pk>/indicators/add/", views.indicator_add, name="indicator_add"),
    path("forms/<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("forms/<int:pk>/rules/add/", views.rule_add, name="rule_add"),
    path("forms/<int:pk>/deadline/", views.deadline_set, name="deadline_set"),
    path("forms/<int:pk>/open/", views.entry_open, name="entry_open"),
    path("forms/<int:pk>/start/<str:period>/", views.report_start, name="report_start"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/export/", views.report_export, name="report_export"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("reports/<int:pk>/docx/", views.report_docx, name="report_docx"),
]
