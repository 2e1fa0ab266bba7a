import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kam.models import Notification
from kam.services import notification_emails_deliver, notification_mark_read, notification_send
from kam.tasks import send_notification_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _send(users, key="incident:1:opened", **extra):
    return notification_send(recipients=users, event_key=key, title=extra.pop("title", "Incidencia abierta"),
                             body=extra.pop("body", "Retraso en la entrega"), link=extra.pop("link", "/incidents/1/"))


# --- notification_send ---------------------------------------------------------------------------------
def test_each_person_is_notified_once_per_event_in_app_and_by_email(django_capture_on_commit_callbacks):
    ana, elena = UserFactory(username="ana"), UserFactory(username="elena")
    with django_capture_on_commit_callbacks(execute=True):
        created = _send([ana, elena, ana])
    assert {n.recipient for n in created} == {ana, elena}
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "elena@example.com"]
    assert all(n.emailed_at for n in Notification.objects.all())

    # The job that raised the event runs again: nothing new, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        again = _send([ana, elena])
    assert again == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_email_carries_the_title_body_and_an_absolute_link(settings, django_capture_on_commit_callbacks):
    settings.KAM_SITE_URL = "https://kam.proveedor.example/"
    user = UserFactory(username="ana")
    with django_capture_on_commit_callbacks(execute=True):
        _send([user], title="SLA incumplido", body="La incidencia lleva 5 horas sin respuesta", link="/incidents/7/")
    (message,) = mail.outbox
    assert message.subject == "SLA incumplido"
    assert "La incidencia lleva 5 horas sin respuesta" in message.body
    assert "https://kam.proveedor.example/incidents/7/" in message.body


def test_a_different_event_notifies_the_same_person_again(django_capture_on_commit_callbacks):
    user = UserFactory(username="ana")
    with django_capture_on_commit_callbacks(execute=True):
        _send([user], key="incident:1:opened")
        _send([user], key="incident:1:ack-breach")
    assert user.notifications.count() == 2
    assert len(mail.outbox) == 2


