"""The review's writes: freezing on close, decisions applied as tier decisions within the cap, and the
refusals, called on the services directly."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account, TierDecision
from kam.errors import Forbidden, Invalid
from kam.models import ProgrammeSettings
from programme import selectors, services
from programme.models import Decision, Direction, ReviewStatus
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(personas):
    return services.review_create(actor=personas.lead)


def test_a_new_review_covers_the_current_quarter_and_inherits_the_targets(personas):
    today = timezone.localdate()
    first = services.review_create(actor=personas.lead,
                                   period_start=today - datetime.timedelta(days=200))
    services.review_update(actor=personas.lead, review=first, expected_version=first.version,
                           data={"targets": {"plan_coverage": Decimal("80")}})
    current = services.review_create(actor=personas.lead)
    start, end = selectors.period_containing(today, 3)
    assert (current.period_start, current.period_end) == (start, end)
    assert current.targets == {"plan_coverage": "80"}
    with pytest.raises(Invalid):
        services.review_create(actor=personas.lead, period_start=today)


def test_closing_freezes_the_actuals(personas, review):
    mf.plan(personas.account, status="agreed")
    live = selectors.review_actuals(review)
    assert live["plan_coverage"].value == Decimal("100.0")
    closed = services.review_close(actor=personas.lead, review=review)
    assert closed.status == ReviewStatus.CLOSED and closed.closed_by == personas.lead
    assert closed.actuals["plan_coverage"]["value"] == "100.0"
    # The data moves on: the closed review keeps its figures, a draft would follow.
    personas.account.plans.update(status="closed")
    assert selectors.review_actuals(closed)["plan_coverage"].value == Decimal("100.0")
    assert selectors.kpi_rows(closed)[1]["actual"].value == Decimal("100.0")
    with pytest.raises(Invalid):
        services.review_update(actor=personas.lead, review=closed, expected_version=closed.version,
                               data={"notes": "tarde"})
    with pytest.raises(Invalid):
        services.change_add(actor=personas.lead, review=closed, text="Tarde")


def test_targets_are_stored_per_registered_kpi(personas, review):
    services.review_update(actor=personas.lead, review=review, expected_version=review.version,
                           data={"targets": {"plan_coverage": Decimal("75.5"), "clv": None}})
    review.refresh_from_db()
    assert review.targets == {"plan_coverage": "75.5"}
    rows = {r["kpi"].code: r for r in selectors.kpi_rows(review)}
    assert rows["plan_coverage"]["target"] == Decimal("75.5") and rows["plan_coverage"]["met"] is False
    with pytest.raises(ValueError):
        services.review_update(actor=personas.lead, review=review, expected_version=review.version,
                               data={"targets": {"nonsense": 1}})


def test_accepting_an_entry_is_a_tier_decision(personas, review):
    candidate = AccountFactory(tier="development", quadrant="strategic", kam=personas.kam, sponsor=personas.sponsor)
    proposal = services.proposal_create(actor=personas.lead, review=review, account=candidate, to_tier="key",
                                        reason="Cuadrante estratégico")
    assert proposal.direction == Direction.ENTER
    assert proposal.evidence["tier"] == "development" and proposal.evidence["mismatch"] == "strategic_not_key"
    decided = services.proposal_decide(actor=personas.lead, proposal=proposal, accept=True,
                                       kam=personas.kam, sponsor=personas.sponsor)
    candidate.refresh_from_db()
    assert candidate.tier == "key"
    decision = TierDecision.objects.get(account=candidate)
    assert decided.decision == Decision.ACCEPTED and decided.tier_decision == decision
    assert decision.from_tier == "development" and decision.to_tier == "key" and not decision.cap_override
    assert "Cuadrante estratégico" in decision.reason


def test_an_entry_over_the_cap_is_refused_unless_overridden(personas, review):
    ProgrammeSettings.objects.update(key_account_cap=1)  # the personas' key account fills it
    candidate = AccountFactory(tier="development", kam=personas.kam, sponsor=personas.sponsor)
    proposal = services.proposal_create(actor=personas.lead, review=review, account=candidate, to_tier="key",
                                        reason="Crece mucho")
    with pytest.raises(Invalid) as refused:
        services.proposal_decide(actor=personas.lead, proposal=proposal, accept=True, kam=personas.kam,
                                 sponsor=personas.sponsor)
    assert "cap_override" in refused.value.errors
    candidate.refresh_from_db()
    proposal.refresh_from_db()
    assert candidate.tier == "development" and proposal.decision == Decision.PROPOSED
    assert not TierDecision.objects.filter(account=candidate).exists()
    services.proposal_decide(actor=personas.lead, proposal=proposal, accept=True, kam=personas.kam,
                             sponsor=personas.sponsor, cap_override=True, override_reason="Cliente estratégico")
    assert TierDecision.objects.get(account=candidate).cap_override is True


def test_a_leave_proposal_and_a_rejection(personas, review):
    leave = services.proposal_create(actor=personas.lead, review=review, account=personas.account,
                                     to_tier="development", reason="Pierde dinero")
    assert leave.direction == Direction.LEAVE
    with pytest.raises(Invalid):
        services.proposal_decide(actor=personas.lead, proposal=leave, accept=False)  # a rejection says why
    services.proposal_decide(actor=personas.lead, proposal=leave, accept=False, note="Un trimestre más")
    personas.account.refresh_from_db()
    assert personas.account.tier == "key"
    with pytest.raises(Invalid):
        services.proposal_decide(actor=personas.lead, proposal=leave, accept=True)  # already decided


def test_a_proposal_must_cross_the_programme_boundary(personas, review):
    with pytest.raises(Invalid):
        services.proposal_create(actor=personas.lead, review=review, account=personas.other_account,
                                 to_tier="development", reason="Sin sentido")


def test_closing_waits_for_every_decision(personas, review):
    proposal = services.proposal_create(actor=personas.lead, review=review, account=personas.account,
                                        to_tier="standard", reason="Pierde dinero")
    with pytest.raises(Invalid):
        services.review_close(actor=personas.lead, review=review)
    services.proposal_decide(actor=personas.lead, proposal=proposal, accept=True)
    assert Account.objects.get(pk=personas.account.pk).tier == "standard"
    assert services.review_close(actor=personas.lead, review=review).is_closed


@pytest.mark.parametrize("persona", ["kam", "sponsor", "operator", "outsider"])
def test_only_the_lead_writes(personas, review, persona):
    actor = getattr(personas, persona)
    writes = [
        lambda: services.review_create(actor=actor, period_start=timezone.localdate() - datetime.timedelta(days=400)),
        lambda: services.review_update(actor=actor, review=review, expected_version=review.version,
                                       data={"notes": "x"}),
        lambda: services.review_hold(actor=actor, review=review),
        lambda: services.review_close(actor=actor, review=review),
        lambda: services.proposal_create(actor=actor, review=review, account=personas.account,
                                         to_tier="standard", reason="x"),
        lambda: services.change_add(actor=actor, review=review, text="x"),
        lambda: services.review_settings_update(actor=actor, expected_version=1, data={"cadence_months": 6}),
    ]
    for write in writes:
        with pytest.raises(Forbidden):
            write()
    proposal = services.proposal_create(actor=personas.lead, review=review, account=personas.account,
                                        to_tier="standard", reason="Pierde dinero")
    with pytest.raises(Forbidden):
        services.proposal_decide(actor=actor, proposal=proposal, accept=True)
    assert Account.objects.get(pk=personas.account.pk).tier == "key"
