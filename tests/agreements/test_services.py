"""The agreements' services: the workflow and its refusals, terms grown from a negotiation, a term
followed up as a plan commitment, and the nightly renewal alert."""

import datetime

import pytest

from accounts.models import Activity
from agreements import formulas, services
from agreements.models import AgreementStatus, AgreementTerm, FrameworkAgreement
from kam import versioning
from kam.errors import Conflict, Forbidden, Invalid
from kam.models import Notification
from planning.models import Commitment, Negotiation, NegotiationAgreement, Party
from tests.agreements.factories import FrameworkAgreementFactory, TermFactory
from tests.factories import department
from tests.planning.factories import PlanFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _draft(personas, **data):
    fields = {"title": "Acuerdo marco 2026", "start_date": datetime.date(2026, 1, 1),
              "end_date": datetime.date(2026, 12, 31), "notice_days": 90, **data}
    return services.agreement_create(actor=personas.kam, account=personas.account, data=fields)


def test_the_notice_date_is_the_renewal_date_minus_the_notice_period():
    assert formulas.notice_date(datetime.date(2026, 12, 31), 90) == datetime.date(2026, 10, 2)
    assert formulas.notice_date(datetime.date(2026, 3, 1), 1) == datetime.date(2026, 2, 28)
    assert formulas.default_end(datetime.date(2026, 3, 1)) == datetime.date(2027, 2, 28)
    assert formulas.default_end(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)


def test_create_derives_renewal_and_notice_dates_and_records_the_event(personas):
    agreement = _draft(personas)
    assert agreement.status == AgreementStatus.NEGOTIATION
    assert agreement.renewal_date == datetime.date(2026, 12, 31)  # the end date when none is given
    assert agreement.notice_date == datetime.date(2026, 10, 2)
    assert agreement.history.first().history_user == personas.kam
    event = Activity.objects.get(account=personas.account, subkind="agreement_drafted")
    assert event.commercial  # operations read the timeline, not the agreements


def test_dates_out_of_order_are_refused(personas):
    with pytest.raises(Invalid) as exc:
        _draft(personas, end_date=datetime.date(2025, 12, 31))
    assert "end_date" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        _draft(personas, renewal_date=datetime.date(2025, 6, 1))
    assert "renewal_date" in exc.value.errors


@pytest.mark.parametrize("who", ["sponsor", "teammate", "operator", "outsider", "other_kam"])
def test_only_the_kam_and_the_lead_write(personas, who):
    agreement = _draft(personas)
    actor = getattr(personas, who)
    with pytest.raises(Forbidden):
        services.agreement_create(actor=actor, account=personas.account,
                                  data={"title": "X", "start_date": TODAY, "end_date": TODAY})
    with pytest.raises(Forbidden):
        services.agreement_update(actor=actor, agreement=agreement, expected_version=agreement.version,
                                  data={"title": "Otro"})
    with pytest.raises(Forbidden):
        services.agreement_transition(actor=actor, agreement=agreement, action="end")
    with pytest.raises(Forbidden):
        services.term_save(actor=actor, agreement=agreement, data={"text": "Descuento 2 %"})
    assert FrameworkAgreement.objects.get(pk=agreement.pk).status == AgreementStatus.NEGOTIATION


def test_the_lead_writes_on_any_account(personas):
    agreement = _draft(personas)
    services.term_save(actor=personas.lead, agreement=agreement, data={"kind": "price", "text": "Tarifa 2026"})
    assert agreement.terms.count() == 1


def test_the_workflow_allows_only_its_transitions(personas):
    agreement = _draft(personas)
    with pytest.raises(Invalid):  # nothing to sign yet
        services.agreement_transition(actor=personas.kam, agreement=agreement, action="sign")
    with pytest.raises(Invalid):  # not signed
        services.agreement_transition(actor=personas.kam, agreement=agreement, action="activate")
    with pytest.raises(Invalid):  # not in force
        services.agreement_renew(actor=personas.kam, agreement=agreement)
    with pytest.raises(Invalid):  # only the nightly job sets it
        services.agreement_transition(actor=personas.kam, agreement=agreement, action="expire")
    services.term_save(actor=personas.kam, agreement=agreement, data={"kind": "payment", "text": "Pago a 60 días"})
    signed = services.agreement_transition(actor=personas.kam, agreement=agreement, action="sign")
    assert signed.status == AgreementStatus.SIGNED and signed.signed_on is not None
    active = services.agreement_transition(actor=personas.kam, agreement=signed, action="activate")
    assert active.status == AgreementStatus.ACTIVE
    ended = services.agreement_transition(actor=personas.kam, agreement=active, action="end")
    assert ended.status == AgreementStatus.ENDED
    with pytest.raises(Invalid):  # a closed agreement is a record
        services.agreement_transition(actor=personas.kam, agreement=ended, action="activate")
    with pytest.raises(Invalid):
        services.agreement_update(actor=personas.kam, agreement=ended, expected_version=ended.version,
                                  data={"title": "Otro"})
    subkinds = set(Activity.objects.filter(account=personas.account).values_list("subkind", flat=True))
    assert {"agreement_sign", "agreement_activate", "agreement_end"} <= subkinds


