"""Follow-ups of touchpoints: who owns them and by when, closing them (once, with history), the daily
reminder in the reader's language, and the client contacts' last contact moved by every touchpoint."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Attitude
from kam.errors import Conflict, Forbidden, Invalid
from kam.messages import render
from kam.models import Notification, UserProfile
from tests.conftest import client_for
from tests.factories import ContactFactory, department
from tests.touchpoints.factories import TouchpointFactory
from touchpoints import services
from touchpoints.models import Touchpoint
from touchpoints.tasks import remind_follow_ups_due

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def _log(personas, actor=None, **kw):
    defaults = {"department": department("finance"), "channel": "phone", "kind": "operational",
                "summary": "Conciliación de facturas"}
    return services.touchpoint_log(actor=actor or personas.kam, account=personas.account, **{**defaults, **kw})


def _follow_up(personas, *, owner=None, due=None, note="Enviar el extracto"):
    return TouchpointFactory(account=personas.account, created_by=personas.kam, follow_up=True,
                             follow_up_note=note, follow_up_owner=owner or personas.teammate,
                             follow_up_due=due or TODAY)


# --- Logging ----------------------------------------------------------------------------------------
def test_a_follow_up_needs_a_due_date_and_defaults_to_the_person_logging(personas):
    with pytest.raises(Invalid) as exc:
        _log(personas, follow_up=True, follow_up_note="Llamar")
    assert "follow_up_due" in exc.value.errors
    tp = _log(personas, follow_up=True, follow_up_note="Llamar", follow_up_due=_days(3))
    assert tp.follow_up_owner == personas.kam and tp.follow_up_due == _days(3)
    tp = _log(personas, follow_up=True, follow_up_note="Enviar abono", follow_up_due=_days(3),
              follow_up_owner=personas.teammate)
    assert tp.follow_up_owner == personas.teammate


def test_the_owner_must_see_the_account_and_the_date_must_not_precede_the_touchpoint(personas):
    with pytest.raises(Invalid) as exc:
        _log(personas, follow_up=True, follow_up_note="Llamar", follow_up_due=_days(3),
             follow_up_owner=personas.outsider)
    assert "follow_up_owner" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        _log(personas, follow_up=True, follow_up_note="Llamar", follow_up_due=_days(-1))
    assert "follow_up_due" in exc.value.errors
    assert not Touchpoint.objects.exists()


def test_without_a_follow_up_no_owner_or_date_is_kept(personas):
    tp = _log(personas, follow_up=False, follow_up_due=_days(3), follow_up_owner=personas.teammate)
    assert tp.follow_up_owner is None and tp.follow_up_due is None


def test_logging_moves_each_contacts_last_contact_forward_never_back(personas):
    recent = ContactFactory(account=personas.account, last_contact_date=_days(1))
    old = ContactFactory(account=personas.account, last_contact_date=_days(-200), attitude=Attitude.CHAMPION)
    never = ContactFactory(account=personas.account, last_contact_date=None)
    versions = {c.pk: c.version for c in (recent, old, never)}
    _log(personas, contacts=[recent, old, never])
    for c in (recent, old, never):
        c.refresh_from_db()
    assert recent.last_contact_date == _days(1) and recent.version == versions[recent.pk]
    assert old.last_contact_date == TODAY and old.version == versions[old.pk] + 1
    assert never.last_contact_date == TODAY
    # Kept in the contact's history, with who logged it.
    assert old.history.first().last_contact_date == TODAY and old.history.first().history_user == personas.kam


def test_a_past_touchpoint_sets_its_own_day(personas):
    contact = ContactFactory(account=personas.account, last_contact_date=None)
    when = timezone.now() - datetime.timedelta(days=10)
    _log(personas, contacts=[contact], occurred_at=when)
    contact.refresh_from_db()
    assert contact.last_contact_date == timezone.localtime(when).date()


# --- Closing ----------------------------------------------------------------------------------------
def test_the_owner_closes_once_and_the_history_keeps_who(personas):
    tp = _follow_up(personas)
    closed = services.touchpoint_follow_up_close(actor=personas.teammate, touchpoint=tp,
                                                 expected_version=tp.version)
    assert closed.follow_up_closed_by == personas.teammate and closed.follow_up_closed_at is not None
    assert closed.version == tp.version + 1
    records = closed.history.count()
    again = services.touchpoint_follow_up_close(actor=personas.teammate, touchpoint=tp,
                                                expected_version=tp.version)
    assert again.follow_up_closed_at == closed.follow_up_closed_at and closed.history.count() == records
    assert closed.history.first().history_user == personas.teammate


@pytest.mark.parametrize("who", ["sponsor", "operator", "outsider", "other_kam"])
def test_others_may_not_close(personas, who):
    tp = _follow_up(personas)
    with pytest.raises(Forbidden):
        services.touchpoint_follow_up_close(actor=getattr(personas, who), touchpoint=tp,
                                            expected_version=tp.version)
    tp.refresh_from_db()
    assert tp.follow_up_closed_at is None


@pytest.mark.parametrize("who", ["kam", "lead"])
def test_the_accounts_kam_and_the_lead_may_close(personas, who):
    tp = _follow_up(personas)
    services.touchpoint_follow_up_close(actor=getattr(personas, who), touchpoint=tp, expected_version=tp.version)
    tp.refresh_from_db()
    assert tp.follow_up_closed_at is not None


def test_a_close_from_an_unknown_version_is_refused(personas):
    tp = _follow_up(personas)
    with pytest.raises(Conflict):
        services.touchpoint_follow_up_close(actor=personas.teammate, touchpoint=tp, expected_version="x")


def test_closing_from_my_work_with_and_without_htmx(personas):
    first, second = _follow_up(personas, note="Primero"), _follow_up(personas, note="Segundo")
    client = client_for(personas.teammate)
    url = reverse("touchpoints:follow_up_close", args=[first.pk])
    response = client.post(url, {"version": first.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-testid="follow-up-closed"' in response.content.decode()
    response = client.post(reverse("touchpoints:follow_up_close", args=[second.pk]), {"version": second.version})
    assert response.status_code == 302 and response["Location"] == reverse("metrics:my_work")
    assert not Touchpoint.objects.filter(follow_up_closed_at__isnull=True).exists()
    page = client.get(reverse("metrics:my_work")).content.decode()
    assert "Primero" not in page and 'data-testid="empty-follow_ups"' in page


# --- Reminders --------------------------------------------------------------------------------------
def test_due_follow_ups_are_reminded_once_in_the_readers_language(personas):
    UserProfile.objects.update_or_create(user=personas.teammate, defaults={"language": "es"})
    due = _follow_up(personas, due=TODAY, note="Enviar el extracto")
    late = _follow_up(personas, due=_days(-3), note="Llamar a tesorería")
    _follow_up(personas, due=_days(2), note="Más adelante")
    closed = _follow_up(personas, due=_days(-1), note="Ya hecho")
    services.touchpoint_follow_up_close(actor=personas.teammate, touchpoint=closed, expected_version=closed.version)
    assert remind_follow_ups_due.apply().get() == 2
    assert remind_follow_ups_due.apply().get() == 0  # once per follow-up and due date
    keys = set(Notification.objects.values_list("event_key", flat=True))
    assert keys == {f"touchpoint:{due.pk}:follow-up:{TODAY.isoformat()}",
                    f"touchpoint:{late.pk}:follow-up:{_days(-3).isoformat()}"}
    notice = Notification.objects.get(event_key__startswith=f"touchpoint:{due.pk}:")
    assert notice.recipient == personas.teammate and notice.link == reverse("metrics:my_work")
    from django.utils import translation

    with translation.override("es"):
        assert render(notice.message, notice.params).startswith("Seguimiento pendiente")
    with translation.override("en"):
        assert render(notice.message, notice.params) == "Follow-up due: Aceros del Norte S.A."
    page = client_for(personas.teammate).get(reverse("kam:notifications")).content.decode()
    assert "Seguimiento pendiente" in page
