from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account_list, name="list"),
    path("accounts/export.csv", views.account_export, name="export"),
    path("accounts/new/", views.account_create, name="create"),
    path("accounts/selection/", views.selection, name="selection"),
    path("accounts/selection/criteria/new/", views.criterion_edit, name="criterion_new"),
    path("accounts/selection/criteria/<int:criterion_pk>/", views.criterion_edit, name="criterion_edit"),
    path("accounts/portfolio/", views.portfolio, name="portfolio"),
    path("accounts/pareto/", views.pareto, name="pareto"),
    path("accounts/<int:pk>/", views.account_detail, name="detail"),
    path("accounts/<int:pk>/panels/<slug:app>/", views.account_panel, name="panel"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="edit"),
    path("accounts/<int:pk>/archive/", views.account_archive, name="archive"),
    path("accounts/<int:pk>/unarchive/", views.account_unarchive, name="unarchive"),
    path("accounts/<int:pk>/stage/", views.account_stage, name="stage"),
    path("accounts/<int:pk>/team/", views.account_team, name="team"),
    path("accounts/<int:pk>/team/<int:member_pk>/", views.team_member_edit, name="team_member_edit"),
    path("accounts/<int:pk>/team/<int:member_pk>/remove/", views.team_member_remove, name="team_remove"),
    path("accounts/<int:pk>/contacts/", views.account_contacts, name="contacts"),
    path("accounts/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_pk>/gone/", views.contact_gone, name="contact_gone"),
    path("contacts/<int:contact_pk>/personal-data/", views.contact_personal_data, name="contact_personal_data"),
    path("contacts/<int:contact_pk>/personal-data.json", views.contact_personal_data_json,
         name="contact_personal_data_json"),
    path("contacts/<int:contact_pk>/erase/", views.contact_erase, name="contact_erase"),
    path("accounts/<int:pk>/financials/", views.account_financials, name="financials"),
    path("accounts/<int:pk>/assess/", views.account_assess, name="assess"),
    path("accounts/<int:pk>/tier/", views.account_tier, name="tier"),
    path("imports/", views.import_page, name="imports"),
    path("imports/template/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("imports/<int:pk>/confirm/", views.import_job_confirm, name="import_job_confirm"),
    path("imports/<int:pk>/cancel/", views.import_job_cancel, name="import_job_cancel"),
]
