from django.urls import path

from . import views

app_name = "calfeed"

urlpatterns = [
    path("calendar/", views.feed_settings, name="settings"),
    path("calendar/revoke/", views.feed_revoke, name="revoke"),
    path("calendar/feed/<str:token>.ics", views.feed, name="feed"),
]
