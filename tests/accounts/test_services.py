import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import scoring, selectors, services
from accounts.models import (
    Account,
    Activity,
    ActivityKind,
    Assessment,
    Contact,
    RelationshipStage,
    SelectionCriterion,
    Tier,
    TierDecision,
)
from accounts.signals import financials_imported
from kam.errors import Conflict, Invalid
from kam.models import ProgrammeSettings
from kam.roles import LEAD
from tests.accounts.factories import only_criteria
from tests.factories import AccountFactory, ContactFactory, FinancialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()


def months_back(n):
    """The first day of the month `n` months before TODAY's month."""
    y, m = divmod(TODAY.month - 1 - n, 12)
    return datetime.date(TODAY.year + y, m + 1, 1)


def revenue(account, amount, month_back=1):
    return FinancialRecordFactory(account=account, month=months_back(month_back), revenue=D(amount))


# --- Pareto in SQL --------------------------------------------------------------------------------
def test_default_criteria_are_seeded_from_the_method():
    codes = set(SelectionCriterion.objects.values_list("code", flat=True))
    assert {"volume", "growth", "reciprocity", "strategic_fit", "share_of_wallet", "decision_access"} <= codes
    assert SelectionCriterion.objects.filter(axis="strength").count() == 5


def test_revenue_recompute_sums_the_last_twelve_complete_months_only():
    a = AccountFactory()
    revenue(a, 100, month_back=1)
    revenue(a, 200, month_back=12)
    revenue(a, 5000, month_back=13)  # outside the window
    revenue(a, 7000, month_back=0)  # the running month is partial: left out
    services.revenue_recompute(TODAY)
    a.refresh_from_db()
    assert a.revenue_12m == D("300.00")


def test_pareto_classes_in_sql_match_hand_computed_with_ties_and_zero():
    accounts = {amount: AccountFactory() for amount in (500, 300, 100)}
    tie1, tie2, zero, none = AccountFactory(), AccountFactory(), AccountFactory(), AccountFactory()
    for amount, a in accounts.items():
        revenue(a, amount)
    revenue(tie1, 50)
    revenue(tie2, 50)
    revenue(zero, 0)
    archived = AccountFactory(archived_at=timezone.now(), pareto_class="A")
    revenue(archived, 100000)
    services.revenue_recompute(TODAY)
    got = dict(Account.objects.values_list("pk", "pareto_class"))
    assert got[accounts[500].pk] == "A"
    assert got[accounts[300].pk] == "A"
    assert got[accounts[100].pk] == "B"
    assert got[tie1.pk] == got[tie2.pk] == "B"
    assert got[zero.pk] == "C"
    assert got[none.pk] == "C"
    assert got[archived.pk] == ""  # out of the ranking, and its revenue does not count for the others


def test_sql_pareto_agrees_with_the_reference_rule_on_random_data():
    rng = random.Random(7)
    accounts = [AccountFactory() for _ in range(40)]
    expected_input = {}
    for a in accounts:
        amount = rng.choice([0, 10, 10, 50, 120, 300, rng.randint(1, 2000)])
        revenue(a, amount)
        expected_input[a.pk] = D(amount)
    services.revenue_recompute(TODAY)
    assert dict(Account.objects.values_list("pk", "pareto_class")) == scoring.pareto_classes(expected_input)


def test_pareto_rows_rank_company_wide_for_a_kam(personas):
    big = AccountFactory(name="Grande")
    revenue(big, 900)
    revenue(personas.account, 100)
    services.revenue_recompute(TODAY)
    rows = list(selectors.pareto_rows(personas.kam))
    assert [r.pk for r in rows] == [personas.account.pk]
    assert rows[0].rank == 2  # behind an account the KAM does not see
    assert rows[0].cumulative == D("1000.00")


# --- Scores ----------------------------------------------------------------------------------------
@pytest.fixture
def hand_criteria(db):
    return only_criteria(("A1", "attractiveness", 2, 5), ("A2", "attractiveness", 1, 5), ("A0", "attractiveness", 0, 5),
                         ("S1", "strength", 3, 5), ("S2", "strength", 1, 10))


