from django.urls import path

from . import views

app_name = "charter"

urlpatterns = [
    path("charter/", views.charter, name="charter"),
    path("charter/promises/new/", views.promise_edit, name="promise_new"),
    path("charter/promises/<int:pk>/", views.promise_edit, name="promise_edit"),
    path("charter/compliance/", views.compliance, name="compliance"),
    path("accounts/<int:pk>/charter/", views.account_compliance, name="account_compliance"),
]
