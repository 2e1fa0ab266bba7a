"""Dashboard selectors (the contract with metrics), the reminder job, the account panel, negotiation
preparation and the demo data."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from kam.errors import DomainError
from kam.models import Notification
from planning import selectors, services
from planning.models import AccountPlan, Commitment, NegotiationAgreement, PlanStatus
from planning.tasks import send_plan_reminders
from tests.conftest import client_for
from tests.factories import department
from tests.planning.factories import AgreementFactory, CommitmentFactory, NegotiationFactory, PlanFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def test_plans_needing_attention_flags(personas):
    fresh = PlanFactory(account=personas.account)
    stale = PlanFactory(account=personas.account, period_kind="quarter",
                        updated_at=timezone.now() - datetime.timedelta(days=61))
    review = PlanFactory(account=personas.account, period_kind="half", next_review_date=TODAY)
    past = PlanFactory(account=personas.other_account, period_start=_days(-400), period_end=_days(-1))
    PlanFactory(account=personas.other_account, period_kind="half", status=PlanStatus.CLOSED,
                updated_at=timezone.now() - datetime.timedelta(days=300))
    rows = {p.pk: p for p in selectors.plans_needing_attention(Account.objects.all())}
    assert set(rows) == {stale.pk, review.pk, past.pk}
    assert rows[stale.pk].is_stale and not rows[stale.pk].review_due
    assert rows[review.pk].review_due and rows[past.pk].past_period
    assert fresh.pk not in rows
    only_mine = selectors.plans_needing_attention(Account.objects.filter(pk=personas.account.pk))
    assert past.pk not in {p.pk for p in only_mine}


def test_commitments_due_and_at_risk(personas):
    plan = PlanFactory(account=personas.account)
    soon = CommitmentFactory(plan=plan, owner=personas.teammate, due_date=_days(5))
    late = CommitmentFactory(plan=plan, owner=personas.teammate, due_date=_days(-3))
    CommitmentFactory(plan=plan, owner=personas.teammate, due_date=_days(60))
    CommitmentFactory(plan=plan, owner=personas.teammate, due_date=_days(2), status="done")
    risky = CommitmentFactory(plan=plan, owner=personas.kam, due_date=_days(40), status="at_risk")
    missed = CommitmentFactory(plan=plan, owner=personas.kam, due_date=_days(-30), status="missed")
    due = list(selectors.commitments_due(user=personas.teammate))
    assert [c.pk for c in due] == [late.pk, soon.pk]
    assert due[0].overdue and not due[1].overdue
    assert {c.pk for c in selectors.commitments_due(accounts_qs=Account.objects.all())} == {
        soon.pk, late.pk, missed.pk}
    assert {c.pk for c in selectors.commitments_at_risk(Account.objects.all())} == {late.pk, risky.pk, missed.pk}


def test_reminders_notify_once_per_occurrence(personas):
    plan = PlanFactory(account=personas.account, next_review_date=_days(-1),
                       updated_at=timezone.now() - datetime.timedelta(days=90))
    CommitmentFactory(plan=plan, owner=personas.teammate, due_date=_days(3), description="Informe de costes")
    CommitmentFactory(plan=plan, owner=personas.teammate, due_date=_days(-2), description="Auditoría")
    sent = send_plan_reminders.delay().get()
    keys = set(Notification.objects.values_list("recipient__username", "event_key"))
    assert ("kam", f"plan:{plan.pk}:review-due:{plan.next_review_date}") in keys
    assert any(k.startswith(f"plan:{plan.pk}:stale:") for _u, k in keys)
    assert any(u == "teammate" and ":due:" in k for u, k in keys)
    assert any(u == "teammate" and ":missed:" in k for u, k in keys)
    assert any(u == "kam" and ":missed:" in k for u, k in keys)
    assert sent == Notification.objects.count() > 0
    assert send_plan_reminders.delay().get() == 0  # a second run notifies nobody twice
    # A new occurrence (the review moved and is due again) notifies again.
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=_days(0))
    assert services.plan_reminders_send() >= 1


def test_knowledge_tasks_falling_due_are_reminded_once_to_their_owner(personas):
    from tests.planning.factories import TaskFactory

    plan = PlanFactory(account=personas.account)
    due = TaskFactory(plan=plan, owner=personas.teammate, due_date=_days(0), description="Visitar la planta")
    late = TaskFactory(plan=plan, owner=personas.teammate, due_date=_days(-4))
    TaskFactory(plan=plan, owner=personas.teammate, due_date=_days(5))  # not yet
    TaskFactory(plan=plan, owner=personas.teammate, due_date=_days(-1), done=True)
    TaskFactory(plan=plan, owner=None, due_date=_days(-1))
    services.plan_reminders_send()
    keys = set(Notification.objects.filter(event_key__startswith="knowledge-task:")
               .values_list("recipient__username", "event_key"))
    assert keys == {("teammate", f"knowledge-task:{due.pk}:due:{due.due_date}"),
                    ("teammate", f"knowledge-task:{late.pk}:due:{late.due_date}")}
    assert services.plan_reminders_send() == 0
    notice = Notification.objects.get(event_key__startswith=f"knowledge-task:{due.pk}:")
    assert notice.title.startswith("Knowledge task due on") and "Visitar la planta" in notice.title


def test_closed_plans_are_not_reminded(personas):
    plan = PlanFactory(account=personas.account, status=PlanStatus.CLOSED, next_review_date=_days(-5))
    CommitmentFactory(plan=plan, due_date=_days(-3))
    assert services.plan_reminders_send() == 0


def _panel(user, account):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load planning_panels %}{% account_plan_panel account %}").render(
        Context({"request": request, "account": account, "csrf_token": "t"}))


def test_account_panel(personas, django_assert_max_num_queries):
    html = _panel(personas.kam, personas.account)
    assert "Start the first plan" in html
    for i in range(8):
        PlanFactory(account=personas.account, period_kind="quarter", period_start=_days(-90 * i - 400),
                    period_end=_days(-90 * i - 310), status=PlanStatus.CLOSED)
    current = PlanFactory(account=personas.account, updated_at=timezone.now() - datetime.timedelta(days=70))
    account = Account.objects.get(pk=personas.account.pk)
    with django_assert_max_num_queries(5):
        html = _panel(personas.kam, account)
    assert current.get_absolute_url() in html and "Stale" in html and "New plan for next period" in html
    assert "New plan" not in _panel(personas.sponsor, account)
    assert _panel(personas.operator, account).strip() == ""


def test_negotiation_preparation_and_agreement_becomes_commitment(personas):
    plan = PlanFactory(account=personas.account)
    client = client_for(personas.kam)
    response = client.post(reverse("planning:negotiation_list", args=[personas.account.pk]),
                           {"title": "Renovación del contrato marco"})
    neg = personas.account.negotiations.get()
    assert response.url == reverse("planning:negotiation_detail", args=[neg.pk]) and neg.plan == plan
    url = reverse("planning:negotiation_row", args=[neg.pk, "variable"])
    client.post(url, {"variable-name": "Precio", "variable-priority": 1, "variable-our_target": "-1 %",
                      "variable-our_limit": "-3 %", "variable-client_position": "-6 %"})
    client.post(reverse("planning:negotiation_row", args=[neg.pk, "objective"]),
                {"objective-party": "client", "objective-description": "Bajar precio", "objective-priority": 1})
    response = client.post(url, {"variable-name": "Plazo"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    client.post(reverse("planning:negotiation_detail", args=[neg.pk]), {
        "title": neg.title, "version": neg.version, "our_batna": "Otros dos clientes", "their_batna": "Importar",
        "strategy": "collaborative", "plan": plan.pk})
    neg.refresh_from_db()
    assert neg.our_batna == "Otros dos clientes" and neg.version == 2
    # A stale save of the approach is refused with what changed.
    response = client.post(reverse("planning:negotiation_detail", args=[neg.pk]), {
        "title": neg.title, "version": 1, "our_batna": "Nada", "strategy": "competitive"})
    assert 'data-testid="conflict"' in response.content.decode()
    agreement = NegotiationAgreement.objects.create(negotiation=neg, description="Revisión semestral", party="us")
    client.post(reverse("planning:agreement_commitment", args=[agreement.pk]),
                {"department": department("sales").pk, "owner": personas.kam.pk})
    agreement.refresh_from_db()
    assert agreement.commitment.plan == plan and agreement.commitment.description == "Revisión semestral"
    page = client.get(reverse("planning:negotiation_detail", args=[neg.pk])).content.decode()
    assert "Precio" in page and "-3 %" in page and "Followed up as a commitment" in page


def test_negotiation_only_editable_by_plan_editors(personas):
    neg = NegotiationFactory(account=personas.account, created_by=personas.kam)
    agreement = AgreementFactory(negotiation=neg)
    response = client_for(personas.sponsor).post(reverse("planning:negotiation_detail", args=[neg.pk]),
                                                 {"title": "x", "version": 1})
    assert response.status_code == 403
    with pytest.raises(DomainError):
        services.agreement_to_commitment(actor=personas.teammate, agreement=agreement)
    assert not Commitment.objects.exists()


def test_demo_is_idempotent(personas):
    import random

    from kam import demo
    from planning import demo as planning_demo

    ctx = demo.DemoContext(size="small", today=TODAY, rng=random.Random(1), log=lambda m: None)
    demo.seed(ctx)
    personas.account.kam = ctx.users["ana.garcia"]
    personas.account.save()
    planning_demo.seed(ctx)
    n = AccountPlan.objects.count(), Commitment.objects.count()
    assert n[0] >= 1 and n[1] >= 1
    planning_demo.seed(ctx)
    assert (AccountPlan.objects.count(), Commitment.objects.count()) == n
