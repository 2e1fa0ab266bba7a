import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Activity, ActivityKind
from kam.errors import Conflict, Forbidden, Invalid
from kam.models import Notification, ProgrammeSettings
from tests.factories import AccountFactory, ContactFactory, department
from tests.touchpoints.factories import IncidentFactory, TouchpointFactory
from touchpoints import services
from touchpoints.models import IncidentStatus, ServiceIncident, SlaPolicy, Touchpoint, TouchpointKind
from touchpoints.selectors import sponsor_visit_status
from touchpoints.tasks import escalate_sla_breaches, remind_overdue_sponsor_visits

pytestmark = pytest.mark.django_db


def log(user, account, **kw):
    defaults = dict(department=department("finance"), channel="phone", kind=TouchpointKind.OPERATIONAL,
                    summary="Revisión de facturas pendientes\nDetalle", quality=4)
    return services.touchpoint_log(actor=user, account=account, **{**defaults, **kw})


# --- Touchpoints -----------------------------------------------------------------------------------
def test_teammate_logs_on_their_account_with_activity(personas):
    contact = ContactFactory(account=personas.account)
    tp = log(personas.teammate, personas.account, contacts=[contact], cost=Decimal("35.50"))
    assert list(tp.contacts.all()) == [contact]
    assert personas.teammate in tp.our_people.all()
    activity = Activity.objects.get(account=personas.account)
    assert activity.kind == ActivityKind.TOUCHPOINT
    assert activity.actor == personas.teammate and activity.department.code == "finance"
    assert "Revisión de facturas pendientes" in activity.summary and "Detalle" not in activity.summary


def test_teammate_cannot_log_on_an_account_they_may_not_see(personas):
    with pytest.raises(Forbidden):
        log(personas.teammate, personas.other_account)
    assert not Touchpoint.objects.exists() and not Activity.objects.exists()


def test_contacts_must_belong_to_the_account(personas):
    stranger = ContactFactory(account=personas.other_account)
    with pytest.raises(Invalid) as exc:
        log(personas.kam, personas.account, contacts=[stranger])
    assert exc.value.errors == {"contacts": ["Choose contacts of this account."]}
    assert not Touchpoint.objects.exists()


def test_future_touchpoint_rejected(personas):
    with pytest.raises(Invalid) as exc:
        log(personas.kam, personas.account, occurred_at=timezone.now() + datetime.timedelta(days=1))
    assert list(exc.value.errors) == ["occurred_at"]


def test_only_the_sponsor_logs_a_sponsor_visit(personas):
    with pytest.raises(Invalid) as exc:
        log(personas.kam, personas.account, kind=TouchpointKind.EXECUTIVE_VISIT)
    assert list(exc.value.errors) == ["kind"]
    log(personas.sponsor, personas.account, kind=TouchpointKind.EXECUTIVE_VISIT, department=department("executive"))
    assert Activity.objects.get(account=personas.account).kind == ActivityKind.SPONSOR_VISIT


# --- Incidents -------------------------------------------------------------------------------------
def open_incident(personas, severity="critical", account=None, **kw):
    return services.incident_open(actor=personas.operator, account=account or personas.account,
                                  category="delivery", severity=severity, title="Camión no llegó", **kw)


def test_new_critical_incident_on_key_account_fixes_deadlines_and_notifies_kam_and_sponsor(
        personas, django_capture_on_commit_callbacks):
    opened = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        incident = open_incident(personas, opened_at=opened)
    # Default policy, key x critical = 1 h / 8 h.
    assert incident.ack_due_at == opened + datetime.timedelta(hours=1)
    assert incident.resolve_due_at == opened + datetime.timedelta(hours=8)
    notes = Notification.objects.filter(event_key=f"incident:{incident.pk}:opened")
    assert {n.recipient for n in notes} == {personas.kam, personas.sponsor}
    assert sorted(m.to for m in mail.outbox) == sorted([[personas.kam.email], [personas.sponsor.email]])
    assert Activity.objects.filter(kind=ActivityKind.INCIDENT_OPENED, account=personas.account).count() == 1


def test_incident_on_a_non_key_account_notifies_nobody(personas):
    open_incident(personas, account=personas.other_account)
    assert not Notification.objects.exists()


def test_key_accounts_get_faster_targets_than_standard_ones():
    for severity in ("low", "medium", "high", "critical"):
        key = SlaPolicy.objects.get(tier="key", severity=severity)
        standard = SlaPolicy.objects.get(tier="standard", severity=severity)
        assert key.ack_hours < standard.ack_hours and key.resolve_hours < standard.resolve_hours


