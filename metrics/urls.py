from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("accounts/<int:pk>/brief/", views.account_brief, name="account_brief"),
    path("my-work/", views.my_work, name="my_work"),
    path("share/<str:token>/rate/", views.share_survey, name="share_survey"),
    path("dashboards/kam/", views.dashboard_kam, name="dashboard_kam"),
    path("dashboards/sponsor/", views.dashboard_sponsor, name="dashboard_sponsor"),
    path("dashboards/program/", views.dashboard_program, name="dashboard_program"),
    path("dashboards/program/recompute/", views.recompute_now, name="recompute_now"),
    path("settings/program/", views.programme_settings, name="programme_settings"),
]
