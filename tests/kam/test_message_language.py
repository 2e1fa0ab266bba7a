"""Events, notices and incident history are read in the reader's language, whatever the writer's:
they are stored as a kind plus parameters (kam.messages) and put into words when read."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from accounts.models import Activity, ActivityKind
from kam import messages
from kam.models import Notification, UserProfile
from kam.services import notification_emails_deliver
from tests.factories import department
from touchpoints import services as tp_services
from touchpoints.models import IncidentStatus, Severity, TouchpointKind

pytestmark = pytest.mark.django_db

migration = __import__("touchpoints.migrations.0007_incident_history_message", fromlist=["forwards"])


def speaks(user, language):
    UserProfile.objects.update_or_create(user=user, defaults={"language": language})


def label(choice, language):
    with translation.override(language):
        return str(choice.label)


def write_events(personas, language):
    """An incident opened, acknowledged and breached, and a touchpoint, all by people working in
    `language`; returns the incident."""
    with translation.override(language):
        incident = tp_services.incident_open(
            actor=personas.kam, account=personas.account, category="delivery", severity=Severity.HIGH,
            title="Pedido 4471 retrasado")
        tp_services.incident_update(actor=personas.kam, incident=incident, expected_version=incident.version,
                                    status=IncidentStatus.ACKNOWLEDGED, cost=Decimal("120"))
        tp_services.touchpoint_log(actor=personas.kam, account=personas.account, department=department("sales"),
                                   channel="in_person", kind=TouchpointKind.COMMERCIAL,
                                   summary="Visita a la planta", quality=4)
    return incident


@pytest.mark.parametrize("writer, reader", [("en", "es"), ("es", "en")])
def test_events_notices_and_history_read_in_the_readers_language(client, personas, writer, reader):
    incident = write_events(personas, writer)
    with translation.override(writer), freeze_time(incident.resolve_due_at + datetime.timedelta(hours=1)):
        tp_services.sla_breaches_escalate()
    speaks(personas.kam, reader)
    client.force_login(personas.kam)

    history = client.get(reverse("touchpoints:incident_detail", args=[incident.pk])).content.decode()
    timeline = client.get(reverse("touchpoints:timeline", args=[personas.account.pk])).content.decode()
    notices = client.get(reverse("kam:notifications")).content.decode()

    status_change = {lang: f"{label(IncidentStatus.OPEN, lang)} → {label(IncidentStatus.ACKNOWLEDGED, lang)}"
                     for lang in ("en", "es")}
    for page in (history, timeline):
        assert status_change[reader] in page and status_change[writer] not in page
    # The touchpoint's kind and channel, by their labels in the reader's language.
    from touchpoints.models import Channel
    commercial = {lang: f"{label(TouchpointKind.COMMERCIAL, lang)} ({label(Channel.IN_PERSON, lang)})"
                  for lang in ("en", "es")}
    assert commercial[reader] in timeline and commercial[writer] not in timeline
    with translation.override(reader):
        opened = str(messages.render("touchpoints.notice_incident_opened", Notification.objects.get(
            event_key=f"incident:{incident.pk}:opened", recipient=personas.kam).params))
        breach_title = translation.gettext("SLA breached on %(account)s") % {"account": personas.account.name}
    assert opened in notices
    assert breach_title in notices
    with translation.override(writer):
        assert translation.gettext("SLA breached on %(account)s") % {"account": personas.account.name} not in notices

    # The e-mails of those notices, sent by a job without a language, are in the recipient's.
    mail.outbox.clear()
    Notification.objects.update(emailed_at=None)
    notification_emails_deliver()
    to_kam = [m for m in mail.outbox if m.to == [personas.kam.email]]
    assert {m.subject for m in to_kam} >= {opened, breach_title}
    with translation.override(reader):
        not_in_time = translation.gettext("#%(id)s Not resolved in time: %(title)s. Deadline was %(due)s.")
    expected_start = not_in_time.split("%(id)s")[0]
    assert any(m.body.startswith(expected_start) and incident.title in m.body for m in to_kam)


def test_each_recipient_of_one_event_gets_the_email_in_their_language(personas):
    speaks(personas.kam, "es")
    speaks(personas.sponsor, "en")
    incident = write_events(personas, "en")
    with freeze_time(incident.resolve_due_at + datetime.timedelta(hours=1)):
        tp_services.sla_breaches_escalate()
    mail.outbox.clear()
    Notification.objects.update(emailed_at=None)
    notification_emails_deliver()
    subjects = {m.to[0]: m.subject for m in mail.outbox if "SLA" in m.subject}
    with translation.override("es"):
        es = translation.gettext("SLA breached on %(account)s") % {"account": personas.account.name}
    assert subjects[personas.kam.email] == es != "SLA breached on Aceros del Norte S.A."
    assert subjects[personas.sponsor.email] == "SLA breached on Aceros del Norte S.A."


def test_nightly_reminders_read_in_spanish_by_a_spanish_reader(client, personas):
    """Jobs run without a language: what they write must still read in Spanish for a Spanish user."""
    from planning.services import plan_reminders_send
    from tests.planning.factories import CommitmentFactory, PlanFactory

    plan = PlanFactory(account=personas.account, owner=personas.kam)
    CommitmentFactory(plan=plan, description="Entrega del piloto", due_date=datetime.date(2026, 3, 2))
    with freeze_time("2026-03-20"):
        assert plan_reminders_send() >= 1
    speaks(personas.kam, "es")
    client.force_login(personas.kam)
    page = client.get(reverse("kam:notifications")).content.decode()
    with translation.override("es"):
        missed = translation.gettext("Commitment missed: %(what)s") % {"what": "Entrega del piloto"}
    assert missed in page and "Commitment missed" not in page
    assert "02/03/2026" in page  # the due date in Spanish day-month-year


def test_the_english_reader_sees_british_dates(client, personas):
    incident = write_events(personas, "es")
    speaks(personas.kam, "en")
    client.force_login(personas.kam)
    page = client.get(reverse("kam:notifications")).content.decode()
    due = timezone.localtime(incident.ack_due_at)
    assert due.strftime("%d/%m/%Y %H:%M") in page  # day-month-year, 24-hour clock


def test_a_row_without_a_kind_shows_its_stored_text(personas):
    a = Activity.objects.create(account=personas.account, kind=ActivityKind.ACCOUNT, summary="Texto antiguo")
    assert a.text == "Texto antiguo"
    a.message = "no.such_kind"
    assert a.text == "Texto antiguo"  # a kind no longer registered falls back too


def test_an_unregistered_kind_is_refused_when_written(personas):
    with pytest.raises(KeyError):
        messages.encode("no.such_kind", {})


def test_the_data_migration_gives_recognisable_rows_their_kind(personas):
    incident = write_events(personas, "en")
    Activity.objects.update(message="", params={})
    Notification.objects.update(message="", params={})
    unknown = Activity.objects.create(account=personas.account, kind=ActivityKind.ACCOUNT, subkind="import",
                                      summary="Contactos importados")
    stray = Notification.objects.create(recipient=personas.kam, event_key="legacy:1", title="Aviso antiguo")

    migration.forwards(apps, None)

    opened = Activity.objects.get(kind=ActivityKind.INCIDENT_OPENED)
    assert opened.message == "touchpoints.incident_opened"
    assert opened.params == {"severity": "high", "category": "delivery", "title": incident.title}
    visit = Activity.objects.get(kind=ActivityKind.TOUCHPOINT)
    assert visit.message == "touchpoints.touchpoint" and visit.params["channel"] == "in_person"
    notice = Notification.objects.get(event_key=f"incident:{incident.pk}:opened", recipient=personas.kam)
    assert notice.message == "touchpoints.notice_incident_opened"
    with translation.override("es"):
        assert label(Severity.HIGH, "es").lower() in notice.title_text
        assert label(TouchpointKind.COMMERCIAL, "es") in visit.text
    # What it cannot recognise keeps its text.
    unknown.refresh_from_db()
    stray.refresh_from_db()
    assert unknown.message == "" and unknown.text == "Contactos importados"
    assert stray.message == "" and stray.title_text == "Aviso antiguo"
    # The update's changes cannot be rebuilt from its text: it stays on it.
    assert Activity.objects.get(kind=ActivityKind.INCIDENT_UPDATED).message == ""