def _scores(criteria, values):
    by_code = {c.code: c for c in criteria}
    return {by_code[k]: (v, "") for k, v in values.items()}


def test_two_assessors_latest_scores_make_the_account_score_and_quadrant(hand_criteria):
    account = AccountFactory()
    x, y = UserFactory(roles=[LEAD]), UserFactory(roles=[LEAD])
    old = services.assessment_create(account=account, actor=y, assessed_on=TODAY - datetime.timedelta(days=90),
                                     scores=_scores(hand_criteria, {"A1": 5, "S1": 5, "S2": 10}))
    services.assessment_create(account=account, actor=x, assessed_on=TODAY,
                               scores=_scores(hand_criteria, {"A1": 5, "A2": 2, "A0": 1, "S1": 3, "S2": 10}))
    services.assessment_create(account=account, actor=y, assessed_on=TODAY,
                               scores=_scores(hand_criteria, {"A1": 3, "S1": 1, "S2": 1}))
    account.refresh_from_db()
    # Y's older assessment is replaced by its latest: see tests/accounts/test_scoring.py for the arithmetic.
    assert (account.attractiveness, account.strength) == (D("58.33"), D("31.25"))
    assert account.quadrant == "star"
    assert Assessment.objects.get(pk=old.pk).attractiveness == D("100.00")
    assert Activity.objects.filter(account=account, kind=ActivityKind.ASSESSMENT).count() == 3


def test_changing_a_weight_rescores_and_is_kept_in_history(hand_criteria, personas):
    account = AccountFactory()
    services.assessment_create(account=account, actor=personas.lead,
                               scores=_scores(hand_criteria, {"A1": 5, "A2": 2, "A0": 1, "S1": 3, "S2": 10}))
    account.refresh_from_db()
    assert account.attractiveness == D("75.00")
    a0 = next(c for c in hand_criteria if c.code == "A0")
    services.criterion_save(actor=personas.lead, criterion=a0, expected_version=a0.version, data={"weight": D(1)})
    account.refresh_from_db()
    assert account.attractiveness == D("56.25")
    weights = list(a0.history.order_by("history_date").values_list("weight", flat=True))
    assert weights == [D("0.00"), D("1.00")]
    assert a0.history.first().history_user == personas.lead


def test_thresholds_change_moves_quadrants(hand_criteria, personas):
    account = AccountFactory()
    services.assessment_create(account=account, actor=personas.lead,
                               scores=_scores(hand_criteria, {"A1": 5, "A2": 2, "S1": 3, "S2": 10}))
    account.refresh_from_db()
    assert account.quadrant == "strategic"  # 75 / 62.5
    programme = ProgrammeSettings.current()
    programme.strength_threshold = D(70)
    programme.save()
    services.quadrants_recompute()
    account.refresh_from_db()
    assert account.quadrant == "star"


def test_assessment_rejects_scores_off_the_scale(hand_criteria, personas):
    with pytest.raises(Invalid):
        services.assessment_create(account=AccountFactory(), actor=personas.lead,
                                   scores=_scores(hand_criteria, {"A1": 6}))
    assert not Assessment.objects.exists()


# --- Tier decisions ----------------------------------------------------------------------------------
def test_tier_decision_records_who_when_why_and_the_evidence(personas):
    account = AccountFactory(tier=Tier.DEVELOPMENT, attractiveness=D("80"), strength=D("70"), quadrant="strategic",
                             pareto_class="A", revenue_12m=D("123456.00"))
    decision = services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.KEY,
                                    reason="Clase A y estratégica", expected_tier=Tier.DEVELOPMENT,
                                    kam=personas.kam, sponsor=personas.sponsor)
    account.refresh_from_db()
    assert account.tier == Tier.KEY
    assert (decision.from_tier, decision.to_tier, decision.decided_by) == (Tier.DEVELOPMENT, Tier.KEY, personas.lead)
    assert decision.evidence["quadrant"] == "strategic"
    assert decision.evidence["pareto_class"] == "A"
    assert decision.evidence["revenue_12m"] == "123456.00"
    assert Activity.objects.filter(account=account, kind=ActivityKind.TIER_DECISION).exists()


