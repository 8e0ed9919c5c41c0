from django.urls import path

from . import household_views, import_views, screening_views, transfer_views, views

app_name = "registry"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("create/", views.person_create, name="create"),
    path("guardianship/", views.guardianship_list, name="guardianship"),
    path("aging-out/", views.aging_out_list, name="aging_out"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/merge/", views.duplicate_merge, name="duplicate_merge"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/id-number/", views.person_reveal_id, name="reveal_id"),
    path("<int:pk>/assess/", views.person_assess, name="assess"),
    path("<int:pk>/profile/", views.person_profile, name="profile"),
    path("<int:pk>/household/", views.person_household, name="household"),
    path("<int:pk>/guardian/", household_views.person_guardian, name="guardian"),
    # Households (registry/household_views.py)
    path("households/", household_views.household_list, name="households"),
    path("households/create/", household_views.household_create, name="household_create"),
    path("households/<int:pk>/", household_views.household_detail, name="household_detail"),
    path("households/<int:pk>/head/", household_views.household_head, name="household_head"),
    path("households/<int:pk>/members/create/", household_views.member_create, name="member_create"),
    path("households/members/<int:pk>/", household_views.member_edit, name="member_edit"),
    path("screening/", screening_views.campaign_list, name="screening_list"),
    path("screening/create/", screening_views.campaign_create, name="screening_create"),
    path("screening/<int:pk>/", screening_views.campaign_detail, name="screening_detail"),
    path("screening/<int:pk>/export/", screening_views.campaign_export, name="screening_export"),
    path("screening/<int:pk>/report/", screening_views.report_submit, name="screening_report"),
    # Transfer requests (registry/transfer_views.py)
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/create/", transfer_views.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/decide/", transfer_views.transfer_decide, name="transfer_decide"),
    # Import and export (registry/import_views.py)
    path("import/", import_views.person_import, name="import"),
    path("import/template/", import_views.person_import_template, name="import_template"),
    path("import/<int:job_id>/", import_views.person_import_job, name="import_job"),
    path("import/<int:job_id>/commit/", import_views.person_import_commit, name="import_commit"),
    path("import/<int:job_id>/errors.xlsx", import_views.person_import_errors, name="import_errors"),
    path("export/", import_views.person_export, name="export"),
]
