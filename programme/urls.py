from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("programme/reviews/", views.review_list, name="review_list"),
    path("programme/reviews/new/", views.review_create, name="review_create"),
    path("programme/reviews/compare/", views.review_compare, name="review_compare"),
    path("programme/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("programme/reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("programme/reviews/<int:pk>/<str:action>/", views.review_transition, name="review_transition"),
    path("programme/reviews/<int:pk>/proposals/new/", views.proposal_add, name="proposal_add"),
    path("programme/reviews/<int:pk>/changes/new/", views.change_add, name="change_add"),
    path("programme/proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("programme/settings/", views.review_settings, name="review_settings"),
]