def test_tier_decision_needs_a_reason(personas):
    account = AccountFactory()
    with pytest.raises(Invalid):
        services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.KEY, reason="  ")
    account.refresh_from_db()
    assert account.tier == Tier.STANDARD
    assert not TierDecision.objects.exists()


def test_admitting_beyond_the_cap_needs_an_override_with_its_reason(personas):
    programme = ProgrammeSettings.current()
    programme.key_account_cap = 1  # personas.account is already key
    programme.save()
    account = AccountFactory()
    people = {"kam": personas.kam, "sponsor": personas.sponsor}
    with pytest.raises(Invalid):
        services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.KEY, reason="Estratégica", **people)
    with pytest.raises(Invalid):
        services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.KEY, reason="Estratégica",
                             cap_override=True, override_reason="", **people)
    decision = services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.KEY, reason="Estratégica",
                                    cap_override=True, override_reason="Adquisición de un competidor", **people)
    assert decision.cap_override and decision.override_reason == "Adquisición de un competidor"
    # Demoting never needs an override.
    services.tier_decide(account=personas.account, actor=personas.lead, to_tier=Tier.DEVELOPMENT, reason="Streamline")


def test_tier_decision_on_a_stale_view_is_refused(personas):
    account = AccountFactory(tier=Tier.DEVELOPMENT)
    services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.STANDARD, reason="Baja")
    with pytest.raises(Conflict):
        services.tier_decide(account=account, actor=personas.lead, to_tier=Tier.KEY, reason="Sube",
                             expected_tier=Tier.DEVELOPMENT)


def test_tier_mismatches(personas):
    key_streamline = AccountFactory(tier=Tier.KEY, quadrant="streamline", attractiveness=10, strength=10,
                                    pareto_class="A")
    strategic_std = AccountFactory(tier=Tier.STANDARD, quadrant="strategic", attractiveness=90, strength=90)
    fine = AccountFactory(tier=Tier.KEY, quadrant="strategic", attractiveness=90, strength=90, pareto_class="A")
    got = {a.pk: a.mismatch for a in selectors.tier_mismatches()}
    assert got[key_streamline.pk] == "key_streamline"
    assert got[strategic_std.pk] == "strategic_not_key"
    assert got[personas.account.pk] == "key_unassessed"
    assert fine.pk not in got


# --- Registry, stage, team, contacts, financials -----------------------------------------------------
def test_create_records_the_initial_stage_and_an_event(personas):
    account = services.account_create(actor=personas.kam, name="Nueva S.A.", stage=RelationshipStage.BASIC,
                                      kam=personas.kam)
    assert account.stage_changes.get().to_stage == RelationshipStage.BASIC
    assert Activity.objects.filter(account=account, subkind="created").exists()


def test_concurrent_edit_is_refused_not_overwritten(personas):
    account = personas.account
    version = account.version
    services.account_update(account=account, actor=personas.kam, expected_version=version, region="Asturias")
    with pytest.raises(Conflict):
        services.account_update(account=account, actor=personas.lead, expected_version=version, region="Galicia")
    account.refresh_from_db()
    assert account.region == "Asturias"
    assert account.version == version + 1


def test_a_group_cannot_contain_itself(personas):
    parent = personas.account
    child = AccountFactory(parent=parent)
    with pytest.raises(Invalid):
        services.account_update(account=parent, actor=personas.lead, expected_version=parent.version, parent=child)


