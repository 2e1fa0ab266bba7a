from django.urls import path

from . import views

app_name = "roster"

urlpatterns = [
    path("roster/", views.overview, name="overview"),
    path("roster/comparison/", views.comparison, name="comparison"),
    path("roster/settings/", views.roster_settings, name="settings"),
    path("roster/competences/new/", views.competence_new, name="competence_new"),
    path("roster/competences/<int:pk>/active/", views.competence_active, name="competence_active"),
    path("roster/people/<int:pk>/", views.person, name="person"),
    path("roster/people/<int:pk>/assess/", views.assess, name="assess"),
    path("roster/people/<int:pk>/courses/new/", views.course_new, name="course_new"),
    path("roster/courses/<int:pk>/done/", views.course_done, name="course_done"),
]
