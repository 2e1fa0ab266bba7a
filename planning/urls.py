from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("accounts/<int:pk>/plans/", views.plan_list, name="plan_list"),
    path("accounts/<int:pk>/plans/export.csv", views.plans_export, {"fmt": "csv"}, name="plans_export"),
    path("accounts/<int:pk>/plans/export.xlsx", views.plans_export, {"fmt": "xlsx"}, name="plans_export_xlsx"),
    path("accounts/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("accounts/<int:pk>/negotiations/", views.negotiation_list, name="negotiation_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/section/<slug:section>/", views.plan_section, name="plan_section"),
    path("plans/<int:pk>/transition/<slug:action>/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/signoff/", views.plan_signoff, name="plan_signoff"),
    path("plans/<int:pk>/agreement/", views.plan_agreement, name="plan_agreement"),
    path("plans/<int:pk>/period/", views.plan_period, name="plan_period"),
    path("plans/<int:pk>/rows/<slug:kind>/add/", views.row_add, name="row_add"),
    path("plans/<int:pk>/rows/<slug:kind>/<int:row>/", views.row_edit, name="row_edit"),
    path("plans/<int:pk>/rows/<slug:kind>/<int:row>/delete/", views.row_delete, name="row_delete"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("plans/<int:pk>/print/", views.plan_print, name="plan_print"),
    path("plans/<int:pk>/sharing/", views.plan_sharing, name="plan_sharing"),
    path("commitments/<int:pk>/status/", views.commitment_status, name="commitment_status"),
    path("share-links/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("share-links/<int:pk>/send/", views.share_send, name="share_send"),
    path("share-links/<int:pk>/reopen/", views.share_reopen, name="share_reopen"),
    path("client-requests/<int:pk>/answer/", views.thread_answer, name="thread_answer"),
    path("share/<str:token>/", views.share, name="share"),
    path("share-links/<int:pk>/client.pdf", views.share_link_pdf, name="share_link_pdf"),
    # The client's copy under the token: wrap here with the verified client's session check.
    path("share/<str:token>/plan.pdf", views.share_pdf, name="share_pdf"),
    path("negotiations/<int:pk>/", views.negotiation_detail, name="negotiation_detail"),
    path("negotiations/<int:pk>/<slug:kind>/add/", views.negotiation_row, name="negotiation_row"),
    path("negotiations/<int:pk>/<slug:kind>/<int:row>/", views.negotiation_row_edit, name="negotiation_row_edit"),
    path("negotiations/<int:pk>/<slug:kind>/<int:row>/delete/", views.negotiation_row_delete,
         name="negotiation_row_delete"),
    path("negotiation-agreements/<int:pk>/commitment/", views.agreement_commitment,
         name="agreement_commitment"),
]
