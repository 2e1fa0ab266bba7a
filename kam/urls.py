"""The composition root of URLs: each app owns its paths (full paths, including their prefix)."""

from django.contrib import admin
from django.urls import include, path

from kam import views

kam_patterns = (
    [
        path("notifications/", views.notification_list, name="notifications"),
        path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
        path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
        path("profile/", views.profile, name="profile"),
    ],
    "kam",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/change/", views.password_change_view, name="password_change"),
    path("password/change/done/", views.password_change_done_view, name="password_change_done"),
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done_view, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("password/reset/complete/", views.password_reset_complete_view, name="password_reset_complete"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("", include(kam_patterns)),
    path("", include("accounts.urls")),
    path("", include("planning.urls")),
    path("", include("touchpoints.urls")),
    path("", include("charter.urls")),
    path("", include("agreements.urls")),
    path("", include("metrics.urls")),
    path("", include("programme.urls")),
    path("", include("roster.urls")),
    path("", include("calfeed.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "kam.views.error_500"
