"""Incidents for a five-star service: assignment, serious incidents reaching the sponsor at once, the
second escalation rung, business-hours clocks, waiting on the client, root cause on critical closes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from freezegun import freeze_time

from kam.errors import Forbidden, Invalid
from kam.models import Notification, ProgrammeSettings
from tests.factories import TeamMemberFactory, UserFactory, department
from tests.touchpoints.factories import IncidentFactory
from touchpoints import services
from touchpoints.models import IncidentStatus, ServiceIncident, SlaPolicy

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


def open_incident(personas, severity="critical", account=None, **kw):
    return services.incident_open(actor=personas.operator, account=account or personas.account,
                                  category="delivery", severity=severity, title="Camión no llegó", **kw)


def notified(user, part=""):
    return list(Notification.objects.filter(recipient=user, event_key__contains=part))


# --- Assignee ---------------------------------------------------------------------------------------
def test_operations_person_takes_an_incident_and_history_records_it(personas):
    incident = open_incident(personas, severity="low")
    done = services.incident_assign(actor=personas.operator, incident=incident, assignee=personas.operator,
                                    expected_version=incident.version)
    assert done.assignee == personas.operator
    assert done.history.first().assignee_id == personas.operator.pk
    # Taking it oneself tells nobody.
    assert not notified(personas.operator, ":assigned")


def test_assigning_someone_else_notifies_them_once(personas):
    other_op = UserFactory(username="op2", roles=["Operations"])
    incident = open_incident(personas, severity="low")
    services.incident_assign(actor=personas.lead, incident=incident, assignee=other_op,
                             expected_version=incident.version)
    services.incident_assign(actor=personas.lead, incident=incident, assignee=other_op,
                             expected_version=ServiceIncident.objects.get(pk=incident.pk).version)
    [notice] = notified(other_op)
    assert notice.event_key.startswith(f"incident:{incident.pk}:assigned")
    assert notice.message == "touchpoints.notice_incident_assigned"
    assert "Camión no llegó" in notice.body


def test_operations_department_member_of_the_team_may_be_assigned(personas):
    ops_member = UserFactory(username="ops_member2")
    TeamMemberFactory(account=personas.account, user=ops_member, department=department("operations"))
    incident = open_incident(personas, severity="low")
    done = services.incident_assign(actor=personas.operator, incident=incident, assignee=ops_member,
                                    expected_version=incident.version)
    assert done.assignee == ops_member


def test_only_operations_people_may_be_assigned(personas):
    incident = open_incident(personas, severity="low")
    with pytest.raises(Invalid) as exc:
        services.incident_assign(actor=personas.operator, incident=incident, assignee=personas.teammate,
                                 expected_version=incident.version)
    assert list(exc.value.errors) == ["assignee"]


def test_a_teammate_may_not_assign_others(personas):
    incident = open_incident(personas, severity="low")
    with pytest.raises(Forbidden):
        services.incident_assign(actor=personas.teammate, incident=incident, assignee=personas.operator,
                                 expected_version=incident.version)
    with pytest.raises(Forbidden):
        services.incident_assign(actor=personas.sponsor, incident=incident, assignee=personas.operator,
                                 expected_version=incident.version)


# --- Serious incidents reach KAM and sponsor at once ------------------------------------------------
def test_critical_on_key_account_notifies_kam_and_sponsor_once_each(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_incident(personas, severity="critical")
    assert len(notified(personas.kam)) == 1
    assert len(notified(personas.sponsor)) == 1


def test_low_incident_on_key_account_does_not_reach_the_sponsor(personas):
    open_incident(personas, severity="low")
    assert len(notified(personas.kam)) == 1
    assert not notified(personas.sponsor)


def test_raising_to_high_notifies_the_sponsor_once(personas):
    incident = open_incident(personas, severity="medium")
    done = services.incident_update(actor=personas.operator, incident=incident, expected_version=incident.version,
                                    severity="high")
    services.incident_update(actor=personas.operator, incident=done, expected_version=done.version,
                             severity="critical")
    assert len(notified(personas.sponsor)) == 1
    assert len(notified(personas.kam, ":serious")) == 1


# --- Second escalation rung -------------------------------------------------------------------------
def test_unresolved_breach_escalates_to_the_operations_manager_after_the_further_hours(personas):
    manager = UserFactory(username="opsmanager", roles=["Operations"])
    ProgrammeSettings.objects.filter(pk=ProgrammeSettings.current().pk).update(
        operations_manager=manager, manager_escalation_hours=4)
    opened = timezone.now() - datetime.timedelta(hours=30)
    incident = IncidentFactory(account=personas.account, severity="critical", opened_at=opened)
    services.sla_breaches_escalate(now=opened + datetime.timedelta(hours=10))
    assert not notified(manager)
    services.sla_breaches_escalate(now=opened + datetime.timedelta(hours=13))  # 3 h after the breach
    assert not notified(manager)
    services.sla_breaches_escalate(now=opened + datetime.timedelta(hours=15))
    services.sla_breaches_escalate(now=opened + datetime.timedelta(hours=16))
    [notice] = notified(manager)
    assert notice.event_key == f"incident:{incident.pk}:manager-escalation"
    assert ServiceIncident.objects.get(pk=incident.pk).manager_escalated_at is not None


def test_no_manager_named_no_second_rung(personas):
    opened = timezone.now() - datetime.timedelta(hours=30)
    incident = IncidentFactory(account=personas.account, severity="critical", opened_at=opened)
    services.sla_breaches_escalate(now=opened + datetime.timedelta(hours=20))
    assert ServiceIncident.objects.get(pk=incident.pk).manager_escalated_at is None


# --- Business hours and waiting on the client -------------------------------------------------------
def test_business_hours_policy_computes_deadlines_in_working_time(personas):
    SlaPolicy.objects.filter(tier="key", severity="medium").update(clock="business", ack_hours=2, resolve_hours=9)
    friday = datetime.datetime(2026, 3, 6, 17, 30, tzinfo=MADRID)
    with freeze_time(friday + datetime.timedelta(minutes=5)):
        incident = open_incident(personas, severity="medium", opened_at=friday)
    assert incident.sla_clock == "business"
    assert incident.ack_due_at == datetime.datetime(2026, 3, 9, 10, 30, tzinfo=MADRID)


def test_holidays_of_the_programme_are_skipped(personas):
    ProgrammeSettings.objects.filter(pk=ProgrammeSettings.current().pk).update(holidays=["2026-03-09"])
    SlaPolicy.objects.filter(tier="key", severity="medium").update(clock="business", ack_hours=2, resolve_hours=9)
    friday = datetime.datetime(2026, 3, 6, 17, 30, tzinfo=MADRID)
    with freeze_time(friday + datetime.timedelta(minutes=5)):
        incident = open_incident(personas, severity="medium", opened_at=friday)
    assert incident.ack_due_at == datetime.datetime(2026, 3, 10, 10, 30, tzinfo=MADRID)


def test_waiting_on_the_client_stops_the_clock_and_resuming_moves_the_deadlines(personas):
    opened = timezone.now() - datetime.timedelta(hours=5)
    incident = IncidentFactory(account=personas.account, severity="medium", opened_at=opened,
                               status=IncidentStatus.ACKNOWLEDGED, acknowledged_at=opened)
    due = incident.resolve_due_at
    paused = opened + datetime.timedelta(hours=1)
    incident = services.incident_update(actor=personas.operator, incident=incident,
                                        expected_version=incident.version, waiting_on_client=True, now=paused)
    assert incident.waiting_since == paused
    # While waiting the breach job leaves it alone, even past its deadline.
    assert services.sla_breaches_escalate(now=due + datetime.timedelta(hours=1)) == 0
    resumed = paused + datetime.timedelta(hours=3)
    incident = services.incident_update(actor=personas.operator, incident=incident,
                                        expected_version=incident.version, waiting_on_client=False, now=resumed)
    assert incident.waiting_since is None
    assert incident.resolve_due_at == due + datetime.timedelta(hours=3)
    # The acknowledge deadline was already met: it stays.
    assert incident.ack_due_at == ServiceIncident.objects.get(pk=incident.pk).ack_due_at


def test_resuming_a_business_hours_incident_moves_it_by_working_time(personas):
    friday = datetime.datetime(2026, 3, 6, 16, 0, tzinfo=MADRID)
    due = datetime.datetime(2026, 3, 9, 12, 0, tzinfo=MADRID)
    incident = IncidentFactory(account=personas.account, severity="medium", opened_at=friday,
                               sla_clock="business", status=IncidentStatus.ACKNOWLEDGED, acknowledged_at=friday,
                               resolve_due_at=due, ack_due_at=friday + datetime.timedelta(hours=1))
    with freeze_time(friday + datetime.timedelta(hours=1)):
        incident = services.incident_update(actor=personas.operator, incident=incident,
                                            expected_version=incident.version, waiting_on_client=True,
                                            now=datetime.datetime(2026, 3, 6, 17, 0, tzinfo=MADRID))
        incident = services.incident_update(actor=personas.operator, incident=incident,
                                            expected_version=incident.version, waiting_on_client=False,
                                            now=datetime.datetime(2026, 3, 9, 10, 0, tzinfo=MADRID))
    # Paused 2 working hours (Friday 17-18, Monday 9-10): Monday 12:00 → 14:00.
    assert incident.resolve_due_at == datetime.datetime(2026, 3, 9, 14, 0, tzinfo=MADRID)


def test_a_finished_incident_cannot_wait_on_the_client(personas):
    incident = IncidentFactory(account=personas.account, severity="low", status=IncidentStatus.RESOLVED,
                               resolution="Hecho")
    with pytest.raises(Invalid) as exc:
        services.incident_update(actor=personas.operator, incident=incident, expected_version=incident.version,
                                 waiting_on_client=True)
    assert list(exc.value.errors) == ["waiting_on_client"]


# --- Root cause ---------------------------------------------------------------------------------------
def test_closing_a_critical_incident_needs_root_cause_and_corrective_action(personas):
    incident = open_incident(personas, severity="critical")
    with pytest.raises(Invalid) as exc:
        services.incident_update(actor=personas.operator, incident=incident, expected_version=incident.version,
                                 status="closed", resolution="Reenviado el pedido")
    assert set(exc.value.errors) == {"root_cause", "corrective_action"}
    done = services.incident_update(actor=personas.operator, incident=incident, expected_version=incident.version,
                                    status="closed", resolution="Reenviado el pedido",
                                    root_cause="Ruta mal asignada", corrective_action="Validar rutas al planificar")
    assert done.status == "closed" and done.root_cause == "Ruta mal asignada"


def test_closing_a_low_incident_needs_no_root_cause(personas):
    incident = open_incident(personas, severity="low")
    done = services.incident_update(actor=personas.operator, incident=incident, expected_version=incident.version,
                                    status="closed", resolution="Hecho")
    assert done.status == "closed"


def test_clocks_stand_still_while_waiting_on_the_client(personas):
    from touchpoints.presentation import incident_clocks

    incident = IncidentFactory(account=personas.account, severity="medium")
    incident.waiting_since = incident.ack_due_at - datetime.timedelta(hours=1)
    ack = incident_clocks(incident, incident.ack_due_at + datetime.timedelta(hours=5))[0]
    assert ack.state == "running" and ack.clock.margin == datetime.timedelta(hours=1)
