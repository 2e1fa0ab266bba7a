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
