"""The plan's workflow and who may take each step (DESIGN.md's role table), enforced in services."""

import datetime

import pytest
from django.core import mail

from accounts.models import Activity, ActivityKind
from kam.models import Notification
from planning import services
from planning.models import AccountPlan, PlanStatus, SignOff
from planning.services import PlanError
from tests.factories import ContactFactory, department
from tests.planning.factories import CommitmentFactory, OpportunityFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(personas):
    plan = PlanFactory(account=personas.account)
    CommitmentFactory(plan=plan, department=department("finance"), owner=personas.teammate)
    return plan


def _submitted(plan, personas):
    return services.plan_submit(user=personas.kam, plan_id=plan.pk)


def _committed(plan, personas):
    _submitted(plan, personas)
    services.plan_sign_off(user=personas.sponsor, plan_id=plan.pk)
    services.plan_sign_off(user=personas.teammate, plan_id=plan.pk, department=department("finance"))
    return services.plan_commit(user=personas.kam, plan_id=plan.pk)


@pytest.mark.parametrize("who", ["teammate", "sponsor", "operator", "outsider", "other_kam"])
def test_only_plan_editors_may_submit(personas, plan, who):
    with pytest.raises(PlanError):
        services.plan_submit(user=getattr(personas, who), plan_id=plan.pk)
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