def test_stage_change_keeps_dated_history(personas):
    account = personas.account
    day = TODAY - datetime.timedelta(days=3)
    services.stage_change(account=account, actor=personas.kam, to_stage=RelationshipStage.COOPERATIVE, changed_on=day,
                          note="Plan conjunto firmado")
    account.refresh_from_db()
    assert account.relationship_stage == RelationshipStage.COOPERATIVE
    change = account.stage_changes.get()
    assert (change.from_stage, change.changed_on) == (RelationshipStage.EXPLORATORY, day)
    assert Activity.objects.filter(account=account, kind=ActivityKind.STAGE_CHANGE).exists()
    with pytest.raises(Invalid):
        services.stage_change(account=account, actor=personas.kam, to_stage=RelationshipStage.COOPERATIVE)


def test_archive_takes_the_account_out_of_rankings_and_restores(personas):
    account = personas.account
    revenue(account, 1000, month_back=1)
    services.account_archive(account=account, actor=personas.lead)
    account.refresh_from_db()
    assert account.is_archived and account.pareto_class == ""
    assert Account.objects.filter(pk=account.pk).exists()  # never deleted
    services.account_unarchive(account=account, actor=personas.lead)
    account.refresh_from_db()
    assert not account.is_archived and account.pareto_class == "A"


def test_team_member_gives_visibility(personas):
    outsider = personas.outsider
    assert not selectors.accounts_visible_to(outsider).filter(pk=personas.account.pk).exists()
    from tests.factories import department

    services.team_member_add(account=personas.account, actor=personas.kam, user=outsider,
                             department=department("supply_chain"), role="Suministro")
    assert selectors.accounts_visible_to(outsider).filter(pk=personas.account.pk).exists()
    assert outsider.has_perm("accounts.view_account", personas.account)


def test_contact_gone_successor_takes_the_position_and_reports(personas):
    account = personas.account
    boss = ContactFactory(account=account, name="Jefa", position="Directora general")
    buyer = ContactFactory(account=account, name="Comprador", position="Director de compras", reports_to=boss,
                           decision_role="decision_maker")
    report = ContactFactory(account=account, name="Ayudante", position="Técnico de compras", reports_to=buyer)
    successor = services.contact_mark_gone(contact=buyer, actor=personas.kam, left_at=TODAY,
                                           successor_name="Nueva Compradora")
    buyer.refresh_from_db()
    report.refresh_from_db()
    assert buyer.is_gone and buyer.successor == successor
    assert (successor.position, successor.reports_to, successor.decision_role) == (
        "Director de compras", boss, "decision_maker")
    assert report.reports_to == successor
    assert buyer.history.count() >= 2  # the person's record and its history stay


def test_coverage_warnings(personas):
    account = personas.account
    # Contacted lately: the stakeholders not contacted are flagged too (tests/accounts/test_stakeholder_freshness.py).
    recent = timezone.localdate()
    ContactFactory(account=account, name="Decisor", decision_role="decision_maker", owner=None,
                   last_contact_date=recent)
    ContactFactory(account=account, name="Bloqueador", attitude="blocker", influence=3, owner=personas.kam)
    codes = {w["code"] for w in selectors.relationship_map(account)["warnings"]}
    assert codes == {"no_champion", "unowned_decision_maker", "influential_blocker"}
    ContactFactory(account=account, name="Campeona", attitude="champion", last_contact_date=recent)
    Contact.objects.filter(name="Decisor").update(owner=personas.kam)
    assert {w["code"] for w in selectors.relationship_map(account)["warnings"]} == {"influential_blocker"}


def test_financial_entry_recomputes_revenue_and_signals_after_commit(personas, django_capture_on_commit_callbacks):
    received = []

    def handler(sender, account_ids, **kwargs):
        received.append(account_ids)

    financials_imported.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.financial_record_save(account=personas.account, actor=personas.lead,
                                           month=timezone.localdate().replace(day=1) - datetime.timedelta(days=1),
                                           revenue=D("1000"), cost_of_goods=D("600"), cost_to_serve=D("50"))
    finally:
        financials_imported.disconnect(handler)
    personas.account.refresh_from_db()
    assert personas.account.revenue_12m == D("1000.00")
    assert received == [[personas.account.pk]]