def test_policy_change_after_creation_keeps_the_original_target(personas):
    opened = timezone.now()
    incident = open_incident(personas, severity="medium", opened_at=opened)  # key x medium: 4 h / 48 h
    policy = SlaPolicy.objects.get(tier="key", severity="medium")
    services.sla_policies_update(actor=personas.lead, rows=[services.SlaRow(policy.pk, policy.version, 1, 2)])
    incident.refresh_from_db()
    assert incident.ack_due_at == opened + datetime.timedelta(hours=4)
    assert incident.resolve_due_at == opened + datetime.timedelta(hours=48)
    newer = open_incident(personas, severity="medium", opened_at=opened)
    assert newer.ack_due_at == opened + datetime.timedelta(hours=1)


def test_only_the_lead_edits_the_policy(personas):
    policy = SlaPolicy.objects.get(tier="key", severity="high")
    before = (policy.ack_hours, policy.version)
    with pytest.raises(Forbidden):
        services.sla_policies_update(actor=personas.kam, rows=[services.SlaRow(policy.pk, policy.version, 1, 2)])
    with pytest.raises(Invalid):
        services.sla_policies_update(actor=personas.lead, rows=[services.SlaRow(policy.pk, policy.version, 5, 2)])
    policy.refresh_from_db()
    assert (policy.ack_hours, policy.version) == before


def test_a_policy_table_saved_from_old_versions_is_refused_whole(personas):
    """Two leads editing the SLA table: the second is told what the first changed, and none of the
    second's rows is written (the table is saved as a whole or not at all)."""
    high = SlaPolicy.objects.get(tier="key", severity="high")
    low = SlaPolicy.objects.get(tier="key", severity="low")
    services.sla_policies_update(actor=personas.lead, rows=[services.SlaRow(high.pk, high.version, 3, 20)])
    with pytest.raises(Conflict) as caught:
        services.sla_policies_update(actor=personas.lead, rows=[
            services.SlaRow(low.pk, low.version, 10, 100),
            services.SlaRow(high.pk, high.version, 4, 30),
        ])
    changes = [(c.label, c.theirs, c.mine) for c in caught.value.changes]
    assert changes == [("Key account · High: hours to acknowledge", "3", "4"),
                       ("Key account · High: hours to resolve", "20", "30")]
    assert [p.pk for p in caught.value.current] == [high.pk]
    before = (low.ack_hours, low.resolve_hours, low.version)
    low.refresh_from_db()
    high.refresh_from_db()
    assert (low.ack_hours, low.resolve_hours, low.version) == before
    assert (high.ack_hours, high.version) == (3, 2)
    # From the versions now shown, the same save goes through.
    services.sla_policies_update(actor=personas.lead, rows=[services.SlaRow(high.pk, 2, 4, 30)])
    high.refresh_from_db()
    assert (high.ack_hours, high.resolve_hours, high.version) == (4, 30, 3)
    assert high.history.filter(version=2).exists()


def test_a_policy_row_that_is_not_in_the_table_is_refused(personas):
    with pytest.raises(Invalid):
        services.sla_policies_update(actor=personas.lead, rows=[services.SlaRow(999999, 1, 2, 3)])


def test_sponsor_and_outsider_may_not_open_incidents(personas):
    for user in (personas.sponsor, personas.outsider):
        with pytest.raises(Forbidden):
            services.incident_open(actor=user, account=personas.account, category="billing", severity="low",
                                   title="x")


def test_transitions_stamp_times_and_move_forward_only(personas):
    incident = open_incident(personas)
    t0 = incident.opened_at
    acked = services.incident_update(actor=personas.operator, incident=incident, expected_version=1,
                                     status=IncidentStatus.ACKNOWLEDGED, now=t0 + datetime.timedelta(minutes=20))
    assert acked.acknowledged_at == t0 + datetime.timedelta(minutes=20) and acked.ack_breached_at is None
    with pytest.raises(Invalid):
        services.incident_update(actor=personas.operator, incident=acked, expected_version=2,
                                 status=IncidentStatus.OPEN)
    with pytest.raises(Invalid) as exc:
        services.incident_update(actor=personas.operator, incident=acked, expected_version=2,
                                 status=IncidentStatus.RESOLVED)
    assert "resolution" in exc.value.errors
    # Resolved after the 8-hour deadline: the breach is recorded even before the job runs.
    late = t0 + datetime.timedelta(hours=9)
    resolved = services.incident_update(actor=personas.kam, incident=acked, expected_version=2,
                                        status=IncidentStatus.RESOLVED, resolution="Reenvío urgente",
                                        cost=Decimal("1200"), now=late)
    assert resolved.in_progress_at == late and resolved.resolved_at == late
    assert resolved.resolve_breached_at == late and resolved.cost == Decimal("1200")
    assert resolved.version == 3
    # ...and escalated at once to the KAM and the sponsor.
    assert Notification.objects.filter(event_key=f"incident:{incident.pk}:resolve-breach").count() == 2
    assert Activity.objects.filter(kind=ActivityKind.INCIDENT_BREACHED).count() == 1
    assert Activity.objects.filter(kind=ActivityKind.INCIDENT_UPDATED).count() == 2


