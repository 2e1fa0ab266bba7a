"""The accounts rules are enforced by the services themselves, whoever calls them: a write the actor may
not make is refused with `kam.errors.Forbidden` and leaves nothing behind; broken rules are `Invalid`,
stale edits `Conflict`."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import imports, services
from accounts.models import (
    Account,
    AccountTeamMember,
    Activity,
    Assessment,
    Contact,
    FinancialRecord,
    RelationshipStageChange,
    SelectionCriterion,
    TierDecision,
)
from kam.errors import Conflict, Forbidden, Invalid
from tests.conftest import client_for
from tests.factories import ContactFactory, department

pytestmark = pytest.mark.django_db
LAST_MONTH = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _state():
    """What any accounts write would change."""
    return (
        list(Account.objects.order_by("pk").values_list("pk", "version", "region", "archived_at", "tier",
                                                           "relationship_stage", "kam_id", "sponsor_id")),
        list(Contact.objects.order_by("pk").values_list("pk", "version", "name", "left_at")),
        list(AccountTeamMember.objects.order_by("pk").values_list("pk", "role")),
        list(SelectionCriterion.objects.order_by("pk").values_list("pk", "weight")),
        Activity.objects.count(), Assessment.objects.count(), TierDecision.objects.count(),
        FinancialRecord.objects.count(), RelationshipStageChange.objects.count(),
    )


def _criterion():
    return SelectionCriterion.objects.order_by("pk").first()


REFUSED = {
    "account_create": ("operator", lambda w, actor: services.account_create(actor=actor, name="Nueva S.A.")),
    "account_update": ("teammate", lambda w, actor: services.account_update(
        actor=actor, account=w.account, expected_version=w.account.version, region="Asturias")),
    "account_archive": ("operator", lambda w, actor: services.account_archive(actor=actor, account=w.account)),
    "account_unarchive": ("sponsor", lambda w, actor: services.account_unarchive(actor=actor, account=w.account)),
    "stage_change": ("teammate", lambda w, actor: services.stage_change(actor=actor, account=w.account,
                                                                        to_stage="basic")),
    "team_member_add": ("teammate", lambda w, actor: services.team_member_add(
        actor=actor, account=w.account, user=w.outsider, department=department("technical"))),
    "team_member_remove": ("other_kam", lambda w, actor: services.team_member_remove(
        actor=actor, member=w.member, expected_version=w.member.version)),
    "team_member_update": ("teammate", lambda w, actor: services.team_member_update(
        actor=actor, member=w.member, expected_version=w.member.version, department=department("technical"),
        role="Soporte")),
    "contact_save": ("operator", lambda w, actor: services.contact_save(
        actor=actor, account=w.account, contact=w.contact, expected_version=w.contact.version,
        data={"name": "Cambiado"})),
    "contact_mark_gone": ("sponsor", lambda w, actor: services.contact_mark_gone(
        actor=actor, contact=w.contact, left_at=timezone.localdate())),
    "assessment_create": ("kam", lambda w, actor: services.assessment_create(
        actor=actor, account=w.account, scores={_criterion(): (3, "")})),
    "criterion_save": ("kam", lambda w, actor: services.criterion_save(
        actor=actor, criterion=_criterion(), expected_version=_criterion().version, data={"weight": Decimal(9)})),
    "tier_decide": ("sponsor", lambda w, actor: services.tier_decide(
        actor=actor, account=w.other_account, to_tier="development", reason="Crece")),
    "financial_record_save": ("kam", lambda w, actor: services.financial_record_save(
        actor=actor, account=w.account, month=LAST_MONTH, revenue=Decimal(1), cost_of_goods=Decimal(0),
        cost_to_serve=Decimal(0))),
    "run_import": ("kam", lambda w, actor: imports.run_import(
        actor=actor, kind="financials", filename="f.csv",
        data=f"account_tax_id;month;revenue\n{w.account.tax_id};{LAST_MONTH:%Y-%m};5\n".encode())),
}


@pytest.fixture
def w(personas):
    personas.contact = ContactFactory(account=personas.account, name="Marta Ibáñez")
    personas.member = personas.account.team_members.get()
    return personas


@pytest.mark.parametrize("service", sorted(REFUSED))
def test_each_write_service_refuses_an_actor_without_the_permission(w, service):
    persona, call = REFUSED[service]
    if service == "account_unarchive":
        Account.objects.filter(pk=w.account.pk).update(archived_at=timezone.now())
        w.account.refresh_from_db()
    before = _state()
    with pytest.raises(Forbidden):
        call(w, getattr(w, persona))
    assert _state() == before


@pytest.mark.parametrize("service", sorted(REFUSED))
def test_the_programme_lead_may_make_each_write(w, service):
    _persona, call = REFUSED[service]
    if service == "account_unarchive":
        Account.objects.filter(pk=w.account.pk).update(archived_at=timezone.now())
        w.account.refresh_from_db()
    call(w, w.lead)


def test_rule_breaks_are_invalid_and_stale_edits_conflicts(w):
    with pytest.raises(Invalid):
        services.stage_change(actor=w.kam, account=w.account, to_stage=w.account.relationship_stage)
    with pytest.raises(Invalid):
        services.tier_decide(actor=w.lead, account=w.other_account, to_tier="development", reason=" ")
    services.account_update(actor=w.kam, account=w.account, expected_version=w.account.version, region="Asturias")
    with pytest.raises(Conflict) as caught:
        services.account_update(actor=w.lead, account=w.account, expected_version=w.account.version,
                                region="Galicia")
    assert [(c.field, c.theirs) for c in caught.value.changes] == [("region", "Asturias")]
    assert not hasattr(services, "ServiceError") and not hasattr(services, "ConcurrentEditError")


def test_a_taken_tax_id_is_reported_on_its_field(w):
    response = client_for(w.lead).post("/accounts/new/", {
        "name": "Copia S.A.", "tax_id": w.account.tax_id.lower(), "industry": "food", "country": "ES",
        "status": "active", "relationship_stage": "basic"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"tax_id": ["Another account already has this tax id."]}
    with pytest.raises(Invalid) as caught:
        services.account_update(actor=w.lead, account=w.other_account, expected_version=w.other_account.version,
                                tax_id=w.account.tax_id)
    assert caught.value.errors == {"tax_id": ["Another account already has this tax id."]}
