"""Nothing is deleted without a trace.

- Decision records (tier decisions, assessments, sign-offs, the versions the client agreed to, the
  erasure log) are never deleted: the admin has no delete, the models refuse it, and on PostgreSQL a
  trigger refuses it too, whoever runs the statement.
- The administration site deletes nothing at all, one object or in bulk: domain objects end their life
  through the app's own soft states (archived, closed, revoked, cleared, gone, erased).
- Every object people can change keeps its history, with who and when; a plan row or a team member that
  is really removed stays in its history as a deletion by the person who removed it.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from accounts import services as account_services
from accounts.models import (
    Account,
    AccountTeamMember,
    Assessment,
    AssessmentScore,
    Contact,
    FinancialRecord,
    RelationshipStageChange,
    SelectionCriterion,
    TierDecision,
)
from kam.models import Department, ProgrammeSettings
from planning import services as planning_services
from planning.models import (
    AccountPlan,
    AgreedVersion,
    Commitment,
    Concession,
    KnowledgeTask,
    Negotiation,
    NegotiationAgreement,
    NegotiationObjective,
    NegotiationVariable,
    Opportunity,
    PlanReview,
    ShareLink,
    SignOff,
    ValueDelivered,
)
from tests.accounts.factories import CriterionFactory
from tests.conftest import client_for
from tests.planning.factories import share_link
from touchpoints.models import ClientFeedback, PartnershipRating, ServiceIncident, SlaPolicy, Touchpoint

pytestmark = pytest.mark.django_db

# Everything people (or the admin) can change, and therefore everything that must keep its history.
EDITABLE = (
    Account, AccountTeamMember, Contact, FinancialRecord, RelationshipStageChange, SelectionCriterion,
    Department, ProgrammeSettings,
    AccountPlan, KnowledgeTask, Opportunity, Commitment, SignOff, PlanReview, ValueDelivered, ShareLink,
    Negotiation, NegotiationObjective, NegotiationVariable, Concession, NegotiationAgreement,
    Touchpoint, ServiceIncident, SlaPolicy, ClientFeedback, PartnershipRating,
)


@pytest.mark.parametrize("model", EDITABLE, ids=lambda m: m._meta.label)
def test_every_editable_object_keeps_its_history(model):
    assert hasattr(model, "history"), f"{model._meta.label} keeps no history"
    if any(f.name == "version" for f in model._meta.fields):
        # The version the editor started from is looked up in the history (kam.versioning).
        historical = model.history.model
        assert any(f.name == "version" for f in historical._meta.fields), model._meta.label


def test_models_the_admin_may_change_keep_their_history(personas):
    request = RequestFactory().get("/admin/")
    request.user = personas.lead
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("kam", "accounts", "planning", "touchpoints", "metrics"):
            continue
        if model_admin.has_change_permission(request):
            assert hasattr(model, "history"), f"{model._meta.label} is editable in the admin without history"


# --- The administration site deletes nothing ----------------------------------------------------------

def test_no_admin_deletes_one_object_or_in_bulk(personas):
    request = RequestFactory().get("/admin/")
    request.user = personas.lead  # a superuser: nothing below depends on permissions they lack
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.has_delete_permission(request), model._meta.label
        assert "delete_selected" not in model_admin.get_actions(request), model._meta.label


def _admin_objects(personas):
    from tests.planning.factories import PlanFactory
    from tests.touchpoints.factories import FeedbackFactory, IncidentFactory, TouchpointFactory

    plan = PlanFactory(account=personas.account)
    link, _token = share_link(personas.kam, plan)
    return {
        "touchpoints_serviceincident": IncidentFactory(account=personas.account),
        "touchpoints_touchpoint": TouchpointFactory(account=personas.account),
        "touchpoints_clientfeedback": FeedbackFactory(account=personas.account),
        "planning_accountplan": plan,
        "planning_sharelink": link,
        "accounts_financialrecord": FinancialRecord.objects.create(account=personas.account,
                                                                   month=datetime.date(2026, 1, 1)),
        "auth_user": personas.outsider,
    }


def test_the_admins_delete_pages_refuse_and_delete_nothing(personas):
    client = client_for(personas.lead)
    for name, obj in _admin_objects(personas).items():
        url = reverse(f"admin:{name}_delete", args=[obj.pk])
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"post": "yes"}).status_code == 403, name
        assert type(obj).objects.filter(pk=obj.pk).exists(), name
        changelist = reverse(f"admin:{name}_changelist")
        client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
        assert type(obj).objects.filter(pk=obj.pk).exists(), name


def test_a_share_link_is_revoked_from_the_admin_not_deleted(personas):
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(account=personas.account)
    link, _token = share_link(personas.kam, plan)
    response = client_for(personas.lead).post(reverse("admin:planning_sharelink_changelist"),
                                              {"action": "revoke_links", "_selected_action": [link.pk]})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == personas.lead
    assert link.history.first().history_user == personas.lead


def test_people_who_leave_are_deactivated_not_deleted(personas):
    client = client_for(personas.lead)
    assert client.get(reverse("admin:auth_user_delete", args=[personas.kam.pk])).status_code == 403
    assert get_user_model().objects.filter(pk=personas.kam.pk).exists()


def test_a_deactivated_person_is_signed_out_and_told_nothing_but_stays_named(personas):
    from kam.services import notification_send

    kam = client_for(personas.kam)
    assert kam.get(reverse("accounts:list")).status_code == 200
    personas.kam.is_active = False
    personas.kam.save()
    response = kam.get(reverse("accounts:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert notification_send(recipients=[personas.kam], event_key="leaver", title="Aviso") == []
    assert Account.objects.get(pk=personas.account.pk).kam == personas.kam


# --- Decision records are never deleted --------------------------------------------------------------

@pytest.fixture
def decision(personas):
    from tests.factories import UserFactory

    sponsor = UserFactory(username="sponsor2")
    account = personas.other_account
    account.sponsor = sponsor
    account.save()
    return TierDecision.objects.create(account=account, from_tier="standard", to_tier="development",
                                       decided_by=personas.lead, reason="Crece con nosotros")


def test_a_tier_decision_cannot_be_deleted_by_the_orm(decision):
    with pytest.raises(ProtectedError):
        decision.account.delete()
    with pytest.raises(ProtectedError):
        decision.delete()
    with pytest.raises(ProtectedError):
        TierDecision.objects.filter(pk=decision.pk).delete()
    assert TierDecision.objects.filter(pk=decision.pk).exists()


@pytest.mark.parametrize("table", ["accounts_tierdecision", "accounts_assessment", "accounts_assessmentscore",
                                   "planning_signoff", "planning_agreedversion"])
def test_kept_records_cannot_be_deleted_in_sql_either(personas, table):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        # Even with no row to delete the statement's rows are checked one by one; make sure there is one.
        c.execute(f'SELECT id FROM "{table}" LIMIT 1')
        row = c.fetchone()
        if row is None:
            _one_row_of(table, personas)
        c.execute(f'DELETE FROM "{table}"')


def _one_row_of(table, personas):
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(account=personas.account)
    assessment = Assessment.objects.create(account=personas.account, assessor=personas.sponsor)
    AssessmentScore.objects.create(assessment=assessment, criterion=CriterionFactory(), score=3)
    TierDecision.objects.create(account=personas.account, from_tier="standard", to_tier="key",
                                decided_by=personas.lead, reason="Estratégica")
    SignOff.objects.create(plan=plan, department=None, signed_by=personas.sponsor)
    AgreedVersion.objects.create(plan=plan, plan_version=1, agreed_by="Marta", channel="meeting")


def test_the_person_who_decided_cannot_be_deleted_from_under_the_decision(decision):
    with pytest.raises(ProtectedError):
        decision.decided_by.delete()


def test_an_assessment_cannot_be_deleted(personas):
    assessment = Assessment.objects.create(account=personas.account, assessor=personas.sponsor)
    AssessmentScore.objects.create(assessment=assessment, criterion=CriterionFactory(), score=3)
    with pytest.raises(ProtectedError):
        assessment.delete()
    with pytest.raises(ProtectedError):
        personas.account.delete()


def test_a_plan_with_sign_offs_or_an_agreement_cannot_be_deleted(personas):
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(account=personas.account)
    SignOff.objects.create(plan=plan, department=None, signed_by=personas.sponsor)
    with pytest.raises(ProtectedError):
        plan.delete()
    other = PlanFactory(account=personas.account, period_kind="quarter")
    AgreedVersion.objects.create(plan=other, plan_version=1, agreed_by="Marta", channel="meeting")
    with pytest.raises(ProtectedError):
        other.delete()


# --- What "remove" means where the app really removes ------------------------------------------------

def test_a_removed_plan_row_stays_in_its_history_with_who_and_when(personas):
    from tests.planning.factories import PlanFactory, TaskFactory

    plan = PlanFactory(account=personas.account)
    task = TaskFactory(plan=plan)
    planning_services.row_delete(actor=personas.kam, row=task)
    assert not KnowledgeTask.objects.filter(pk=task.pk).exists()
    removal = KnowledgeTask.history.filter(id=task.pk).latest("history_date")
    assert removal.history_type == "-" and removal.history_user == personas.kam
    assert removal.description == task.description


def test_a_removed_team_member_stays_in_the_history(personas):
    member = personas.account.team_members.get()
    account_services.team_member_remove(actor=personas.kam, member=member, expected_version=member.version)
    removal = AccountTeamMember.history.filter(id=member.pk).latest("history_date")
    assert removal.history_type == "-" and removal.history_user == personas.kam


def test_a_touchpoint_or_feedback_corrected_in_the_admin_keeps_the_earlier_text(personas):
    from tests.touchpoints.factories import TouchpointFactory

    touchpoint = TouchpointFactory(account=personas.account, summary="Primera versión")
    touchpoint.summary = "Corregida"
    touchpoint.save()
    assert [h.summary for h in touchpoint.history.order_by("history_date")] == ["Primera versión", "Corregida"]
    feedback = ClientFeedback.objects.create(account=personas.account, score=7)
    rating = PartnershipRating.objects.create(account=personas.account, score=6)
    assert feedback.history.count() == 1 and rating.history.count() == 1



def test_a_departments_named_signers_keep_their_history(personas):
    finance = Department.objects.get(code="finance")
    finance.signers.add(personas.teammate)
    assert list(finance.history.first().signers.values_list("user_id", flat=True)) == [personas.teammate.pk]