def test_stale_update_is_refused_and_writes_nothing(personas):
    incident = open_incident(personas)
    services.incident_update(actor=personas.operator, incident=incident, expected_version=1,
                             status=IncidentStatus.ACKNOWLEDGED)
    with pytest.raises(Conflict) as caught:
        services.incident_update(actor=personas.kam, incident=incident, expected_version=1, cost=Decimal("50"))
    # What the other person changed since version 1, read from the incident's history.
    assert [(c.field, c.theirs) for c in caught.value.changes] == [("status", "Acknowledged")]
    assert caught.value.current.version == 2
    incident.refresh_from_db()
    assert incident.cost == Decimal("0") and incident.version == 2
    assert list(incident.history.order_by("history_date").values_list("version", flat=True)) == [1, 2]


def test_a_missing_version_is_a_conflict_not_a_blind_overwrite(personas):
    incident = open_incident(personas)
    with pytest.raises(Conflict):
        services.incident_update(actor=personas.operator, incident=incident, expected_version=None,
                                 status=IncidentStatus.ACKNOWLEDGED)


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_incident_at_once_one_is_told():
    """Two saves from the same version at the same moment on PostgreSQL: the row lock makes the second
    wait, then see the first's version and be refused with what changed; nothing is lost silently."""
    import threading

    from django.db import connection, connections

    from kam.roles import OPERATIONS
    from tests.factories import UserFactory

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    people = [UserFactory(username=f"operator{i}", roles=[OPERATIONS]) for i in range(2)]
    account = AccountFactory(tier="key")
    incident = services.incident_open(actor=people[0], account=account, category="delivery", severity="high",
                                      title="Camión no llegó")
    start = threading.Barrier(2)
    saved, refused, errors = [], [], []

    def save(user, cost):
        try:
            start.wait(10)
            services.incident_update(actor=user, incident=incident, expected_version=1,
                                     status=IncidentStatus.ACKNOWLEDGED, cost=Decimal(cost))
            saved.append(cost)
        except Conflict as exc:
            refused.append(exc)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(u, c)) for u, c in zip(people, ("10", "20"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(saved) == 1 and len(refused) == 1
    assert {c.field for c in refused[0].changes} == {"status", "cost"}
    incident.refresh_from_db()
    assert incident.version == 2 and incident.cost == Decimal(saved[0])
    assert Activity.objects.filter(kind=ActivityKind.INCIDENT_UPDATED).count() == 1


def test_outsider_cannot_work_an_incident(personas):
    incident = open_incident(personas)
    with pytest.raises(Forbidden):
        services.incident_update(actor=personas.outsider, incident=incident, expected_version=1,
                                 status=IncidentStatus.ACKNOWLEDGED)
    # Refused before the version is looked at: a conflict would show them what changed.
    with pytest.raises(Forbidden):
        services.incident_update(actor=personas.outsider, incident=incident, expected_version=7,
                                 status=IncidentStatus.ACKNOWLEDGED)


# --- Escalation ------------------------------------------------------------------------------------
def test_ack_breach_escalates_to_kam_and_sponsor_exactly_once(personas, django_capture_on_commit_callbacks):
    incident = open_incident(personas)
    mail.outbox.clear()
    with freeze_time(incident.ack_due_at - datetime.timedelta(minutes=1)):
        assert escalate_sla_breaches.delay().get() == 0
    with freeze_time(incident.ack_due_at + datetime.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_sla_breaches.delay().get() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_sla_breaches.delay().get() == 0
    keyed = Notification.objects.filter(event_key=f"incident:{incident.pk}:ack-breach")
    assert sorted(n.recipient.username for n in keyed) == ["kam", "sponsor"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.kam.email, personas.sponsor.email])
    incident.refresh_from_db()
    assert incident.ack_breached_at is not None and incident.resolve_breached_at is None
    assert Activity.objects.filter(kind=ActivityKind.INCIDENT_BREACHED).count() == 1


def test_resolve_breach_escalates_separately(personas):
    incident = open_incident(personas)
    services.incident_update(actor=personas.operator, incident=incident, expected_version=1,
                             status=IncidentStatus.IN_PROGRESS, now=incident.opened_at)
    with freeze_time(incident.resolve_due_at + datetime.timedelta(seconds=1)):
        assert services.sla_breaches_escalate() == 1
        assert services.sla_breaches_escalate() == 0
    assert Notification.objects.filter(event_key=f"incident:{incident.pk}:resolve-breach").count() == 2
    assert not Notification.objects.filter(event_key=f"incident:{incident.pk}:ack-breach").exists()


def test_finished_incidents_are_not_escalated(personas):
    past = timezone.now() - datetime.timedelta(days=5)
    IncidentFactory(account=personas.account, opened_at=past, status=IncidentStatus.RESOLVED,
                    acknowledged_at=past, resolved_at=past)
    assert services.sla_breaches_escalate() == 0


def test_escalation_is_set_based(personas, django_assert_max_num_queries):
    past = timezone.now() - datetime.timedelta(days=3)
    IncidentFactory.create_batch(30, account=personas.other_account, opened_at=past, severity="low")
    # Standard x low is 48 h / 336 h: three days on, only the acknowledge deadline has passed. Finding,
    # stamping and recording the breaches is a fixed number of queries; only the per-person notification
    # (kam.services.notification_send: savepoints + get-or-create, 8 queries) repeats, once per incident
    # (no sponsor on this account: its KAM only).
    with django_assert_max_num_queries(12 + 30 * 8):
        assert services.sla_breaches_escalate() == 30
    assert ServiceIncident.objects.filter(ack_breached_at__isnull=True).count() == 0


# --- Sponsor visits --------------------------------------------------------------------------------
def test_sponsor_visit_status_and_reminder_once_per_window(personas):
    today = timezone.localdate()
    cadence = ProgrammeSettings.current().sponsor_visit_days
    # Midday local time on the visit's date: "now minus N days" can cross a DST change or midnight.
    visit_day = today - datetime.timedelta(days=cadence + 5)
    visited_at = timezone.make_aware(datetime.datetime.combine(visit_day, datetime.time(12)))
    TouchpointFactory(account=personas.account, kind=TouchpointKind.EXECUTIVE_VISIT, created_by=personas.sponsor,
                      occurred_at=visited_at)
    status = sponsor_visit_status(type(personas.account).objects.filter(pk=personas.account.pk))[0]
    assert status.overdue and status.days_overdue == 5
    assert remind_overdue_sponsor_visits.delay().get() == 1
    assert services.sponsor_visits_remind(today=today + datetime.timedelta(days=1)) == 0
    # A full cadence later without a visit: one more reminder.
    assert services.sponsor_visits_remind(today=today + datetime.timedelta(days=cadence)) == 1
    assert Notification.objects.filter(recipient=personas.sponsor).count() == 2


def test_recent_visit_is_not_overdue(personas):
    TouchpointFactory(account=personas.account, kind=TouchpointKind.EXECUTIVE_VISIT, created_by=personas.sponsor,
                      occurred_at=timezone.now() - datetime.timedelta(days=10))
    assert services.sponsor_visits_remind() == 0
    TouchpointFactory(account=AccountFactory(tier="key", sponsor=personas.sponsor), kind=TouchpointKind.COMMERCIAL)
    # A brand-new key account is given one cadence before its first visit is due.
    assert services.sponsor_visits_remind() == 0


# --- Feedback --------------------------------------------------------------------------------------
def test_feedback_and_rating_with_history(personas):
    contact = ContactFactory(account=personas.account, name="Marta Ibáñez")
    services.feedback_record(actor=personas.kam, account=personas.account, contact=contact, score=9,
                             comment="Muy contentos", received_on=timezone.localdate() - datetime.timedelta(days=40))
    services.feedback_record(actor=personas.kam, account=personas.account, contact=contact, score=5)
    services.partnership_rate(actor=personas.teammate, account=personas.account, score=7)
    from touchpoints.selectors import latest_feedback

    row = latest_feedback(type(personas.account).objects.filter(pk=personas.account.pk)).get()
    assert (row.feedback_score, row.rating_score) == (5, 7)
    assert Activity.objects.filter(kind=ActivityKind.FEEDBACK).count() == 3
    with pytest.raises(Invalid):
        services.feedback_record(actor=personas.kam, account=personas.account, contact=contact, score=11)
    with pytest.raises(Forbidden):
        services.partnership_rate(actor=personas.operator, account=personas.account, score=3)


def test_only_people_who_see_the_account_record_its_feedback(personas):
    # The page answers 404 before the service is reached, so only this test holds the service's own rule.
    from touchpoints.models import ClientFeedback

    for user in (personas.outsider, personas.other_kam):
        with pytest.raises(Forbidden):
            services.feedback_record(actor=user, account=personas.account, contact=None, score=8)
    assert not ClientFeedback.objects.exists() and not Activity.objects.exists()