@pytest.mark.parametrize("who", ["kam", "lead"])
def test_kam_and_lead_submit_and_signers_are_notified(personas, plan, who):
    services.plan_submit(user=getattr(personas, who), plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW
    notified = set(Notification.objects.filter(event_key__startswith=f"plan:{plan.pk}:signoff")
                   .values_list("recipient__username", flat=True))
    assert {"sponsor", "teammate"} <= notified
    assert Activity.objects.filter(account=plan.account, kind=ActivityKind.PLAN_EVENT, subkind="submitted",
                                   commercial=True).exists()


def test_submit_needs_one_of_our_commitments(personas):
    plan = PlanFactory(account=personas.account)
    with pytest.raises(PlanError, match="commitment"):
        services.plan_submit(user=personas.kam, plan_id=plan.pk)


def test_commit_refused_until_sponsor_and_each_department_signed(personas, plan):
    CommitmentFactory(plan=plan, department=department("operations"))
    _submitted(plan, personas)
    with pytest.raises(PlanError, match="Executive sponsor"):
        services.plan_commit(user=personas.kam, plan_id=plan.pk)
    services.plan_sign_off(user=personas.sponsor, plan_id=plan.pk)
    services.plan_sign_off(user=personas.teammate, plan_id=plan.pk, department=department("finance"))
    with pytest.raises(PlanError, match="Operations"):
        services.plan_commit(user=personas.kam, plan_id=plan.pk)
    services.plan_sign_off(user=personas.lead, plan_id=plan.pk, department=department("operations"))
    services.plan_commit(user=personas.kam, plan_id=plan.pk)
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.COMMITTED


@pytest.mark.parametrize("who", ["kam", "teammate", "operator", "outsider", "other_kam"])
def test_only_the_sponsor_or_lead_gives_the_sponsor_signoff(personas, plan, who):
    _submitted(plan, personas)
    with pytest.raises(PlanError):
        services.plan_sign_off(user=getattr(personas, who), plan_id=plan.pk)
    assert not SignOff.objects.filter(plan=plan).exists()


def test_department_signoff_only_by_its_people(personas, plan):
    _submitted(plan, personas)
    with pytest.raises(PlanError):
        services.plan_sign_off(user=personas.sponsor, plan_id=plan.pk, department=department("finance"))
    with pytest.raises(PlanError):
        services.plan_sign_off(user=personas.kam, plan_id=plan.pk, department=department("finance"))
    services.plan_sign_off(user=personas.teammate, plan_id=plan.pk, department=department("finance"))
    with pytest.raises(PlanError, match="already"):
        services.plan_sign_off(user=personas.lead, plan_id=plan.pk, department=department("finance"))


def test_signoff_only_in_review(personas, plan):
    with pytest.raises(PlanError, match="review"):
        services.plan_sign_off(user=personas.sponsor, plan_id=plan.pk)


def test_sponsor_may_not_edit_the_plan(personas, plan):
    with pytest.raises(PlanError):
        services.plan_update(user=personas.sponsor, plan_id=plan.pk, version=plan.version,
                             data={"summary": "cambio"})
    with pytest.raises(PlanError):
        services.opportunity_save(user=personas.sponsor, plan_id=plan.pk,
                                  data={"client_benefit": "x", "our_solution": "y", "value": 1})


def test_teammate_updates_own_commitment_status_but_not_text(personas, plan):
    c = plan.commitments.get()
    services.commitment_update_status(user=personas.teammate, commitment_id=c.pk, status="done",
                                      version=c.version)
    c.refresh_from_db()
    assert c.status == "done" and c.delivered_on == datetime.date.today()
    with pytest.raises(PlanError):
        services.commitment_save(user=personas.teammate, plan_id=plan.pk, pk=c.pk, version=c.version,
                                 data={"party": "us", "department": department("finance"),
                                       "description": "otro", "due_date": c.due_date})
    with pytest.raises(PlanError):
        services.plan_update(user=personas.teammate, plan_id=plan.pk, version=plan.version,
                             data={"vision_statement": "x"})


def test_other_people_may_not_update_a_commitment_status(personas, plan):
    c = plan.commitments.get()
    for who in ("sponsor", "operator", "outsider"):
        with pytest.raises(PlanError):
            services.commitment_update_status(user=getattr(personas, who), commitment_id=c.pk,
                                              status="missed", version=c.version)
    assert plan.commitments.get().status == "open"


def test_client_agreement_requires_committed(personas, plan):
    with pytest.raises(PlanError, match="committed"):
        services.plan_record_client_agreement(user=personas.kam, plan_id=plan.pk, agreed_by="Sr. Pérez")
    _committed(plan, personas)
    contact = ContactFactory(account=plan.account, name="Luis Pérez")
    services.plan_record_client_agreement(user=personas.kam, plan_id=plan.pk, contact=contact,
                                          channel="meeting")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    assert plan.client_agreed_by == "Luis Pérez" and plan.client_agreed_at is not None
    assert plan.pct_compromiso == 75  # ours, signed off, agreed; no client commitment yet


def test_agreement_notifies_the_kam(personas, plan):
    _committed(plan, personas)
    mail.outbox.clear()
    services.plan_record_client_agreement(user=personas.lead, plan_id=plan.pk, agreed_by="Dña. Ruiz")
    assert Notification.objects.filter(recipient=personas.kam, event_key__contains=":agreed:").exists()


def test_editing_commitments_of_an_agreed_plan_asks_for_reagreement(personas, plan):
    _committed(plan, personas)
    services.plan_record_client_agreement(user=personas.kam, plan_id=plan.pk, agreed_by="Sr. Pérez")
    c = plan.commitments.get()
    services.commitment_save(user=personas.kam, plan_id=plan.pk, pk=c.pk, version=c.version,
                             data={"party": "us", "department": department("finance"), "owner": personas.teammate,
                                   "description": "Informe mensual de costes", "due_date": c.due_date})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMMITTED and plan.needs_reagreement
    assert Activity.objects.filter(account=plan.account, subkind="reagreement").exists()
    assert Notification.objects.filter(recipient=personas.sponsor, event_key__contains=":reagree:").exists()
    # A status report by the owner is progress, not new content: no re-agreement for it.
    services.plan_record_client_agreement(user=personas.kam, plan_id=plan.pk, agreed_by="Sr. Pérez")
    c.refresh_from_db()
    services.commitment_update_status(user=personas.teammate, commitment_id=c.pk, status="at_risk",
                                      version=c.version)
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.AGREED


def test_return_to_draft_clears_signoffs_and_close(personas, plan):
    _submitted(plan, personas)
    services.plan_sign_off(user=personas.sponsor, plan_id=plan.pk)
    services.plan_return_to_draft(user=personas.kam, plan_id=plan.pk)
    assert not SignOff.objects.filter(plan=plan).exists()
    with pytest.raises(PlanError):
        services.plan_close(user=personas.kam, plan_id=plan.pk)
    _committed(plan, personas)
    with pytest.raises(PlanError):
        services.plan_close(user=personas.sponsor, plan_id=plan.pk)
    services.plan_close(user=personas.kam, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(PlanError, match="closed"):
        services.plan_update(user=personas.kam, plan_id=plan.pk, version=plan.version, data={"summary": "x"})


def test_completeness_follows_what_is_filled(personas):
    plan = PlanFactory(account=personas.account)
    assert (plan.pct_conocimiento, plan.pct_vision) == (0, 0)
    plan = services.plan_update(user=personas.kam, plan_id=plan.pk, version=plan.version, data={
        "industry_variables": "Precio del acero", "operations_state": "3 plantas", "vision_statement": "Socio"})
    assert (plan.pct_conocimiento, plan.pct_vision) == (33, 50)
    services.task_save(user=personas.kam, plan_id=plan.pk, data={"description": "Curso de inducción"})
    services.opportunity_save(user=personas.kam, plan_id=plan.pk, data={
        "client_benefit": "Menos paradas", "our_solution": "Sensores", "value": 1000, "probability": 40})
    plan.refresh_from_db()
    assert (plan.pct_conocimiento, plan.pct_vision) == (50, 100)


def test_new_period_copies_the_last_plan(personas):
    last = PlanFactory(account=personas.account, vision_statement="Ser su socio energético",
                       period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    TaskFactory(plan=last, description="Visitar planta", done=False)
    TaskFactory(plan=last, description="Ya hecha", done=True)
    OpportunityFactory(plan=last, stage="won")
    OpportunityFactory(plan=last, stage="qualified", client_benefit="Abierta")
    kind, start = services.next_period_start(personas.account)
    assert (kind, start) == ("year", datetime.date(2026, 1, 1))
    plan = services.plan_create(user=personas.kam, account=personas.account, period_kind=kind,
                                period_start=start, copy_last=True)
    assert plan.period_end == datetime.date(2026, 12, 31)
    assert plan.vision_statement == "Ser su socio energético"
    assert list(plan.tasks.values_list("description", flat=True)) == ["Visitar planta"]
    assert list(plan.opportunities.values_list("client_benefit", flat=True)) == ["Abierta"]
    with pytest.raises(PlanError, match="already"):
        services.plan_create(user=personas.kam, account=personas.account, period_kind=kind, period_start=start)
    with pytest.raises(PlanError):
        services.plan_create(user=personas.sponsor, account=personas.account, period_kind="quarter",
                             period_start=datetime.date(2027, 1, 1))


def test_period_bounds():
    assert services.period_bounds("quarter", datetime.date(2026, 11, 1)) == datetime.date(2027, 1, 31)
    assert services.period_bounds("half", datetime.date(2026, 7, 1)) == datetime.date(2026, 12, 31)
