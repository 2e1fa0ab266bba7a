from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("accounts/<int:pk>/agreements/", views.agreement_list, name="account_list"),
    path("accounts/<int:pk>/agreements/new/", views.agreement_create, name="create"),
    path("accounts/<int:pk>/agreements/from-negotiation/", views.agreement_from_negotiation,
         name="from_negotiation"),
    path("agreements/", views.programme_list, name="programme_list"),
    path("agreements/export.csv", views.programme_export, {"fmt": "csv"}, name="export"),
    path("agreements/export.xlsx", views.programme_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<int:pk>/transition/<slug:action>/", views.agreement_transition, name="transition"),
    path("agreements/<int:pk>/terms/add/", views.term_add, name="term_add"),
    path("agreements/<int:pk>/terms/<int:term>/", views.term_edit, name="term_edit"),
    path("agreements/<int:pk>/terms/<int:term>/delete/", views.term_delete, name="term_delete"),
    path("agreement-terms/<int:pk>/commitment/", views.term_commitment, name="term_commitment"),
]