def test_a_stale_transition_is_a_conflict(personas):
    agreement = _draft(personas)
    old_version = agreement.version
    services.agreement_update(actor=personas.kam, agreement=agreement, expected_version=old_version,
                              data={"title": "Acuerdo marco revisado"})
    with pytest.raises(Conflict):
        services.agreement_transition(actor=personas.kam, agreement=agreement, action="end",
                                      expected_version=old_version)


def test_terms_are_fixed_once_signed(personas):
    agreement = _draft(personas)
    term = services.term_save(actor=personas.kam, agreement=agreement, data={"text": "Volumen mínimo 500 t"})
    services.agreement_transition(actor=personas.kam, agreement=agreement, action="sign")
    with pytest.raises(Invalid):
        services.term_save(actor=personas.kam, agreement=agreement, data={"text": "Otro"})
    with pytest.raises(Invalid):
        services.term_save(actor=personas.kam, agreement=agreement, term=term, expected_version=term.version,
                           data={"text": "Volumen mínimo 400 t"})
    with pytest.raises(Invalid):
        services.term_delete(actor=personas.kam, term=term)
    assert AgreementTerm.objects.get(pk=term.pk).text == "Volumen mínimo 500 t"


def test_renewing_opens_a_successor_with_the_terms_and_links_it(personas):
    agreement = FrameworkAgreementFactory(account=personas.account, status=AgreementStatus.EXPIRING,
                                          start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31))
    TermFactory(agreement=agreement, kind="price", text="Descuento 3 %", value=3, unit="%")
    successor = services.agreement_renew(actor=personas.kam, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.RENEWED and agreement.successor == successor
    assert successor.status == AgreementStatus.NEGOTIATION
    assert (successor.start_date, successor.end_date) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert list(successor.terms.values_list("text", "value")) == [("Descuento 3 %", 3)]
    with pytest.raises(Invalid):  # renewed once
        services.agreement_renew(actor=personas.kam, agreement=agreement)


def test_moving_the_renewal_out_makes_an_expiring_agreement_active_again(personas):
    agreement = FrameworkAgreementFactory(account=personas.account, status=AgreementStatus.EXPIRING,
                                          start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31))
    later = datetime.date.today() + datetime.timedelta(days=400)
    updated = services.agreement_update(actor=personas.kam, agreement=agreement, expected_version=agreement.version,
                                        data={"end_date": later, "renewal_date": later})
    assert updated.status == AgreementStatus.ACTIVE
    assert updated.notice_date == later - datetime.timedelta(days=90)


# --- From the negotiation ---------------------------------------------------------------------------

def _negotiation(personas, *descriptions):
    neg = Negotiation.objects.create(account=personas.account, title="Renovación del contrato marco",
                                     created_by=personas.kam)
    for i, text in enumerate(descriptions):
        NegotiationAgreement.objects.create(negotiation=neg, description=text,
                                            party=Party.CLIENT if i else Party.US)
    return neg


def test_a_negotiations_written_agreements_become_the_terms(personas):
    neg = _negotiation(personas, "Revisión semestral de precios", "Pago a 75 días")
    agreement = services.agreement_draft_from_negotiation(actor=personas.kam, negotiation=neg)
    assert agreement.negotiation == neg and agreement.title == neg.title
    terms = list(agreement.terms.order_by("pk"))
    assert [(t.text, t.party) for t in terms] == [("Revisión semestral de precios", "us"), ("Pago a 75 días", "client")]
    assert {t.negotiation_agreement_id for t in terms} == set(neg.agreements.values_list("pk", flat=True))
    with pytest.raises(Invalid):  # once per negotiation
        services.agreement_draft_from_negotiation(actor=personas.kam, negotiation=neg)
    services.agreement_transition(actor=personas.kam, agreement=agreement, action="end")
    again = services.agreement_draft_from_negotiation(actor=personas.kam, negotiation=neg)
    assert again.terms.count() == 2


def test_drafting_from_a_negotiation_needs_agreements_and_an_editor(personas):
    with pytest.raises(Invalid):
        services.agreement_draft_from_negotiation(actor=personas.kam, negotiation=_negotiation(personas))
    neg = _negotiation(personas, "Precio fijo un año")
    with pytest.raises(Forbidden):
        services.agreement_draft_from_negotiation(actor=personas.sponsor, negotiation=neg)
    assert not FrameworkAgreement.objects.exists()


# --- Term -> plan commitment -------------------------------------------------------------------------

def test_a_term_becomes_a_commitment_of_the_current_plan(personas):
    plan = PlanFactory(account=personas.account)
    agreement = FrameworkAgreementFactory(account=personas.account, status=AgreementStatus.ACTIVE,
                                          end_date=datetime.date(plan.period_end.year + 1, 6, 30))
    term = TermFactory(agreement=agreement, kind="service", text="Entrega en 48 h", value=48, unit="h")
    commitment = services.term_to_commitment(actor=personas.kam, term=term, department=department("operations"))
    assert commitment.plan == plan and commitment.party == "us"
    assert commitment.description == "Entrega en 48 h (48.00 h)"
    assert commitment.due_date == plan.period_end
    term.refresh_from_db()
    assert term.commitment == commitment
    with pytest.raises(Invalid):  # once
        services.term_to_commitment(actor=personas.kam, term=term, department=department("operations"))
    assert Commitment.objects.filter(plan=plan).count() == 1


