"""What the verified client does through the link: their own commitments, the value delivered, change
requests answered by the KAM, and acceptance, where "accepted with conditions" is not an agreement."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Activity
from kam.errors import Forbidden, Invalid
from kam.models import Notification
from planning import selectors, services
from planning.models import ClientSession, CommitmentStatus, PlanStatus
from tests.factories import department
from tests.planning.client import share_url, verified_client
from tests.planning.factories import CommitmentFactory, PlanFactory, share_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(personas):
    from planning.models import ValueDelivered

    plan = PlanFactory(account=personas.account, vision_statement="Visión compartida")
    CommitmentFactory(plan=plan, department=department("finance"), owner=personas.teammate,
                      description="Informe mensual de costes")
    plan.client_commitment = CommitmentFactory(plan=plan, party="client", department=None, owner=None,
                                               description="Dar acceso a los datos de planta")
    plan.entry = ValueDelivered.objects.create(plan=plan, outcome="Paradas reducidas un 12 %", amount=40000,
                                               delivered_on=plan.period_start)
    services.plan_submit(actor=personas.kam, plan=plan)
    services.plan_sign_off(actor=personas.sponsor, plan=plan)
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    services.plan_commit(actor=personas.kam, plan=plan)
    return plan


@pytest.fixture
def shared(personas, plan):
    link, token = share_link(personas.kam, plan)
    return link, token, verified_client(link, token, addr="198.51.100.4", HTTP_USER_AGENT="Navegador/3")


def _session(link):
    return ClientSession.objects.get(link=link)


ORIGIN = services.Origin(ip="198.51.100.4", user_agent="Navegador/3")


def _kam_notices(personas):
    return Notification.objects.filter(recipient=personas.kam, event_key__startswith="client-action:")


def test_the_client_marks_their_commitment_done_and_at_risk(personas, plan, shared):
    link, token, client = shared
    c = plan.client_commitment
    client.post(share_url(token), {"action": "commitment", "row": c.pk, "commitment-status": "done",
                                   "commitment-on_date": plan.period_start.isoformat(), "commitment-note": "Hecho"})
    c.refresh_from_db()
    assert c.status == CommitmentStatus.DONE and c.delivered_on == plan.period_start
    action = link.client_actions.get(kind="commitment_done")
    assert action.contact == link.contact and action.ip == "198.51.100.4" and action.note == "Hecho"
    assert Activity.objects.filter(account=plan.account, subkind="client_commitment_done").exists()
    assert _kam_notices(personas).count() == 1
    # At risk needs a note.
    with pytest.raises(Invalid):
        services.client_commitment_status(session=_session(link), commitment=c, status="at_risk", origin=ORIGIN)
    services.client_commitment_status(session=_session(link), commitment=c, status="at_risk", note="Sin datos",
                                      origin=ORIGIN)
    c.refresh_from_db()
    assert c.status == CommitmentStatus.AT_RISK and c.delivered_on is None


def test_the_client_cannot_change_our_commitments(personas, plan, shared):
    link, _token, _client = shared
    ours = plan.commitments.get(party="us")
    with pytest.raises(Forbidden):
        services.client_commitment_status(session=_session(link), commitment=ours, status="done", origin=ORIGIN)
    with pytest.raises(Invalid):
        services.client_commitment_status(session=_session(link), commitment=plan.client_commitment,
                                          status="missed", origin=ORIGIN)


def test_a_link_hiding_a_section_allows_no_action_on_it(personas, plan):
    link, token = share_link(personas.kam, plan, hidden_sections=["commitments", "value"])
    verified_client(link, token)
    with pytest.raises(Forbidden):
        services.client_commitment_status(session=_session(link), commitment=plan.client_commitment,
                                          status="done", origin=ORIGIN)
    with pytest.raises(Forbidden):
        services.client_value_answer(session=_session(link), entry=plan.entry, confirmed=True, origin=ORIGIN)
    with pytest.raises(Invalid):
        services.client_request_change(session=_session(link), body="x", commitment=plan.client_commitment,
                                       origin=ORIGIN)


def test_the_client_confirms_or_disputes_value(personas, plan, shared):
    link, token, client = shared
    response = client.post(share_url(token), {"action": "value", "row": plan.entry.pk, "value-answer": "dispute"})
    assert response.status_code == 200 and "Please write a few words" in response.content.decode()
    client.post(share_url(token), {"action": "value", "row": plan.entry.pk, "value-answer": "dispute",
                                   "value-note": "Fue un 8 %"})
    plan.entry.refresh_from_db()
    assert plan.entry.disputed_by_client and not plan.entry.confirmed_by_client
    assert plan.entry.client_note == "Fue un 8 %"
    services.client_value_answer(session=_session(link), entry=plan.entry, confirmed=True, origin=ORIGIN)
    plan.entry.refresh_from_db()
    assert plan.entry.confirmed_by_client and not plan.entry.disputed_by_client


def test_a_change_request_is_a_thread_the_kam_answers(personas, plan, shared):
    link, token, client = shared
    client.post(share_url(token), {"action": "request", "request-target": f"commitment:{plan.client_commitment.pk}",
                                   "request-body": "Necesitamos un mes más"})
    thread = plan.client_threads.get()
    assert thread.commitment == plan.client_commitment and thread.messages.get().body == "Necesitamos un mes más"
    kam = Client()
    kam.force_login(personas.kam)
    assert "Necesitamos un mes más" in kam.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    # Only the plan's editors answer.
    with pytest.raises(Forbidden):
        services.client_thread_answer(actor=personas.sponsor, thread=thread, body="No")
    kam.post(reverse("planning:thread_answer", args=[thread.pk]),
             {f"answer-{thread.pk}-body": "De acuerdo, lo movemos"})
    thread.refresh_from_db()
    assert thread.answered_at is not None
    assert "De acuerdo, lo movemos" in client.get(share_url(token)).content.decode()


def test_accepting_with_conditions_is_not_an_agreement(personas, plan, shared):
    link, token, client = shared
    client.post(share_url(token), {"action": "accept", "accept-conditions": "Si se adelanta la formación"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMMITTED and plan.client_agreed_at is None
    assert selectors.changes_requested(plan)
    html = client.get(share_url(token)).content.decode()
    assert 'data-testid="changes-requested"' in html and 'data-testid="accept-plan"' not in html
    with pytest.raises(Invalid):
        services.client_accept(session=_session(link), origin=ORIGIN)
    # The KAM must answer before sharing again, on this link or a new one.
    with pytest.raises(Invalid):
        services.share_link_reopen(actor=personas.kam, link=link)
    with pytest.raises(Invalid):
        share_link(personas.kam, plan)
    thread = plan.client_threads.get(kind="conditions")
    services.client_thread_answer(actor=personas.kam, thread=thread, body="Adelantada a marzo")
    services.share_link_reopen(actor=personas.kam, link=link)
    assert not selectors.changes_requested(plan)
    client.post(share_url(token), {"action": "accept", "accept-conditions": ""})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED and plan.client_agreement_channel == "share_link"
    assert plan.client_agreed_contact == link.contact and plan.client_agreed_by == link.contact.name
    assert plan.history.filter(history_change_reason="client agreed").exists()
    assert link.client_actions.filter(kind="accepted").exists()


def test_the_client_cannot_accept_before_we_commit(personas):
    plan = PlanFactory(account=personas.account)
    link, token = share_link(personas.kam, plan)
    client = verified_client(link, token)
    response = client.post(share_url(token), {"action": "accept", "accept-conditions": ""}, follow=True)
    assert "once our teams have committed" in response.content.decode()
    assert plan.__class__.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


@pytest.mark.parametrize("action", [
    {"action": "commitment", "row": "0", "commitment-status": "done"},
    {"action": "value", "row": "0", "value-answer": "confirm"},
    {"action": "request", "request-target": "section:general", "request-body": "x"},
    {"action": "accept", "accept-conditions": ""},
])
def test_nothing_is_done_without_verification(personas, plan, action):
    link, token = share_link(personas.kam, plan)
    verified_client(link, token)  # someone else is verified: this browser is not
    stranger = Client()
    response = stranger.post(share_url(token), action)
    assert 'data-testid="share-verify"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMMITTED and not plan.client_threads.exists()
    assert not link.client_actions.exclude(kind="verified").exists()


def test_a_forged_or_other_links_cookie_opens_nothing(personas, plan):
    link, token = share_link(personas.kam, plan)
    other, other_token = share_link(personas.kam, plan)
    client = verified_client(other, other_token)
    forged = Client()
    forged.cookies[f"kam_client_{link.pk}"] = client.cookies[f"kam_client_{other.pk}"].value
    assert 'data-testid="share-verify"' in forged.get(share_url(token)).content.decode()


def test_the_timeline_and_the_notice_read_in_the_readers_language(personas, plan, shared):
    from django.utils import translation

    link, _token, _client = shared
    services.client_value_answer(session=_session(link), entry=plan.entry, confirmed=False, note="Fue un 8 %",
                                 origin=ORIGIN)
    event = Activity.objects.get(account=plan.account, subkind="client_value_disputed")
    notice = _kam_notices(personas).get()
    with translation.override("es"):
        assert "discrepó del valor entregado" in event.text and link.contact.name in event.text
        assert notice.title_text.startswith("Actividad del cliente") and "discrepó" in notice.body_text
    with translation.override("en"):
        assert "disputed value delivered" in event.text