def test_inactive_and_missing_recipients_are_skipped(django_capture_on_commit_callbacks):
    active = UserFactory(username="ana")
    gone = UserFactory(username="se_fue", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        created = _send([gone, None, active])
    assert [n.recipient for n in created] == [active]
    assert not Notification.objects.filter(recipient=gone).exists()
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_a_person_without_email_is_notified_in_app_only(django_capture_on_commit_callbacks):
    user = UserFactory(username="sin_correo", email="")
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _send([user])
    notification.refresh_from_db()
    assert mail.outbox == []
    # Marked as handled so that the sweep does not retry it forever.
    assert notification.emailed_at is not None


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    user = UserFactory(username="ana")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _send([user])
                raise RuntimeError("the service failed after notifying")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_sweep_sends_pending_emails_once():
    ana, elena = UserFactory(username="ana"), UserFactory(username="elena")
    # Created without running the commit hooks: as if the broker had been down at the time.
    _send([ana, elena])
    assert mail.outbox == []
    assert send_notification_emails() == 2
    assert len(mail.outbox) == 2
    assert notification_emails_deliver() == 0
    assert len(mail.outbox) == 2


def test_mark_read_touches_only_the_users_own_notifications():
    ana, elena = UserFactory(username="ana"), UserFactory(username="elena")
    (mine,) = _send([ana])
    (theirs,) = _send([elena])
    assert notification_mark_read(actor=ana, notification_ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- pages ---------------------------------------------------------------------------------------------
def test_list_shows_my_notifications_newest_first_and_not_others(login):
    ana, elena = UserFactory(username="ana"), UserFactory(username="elena")
    _send([ana], key="e1", title="Primera")
    _send([ana], key="e2", title="Segunda")
    _send([elena], key="e3", title="De Elena")
    response = login(ana).get(reverse("kam:notifications"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Segunda") < html.index("Primera")
    assert "De Elena" not in html


def test_empty_states_explain_what_will_appear(login):
    ana = UserFactory(username="ana")
    response = login(ana).get(reverse("kam:notifications"))
    assert "No notifications yet" in response.content.decode()
    _send([ana])
    Notification.objects.update(read_at=timezone.now())
    response = login(ana).get(reverse("kam:notifications") + "?show=unread")
    assert "No unread notifications" in response.content.decode()


def test_unread_filter_hides_read_ones(login):
    ana = UserFactory(username="ana")
    _send([ana], key="e1", title="Leída")
    _send([ana], key="e2", title="Pendiente")
    Notification.objects.filter(title="Leída").update(read_at=timezone.now())
    html = login(ana).get(reverse("kam:notifications") + "?show=unread").content.decode()
    assert "Pendiente" in html
    assert "Leída" not in html


def test_unread_count_in_the_navigation(login):
    ana = UserFactory(username="ana")
    client = login(ana)
    html = client.get(reverse("kam:notifications")).content.decode()
    assert 'data-testid="unread-count"' not in html
    for i in range(3):
        _send([ana], key=f"e{i}")
    html = client.get(reverse("password_change")).content.decode()
    assert 'data-testid="unread-count">3</span>' in html


def test_mark_one_as_read(login):
    ana = UserFactory(username="ana")
    (n,) = _send([ana])
    response = login(ana).post(reverse("kam:notification_read", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("kam:notifications")
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_marks_read_and_follows_the_link(login):
    ana = UserFactory(username="ana")
    (n,) = _send([ana], link="/incidents/42/")
    response = login(ana).post(reverse("kam:notification_read", args=[n.pk]), {"next": "open"})
    assert response["Location"] == "/incidents/42/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_never_leaves_the_site(login):
    ana = UserFactory(username="ana")
    (n,) = _send([ana], link="https://evil.example/")
    response = login(ana).post(reverse("kam:notification_read", args=[n.pk]), {"next": "open"})
    assert response["Location"] == reverse("kam:notifications")


def test_someone_elses_notification_cannot_be_marked_or_opened(login):
    ana, elena = UserFactory(username="ana"), UserFactory(username="elena")
    (theirs,) = _send([elena], link="/incidents/9/")
    response = login(ana).post(reverse("kam:notification_read", args=[theirs.pk]), {"next": "open"})
    assert response.status_code == 404  # as for any object that is not theirs
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read(login):
    ana, elena = UserFactory(username="ana"), UserFactory(username="elena")
    for i in range(4):
        _send([ana, elena], key=f"e{i}")
    client = login(ana)
    response = client.post(reverse("kam:notification_read_all"), follow=True)
    assert "4 notifications marked as read." in response.content.decode()
    assert not ana.notifications.filter(read_at__isnull=True).exists()
    assert elena.notifications.filter(read_at__isnull=True).count() == 4
    assert 'data-testid="unread-count"' not in response.content.decode()


def test_the_mark_all_button_only_shows_with_unread(login):
    ana = UserFactory(username="ana")
    client = login(ana)
    assert "Mark all as read" not in client.get(reverse("kam:notifications")).content.decode()
    _send([ana])
    assert "Mark all as read" in client.get(reverse("kam:notifications")).content.decode()


def test_pages_beyond_the_first(login):
    ana = UserFactory(username="ana")
    for i in range(30):
        _send([ana], key=f"e{i}", title=f"Aviso número {i:02d}")
    client = login(ana)
    first = client.get(reverse("kam:notifications")).content.decode()
    second = client.get(reverse("kam:notifications") + "?page=2").content.decode()
    assert "Aviso número 29" in first and "Aviso número 00" not in first
    assert "Aviso número 00" in second and "Aviso número 29" not in second
    # A page number out of range shows the last page instead of an error.
    assert client.get(reverse("kam:notifications") + "?page=99").status_code == 200


def test_notifications_are_shown_in_spanish(login):
    ana = UserFactory(username="ana")
    client = login(ana)
    client.cookies.load({"django_language": "es"})
    html = client.get(reverse("kam:notifications")).content.decode()
    assert "Notificaciones" in html
    assert "Todavía no hay notificaciones" in html


# --- query budget --------------------------------------------------------------------------------------
NOTIFICATIONS_PAGE_BUDGET = 6


@pytest.mark.parametrize("how_many", [2, 80])
def test_notifications_page_query_budget(login, django_assert_max_num_queries, how_many):
    ana = UserFactory(username="ana")
    others = [UserFactory(username=f"otro{i}") for i in range(3)]
    for i in range(how_many):
        _send([ana, *others], key=f"e{i}")
    client = login(ana)
    # session, user, groups (navigation), unread count, page count, page rows
    with django_assert_max_num_queries(NOTIFICATIONS_PAGE_BUDGET):
        response = client.get(reverse("kam:notifications"))
    assert response.status_code == 200