def test_a_term_needs_an_open_plan_and_an_editor(personas):
    term = TermFactory(agreement=FrameworkAgreementFactory(account=personas.account, status="active"))
    with pytest.raises(Invalid):
        services.term_to_commitment(actor=personas.kam, term=term, department=department("sales"))
    PlanFactory(account=personas.account)
    with pytest.raises(Forbidden):
        services.term_to_commitment(actor=personas.sponsor, term=term, department=department("sales"))
    with pytest.raises(Invalid):  # planning's own rule: our commitments name the department
        services.term_to_commitment(actor=personas.kam, term=term)
    assert not Commitment.objects.exists()


# --- The nightly renewal alert -----------------------------------------------------------------------

def _due(personas, **kw):
    # Notice date reached today: renewal in 30 days with 30 days' notice.
    renewal = TODAY + datetime.timedelta(days=30)
    fields = {"status": AgreementStatus.ACTIVE, "start_date": datetime.date(2025, 7, 15), "end_date": renewal,
              "renewal_date": renewal, "notice_days": 30, "notice_date": TODAY, **kw}
    return FrameworkAgreementFactory(account=personas.account, **fields)


def test_the_alert_moves_to_expiring_and_notifies_kam_and_sponsor_once(personas):
    agreement = _due(personas)
    future = _due(personas, notice_date=TODAY + datetime.timedelta(days=1))
    result = services.agreement_renewal_alerts_send(today=TODAY)
    assert result == {"activated": 0, "expiring": 1, "notified": 2}
    agreement.refresh_from_db()
    future.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRING and future.status == AgreementStatus.ACTIVE
    notices = Notification.objects.filter(event_key__startswith=f"agreement:{agreement.pk}:")
    assert sorted(n.recipient.username for n in notices) == ["kam", "sponsor"]
    assert agreement.history.first().history_user is None  # the job, not a person
    # A second run (a retry, or the next day) moves and notifies nobody again.
    assert services.agreement_renewal_alerts_send(today=TODAY) == {"activated": 0, "expiring": 0, "notified": 0}
    assert services.agreement_renewal_alerts_send(today=TODAY + datetime.timedelta(days=1))["notified"] == 2  # `future`
    assert Notification.objects.filter(event_key__startswith=f"agreement:{agreement.pk}:").count() == 2


def test_the_alert_notifies_a_kam_who_is_also_the_sponsor_once(personas):
    personas.account.sponsor = personas.kam
    personas.account.save()
    _due(personas)
    assert services.agreement_renewal_alerts_send(today=TODAY)["notified"] == 1


def test_the_same_notice_reaches_each_person_once_even_if_the_agreement_comes_back(personas):
    agreement = _due(personas)
    services.agreement_renewal_alerts_send(today=TODAY)
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ACTIVE)
    result = services.agreement_renewal_alerts_send(today=TODAY)
    assert result["expiring"] == 1 and result["notified"] == 0


def test_the_job_activates_signed_agreements_whose_start_has_come(personas):
    starts = FrameworkAgreementFactory(account=personas.account, status=AgreementStatus.SIGNED, start_date=TODAY,
                                       end_date=TODAY + datetime.timedelta(days=364),
                                       renewal_date=TODAY + datetime.timedelta(days=364), notice_date=TODAY
                                       + datetime.timedelta(days=274))
    later = FrameworkAgreementFactory(account=personas.account, status=AgreementStatus.SIGNED,
                                      start_date=TODAY + datetime.timedelta(days=1))
    assert services.agreement_renewal_alerts_send(today=TODAY)["activated"] == 1
    starts.refresh_from_db()
    later.refresh_from_db()
    assert starts.status == AgreementStatus.ACTIVE and later.status == AgreementStatus.SIGNED


def test_the_beat_task_runs_the_service(personas, settings):
    from agreements.tasks import send_renewal_alerts

    assert any(e["task"] == "agreements.tasks.send_renewal_alerts" for e in settings.CELERY_BEAT_SCHEDULE.values())
    agreement = _due(personas, notice_date=datetime.date.today(), status=AgreementStatus.ACTIVE)
    send_renewal_alerts.apply()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRING


def test_versioning_current_is_what_the_job_passes(personas):
    # Jobs edit the row as it is now: a transition without a version is never a conflict.
    agreement = _draft(personas)
    services.term_save(actor=personas.kam, agreement=agreement, data={"text": "Tarifa"})
    assert services.agreement_transition(actor=personas.kam, agreement=agreement, action="sign",
                                         expected_version=versioning.CURRENT).status == AgreementStatus.SIGNED


def test_agreements_and_terms_keep_their_versioned_history():
    for model in (FrameworkAgreement, AgreementTerm):
        assert any(f.name == "version" for f in model.history.model._meta.fields), model._meta.label
