from django.urls import path

from . import views

app_name = "touchpoints"

urlpatterns = [
    path("touchpoints/new/", views.touchpoint_new, name="touchpoint_new"),
    path("touchpoints/<int:pk>/follow-up/close/", views.follow_up_close, name="follow_up_close"),
    path("touchpoints/accounts/", views.account_search, name="account_search"),
    path("accounts/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("accounts/<int:pk>/touchpoints/export.csv", views.touchpoints_export, {"fmt": "csv"},
         name="touchpoints_export"),
    path("accounts/<int:pk>/touchpoints/export.xlsx", views.touchpoints_export, {"fmt": "xlsx"},
         name="touchpoints_export_xlsx"),
    path("accounts/<int:pk>/feedback/", views.feedback_list, name="feedback_list"),
    path("accounts/<int:pk>/feedback/new/", views.feedback_new, name="feedback_new"),
    path("accounts/<int:pk>/partnership-rating/new/", views.partnership_rating_new, name="partnership_rating_new"),
    path("accounts/<int:pk>/survey/send/", views.survey_send, name="survey_send"),
    path("survey-links/<int:pk>/revoke/", views.survey_revoke, name="survey_revoke"),
    # The client's survey: public, the token is the credential.
    path("survey/thanks/", views.survey_thanks, name="survey_thanks"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/export.csv", views.incident_export, {"fmt": "csv"}, name="incident_export"),
    path("incidents/export.xlsx", views.incident_export, {"fmt": "xlsx"}, name="incident_export_xlsx"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/sla/", views.sla_policies, name="sla_policies"),
    path("incidents/sla/read/", views.sla_policy_read, name="sla_policy_read"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/assign/", views.incident_assign, name="incident_assign"),
]
