"""The programme lead manages people, roles and reference data in the administration site."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from kam.models import Department, Notification, ProgrammeSettings
from kam.roles import KAM, LEAD, SPONSOR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client):
    client.force_login(UserFactory(username="lead", roles=[LEAD], is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("url_name", [
    "admin:index", "admin:auth_user_changelist", "admin:auth_group_changelist", "admin:kam_department_changelist",
    "admin:kam_programmesettings_changelist", "admin:kam_notification_changelist",
])
def test_the_lead_reaches_every_back_office_list(lead_client, url_name):
    assert lead_client.get(reverse(url_name)).status_code == 200


def test_other_roles_are_kept_out(client):
    client.force_login(UserFactory(username="kam", roles=[KAM]))
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_lead_gives_a_user_a_role(lead_client):
    user = UserFactory(username="nuevo", roles=[])
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = lead_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "groups",
                                                                                   "user_permissions")}
    data.update({"groups": [Group.objects.get(name=SPONSOR).pk], "last_login_0": "", "last_login_1": "",
                 "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"})
    response = lead_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(get_user_model().objects.get(pk=user.pk).groups.values_list("name", flat=True)) == [SPONSOR]


def test_programme_settings_keep_their_history(lead_client):
    settings_row = ProgrammeSettings.current()
    for cap in (30, 28):
        settings_row.key_account_cap = cap
        settings_row.save()
    response = lead_client.get(reverse("admin:kam_programmesettings_history", args=[settings_row.pk]))
    assert response.status_code == 200
    assert [h.key_account_cap for h in settings_row.history.all()[:2]] == [28, 30]
    # One row only: no second settings row, and it cannot be deleted.
    assert lead_client.get(reverse("admin:kam_programmesettings_add")).status_code == 403
    assert lead_client.get(reverse("admin:kam_programmesettings_delete", args=[settings_row.pk])).status_code == 403


def test_departments_can_be_renamed_but_not_deleted(lead_client):
    sales = Department.objects.get(code="sales")
    assert lead_client.get(reverse("admin:kam_department_delete", args=[sales.pk])).status_code == 403


def test_notifications_are_read_only(lead_client):
    n = Notification.objects.create(recipient=UserFactory(username="ana"), event_key="e1", title="Aviso")
    assert lead_client.get(reverse("admin:kam_notification_add")).status_code == 403
    assert lead_client.get(reverse("admin:kam_notification_change", args=[n.pk])).status_code == 200


# --- Sign-in: the back office has none of its own, so it cannot be used to get round the throttle. ---

def _admin_login(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password,
                                                 "next": reverse("admin:index")}, REMOTE_ADDR="10.9.0.1")


def test_guessing_through_the_admins_login_page_never_signs_in(client, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 5
    UserFactory(username="root", roles=[LEAD], is_staff=True, is_superuser=True)
    for _ in range(30):
        _admin_login(client, "root", "wrong")
    response = _admin_login(client, "root", "pw-test-12345")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admins_login_page_sends_people_to_the_sites_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/admin/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/auth/user/"
    assert client.get(reverse("admin:login"))["Location"] == reverse("login") + "?next=/admin/"


def test_the_sites_sign_in_is_throttled_for_the_back_office_too(client, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="root", roles=[LEAD], is_staff=True, is_superuser=True)
    url = reverse("login") + "?next=" + reverse("admin:index")
    for _ in range(3):
        client.post(url, {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.9.0.1")
    assert client.post(url, {"username": "root", "password": "pw-test-12345"},
                       REMOTE_ADDR="10.9.0.1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lead_signs_in_at_the_site_and_lands_in_the_back_office(client):
    UserFactory(username="root", roles=[LEAD], is_staff=True, is_superuser=True)
    response = client.post(reverse("login") + "?next=" + reverse("admin:index"),
                           {"username": "root", "password": "pw-test-12345", "next": reverse("admin:index")})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    # Already signed in: the admin's login address goes straight to the back office.
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")


def test_a_signed_in_person_without_staff_rights_is_refused_not_looped(client):
    client.force_login(UserFactory(username="kam", roles=[KAM]))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
