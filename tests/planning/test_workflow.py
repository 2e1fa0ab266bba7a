"""The plan's workflow and who may take each step, enforced in services: our side commits before the
client agrees, nobody approves their own work, and an approval covers only what was approved."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import Activity, ActivityKind
from kam.errors import Forbidden, Invalid
from kam.models import Notification
from planning import selectors, services
from planning.models import AccountPlan, AgreedVersion, Commitment, PlanStatus, SignOff
from tests.conftest import client_for
from tests.factories import ContactFactory, TeamMemberFactory, UserFactory, department
from tests.planning.client import verified_client
from tests.planning.factories import CommitmentFactory, OpportunityFactory, PlanFactory, TaskFactory, share_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(personas):
    plan = PlanFactory(account=personas.account)
    CommitmentFactory(plan=plan, department=department("finance"), owner=personas.teammate)
    return plan


@pytest.fixture
def ops(personas):
    """A person of operations on the account's team (signs operations' commitments)."""
    user = UserFactory(username="ops_member", first_name="Irene", last_name="Vidal")
    TeamMemberFactory(account=personas.account, user=user, department=department("operations"))
    return user


def _submitted(plan, personas):
    return services.plan_submit(actor=personas.kam, plan=plan)


def _committed(plan, personas):
    _submitted(plan, personas)
    services.plan_sign_off(actor=personas.sponsor, plan=plan)
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    return services.plan_commit(actor=personas.kam, plan=plan)


def _agreed(plan, personas):
    _committed(plan, personas)
    return services.plan_record_client_agreement(actor=personas.kam, plan=plan, agreed_by="Sr. Pérez")


def _status(plan):
    return AccountPlan.objects.get(pk=plan.pk).status


def _active_signoffs(plan):
    return set(SignOff.objects.filter(plan=plan, cleared_at__isnull=True).values_list("department__code", flat=True))


def _commitment_data(**overrides):
    data = {"party": "us", "department": department("operations"), "owner": None, "contact": None,
            "description": "Stock de seguridad en su almacén", "status": "open",
            "due_date": datetime.date.today() + datetime.timedelta(days=40)}
    data.update(overrides)
    return data


# --- submitting ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["teammate", "sponsor", "operator", "outsider", "other_kam"])
def test_only_plan_editors_may_submit(personas, plan, who):
    with pytest.raises(Forbidden):
        services.plan_submit(actor=getattr(personas, who), plan=plan)
    assert _status(plan) == PlanStatus.DRAFT


@pytest.mark.parametrize("who", ["kam", "lead"])
def test_kam_and_lead_submit_and_signers_are_notified(personas, plan, who):
    services.plan_submit(actor=getattr(personas, who), plan=plan)
    assert _status(plan) == PlanStatus.IN_REVIEW
    notified = set(Notification.objects.filter(event_key__startswith=f"plan:{plan.pk}:signoff")
                   .values_list("recipient__username", flat=True))
    assert {"sponsor", "teammate"} <= notified
    assert Activity.objects.filter(account=plan.account, kind=ActivityKind.PLAN_EVENT, subkind="submitted",
                                   commercial=True).exists()


def test_submit_needs_one_of_our_commitments(personas):
    plan = PlanFactory(account=personas.account)
    with pytest.raises(Invalid, match="commitment"):
        services.plan_submit(actor=personas.kam, plan=plan)


def test_submit_refused_when_a_department_has_nobody_to_sign(personas, plan):
    CommitmentFactory(plan=plan, department=department("operations"))
    with pytest.raises(Invalid, match="Operations"):
        services.plan_submit(actor=personas.kam, plan=plan)
    assert _status(plan) == PlanStatus.DRAFT


def test_a_named_signer_of_the_department_counts_as_someone_to_sign(personas, plan):
    CommitmentFactory(plan=plan, department=department("operations"))
    head = UserFactory(username="head_ops")
    department("operations").signers.add(head)
    services.plan_submit(actor=personas.kam, plan=plan)
    assert Notification.objects.filter(recipient=head, event_key__startswith=f"plan:{plan.pk}:signoff").exists()


# --- four eyes -------------------------------------------------------------------------------------

def test_commit_refused_until_sponsor_and_each_department_signed(personas, plan, ops):
    CommitmentFactory(plan=plan, department=department("operations"))
    _submitted(plan, personas)
    with pytest.raises(Invalid, match="Executive sponsor"):
        services.plan_commit(actor=personas.kam, plan=plan)
    services.plan_sign_off(actor=personas.sponsor, plan=plan)
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    with pytest.raises(Invalid, match="Operations"):
        services.plan_commit(actor=personas.kam, plan=plan)
    services.plan_sign_off(actor=ops, plan=plan, department=department("operations"))
    services.plan_commit(actor=personas.kam, plan=plan)
    assert _status(plan) == PlanStatus.COMMITTED


@pytest.mark.parametrize("who", ["kam", "teammate", "operator", "outsider", "other_kam", "lead"])
def test_only_the_accounts_sponsor_gives_the_sponsor_signoff(personas, plan, who):
    _submitted(plan, personas)
    with pytest.raises(Forbidden):
        services.plan_sign_off(actor=getattr(personas, who), plan=plan)
    assert not SignOff.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("who", ["kam", "lead", "sponsor", "operator", "outsider"])
def test_a_department_signoff_never_comes_from_outside_it_or_from_the_plans_editors(personas, plan, who):
    _submitted(plan, personas)
    with pytest.raises(Forbidden):
        services.plan_sign_off(actor=getattr(personas, who), plan=plan, department=department("finance"))
    assert not SignOff.objects.filter(plan=plan).exists()


def test_the_kam_cannot_sign_a_department_by_owning_its_commitment(personas, plan):
    """The reproduced bypass: the KAM made herself owner of operations' commitment and signed it."""
    CommitmentFactory(plan=plan, department=department("operations"), owner=personas.kam)
    department("operations").signers.add(personas.operator)
    _submitted(plan, personas)
    with pytest.raises(Forbidden):
        services.plan_sign_off(actor=personas.kam, plan=plan, department=department("operations"))
    # Nor is the KAM a signer when also on the team in that department.
    TeamMemberFactory(account=plan.account, user=UserFactory(username="x"), department=department("sales"))
    assert not selectors.can_sign_for(personas.kam, plan, department("operations"))


def test_a_kam_on_the_team_edits_the_plan_so_never_signs_it(personas, plan):
    other_kam = personas.other_kam
    TeamMemberFactory(account=plan.account, user=other_kam, department=department("finance"))
    _submitted(plan, personas)
    with pytest.raises(Forbidden):
        services.plan_sign_off(actor=other_kam, plan=plan, department=department("finance"))


def test_department_signoff_once(personas, plan):
    _submitted(plan, personas)
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    with pytest.raises(Invalid, match="already"):
        services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))


def test_signoff_only_in_review(personas, plan):
    with pytest.raises(Invalid, match="review"):
        services.plan_sign_off(actor=personas.sponsor, plan=plan)


# --- the Compromiso gate ------------------------------------------------------------------------------

def test_the_client_cannot_agree_before_our_side_committed(personas, plan):
    with pytest.raises(Invalid, match="committed"):
        services.plan_record_client_agreement(actor=personas.kam, plan=plan, agreed_by="Sr. Pérez")
    _submitted(plan, personas)
    with pytest.raises(Invalid):
        services.plan_record_client_agreement(actor=personas.kam, plan=plan, agreed_by="Sr. Pérez")
    assert _status(plan) == PlanStatus.IN_REVIEW


@pytest.mark.parametrize("path", ["row", "negotiation"])
def test_a_new_commitment_of_ours_on_a_committed_plan_reopens_the_gate(personas, plan, ops, path):
    """The reproduced bypass: a commitment added after committing left its sign-off pending and the
    KAM could still record the client's agreement."""
    _committed(plan, personas)
    if path == "row":
        services.commitment_save(actor=personas.kam, plan=plan, data=_commitment_data())
    else:
        from tests.planning.factories import AgreementFactory, NegotiationFactory

        neg = NegotiationFactory(account=plan.account, plan=plan, created_by=personas.kam)
        agreement = AgreementFactory(negotiation=neg)
        services.agreement_to_commitment(actor=personas.kam, agreement=agreement,
                                         department=department("operations"))
    assert _status(plan) == PlanStatus.IN_REVIEW
    assert Notification.objects.filter(recipient=ops, event_key__startswith=f"plan:{plan.pk}:signoff").exists()
    with pytest.raises(Invalid):
        services.plan_record_client_agreement(actor=personas.kam, plan=plan, agreed_by="Sr. Pérez")
    services.plan_sign_off(actor=ops, plan=plan, department=department("operations"))
    services.plan_commit(actor=personas.kam, plan=plan)
    services.plan_record_client_agreement(actor=personas.kam, plan=plan, agreed_by="Sr. Pérez")
    assert _status(plan) == PlanStatus.AGREED


def test_a_material_change_after_signoff_clears_that_departments_signoff_only(personas, plan):
    _committed(plan, personas)
    c = plan.commitments.get()
    services.commitment_save(actor=personas.kam, plan=plan, row=c, expected_version=c.version,
                             data=_commitment_data(department=department("finance"), description="Otro informe"))
    assert _status(plan) == PlanStatus.IN_REVIEW
    assert _active_signoffs(plan) == {None}  # the sponsor's stands; finance's must be given again
    cleared = SignOff.objects.get(plan=plan, department__code="finance")
    assert cleared.cleared_at is not None and "Otro informe" in cleared.cleared_reason
    assert Notification.objects.filter(recipient=personas.teammate, title__startswith="Sign-off needed again").exists()


def test_progress_is_not_content(personas, plan):
    _agreed(plan, personas)
    c = plan.commitments.get()
    services.commitment_update_status(actor=personas.teammate, commitment=c, status="at_risk",
                                      expected_version=c.version)
    c.refresh_from_db()
    # Same terms, another owner and status: neither sign-offs nor the agreement are touched.
    services.commitment_save(actor=personas.kam, plan=plan, row=c, expected_version=c.version,
                             data=_commitment_data(department=c.department, description=c.description,
                                                   due_date=c.due_date, owner=personas.lead, status="done"))
    assert _status(plan) == PlanStatus.AGREED
    assert _active_signoffs(plan) == {None, "finance"}


def test_editing_an_agreed_plans_commitment_asks_for_signoff_and_agreement_again(personas, plan):
    _agreed(plan, personas)
    c = plan.commitments.get()
    services.commitment_save(actor=personas.kam, plan=plan, row=c, expected_version=c.version,
                             data=_commitment_data(department=department("finance"),
                                                   description="Informe mensual de costes"))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW and plan.needs_reagreement
    assert Activity.objects.filter(account=plan.account, subkind="reagreement").exists()
    assert Notification.objects.filter(recipient=personas.sponsor, event_key__contains=":reagree:").exists()
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    services.plan_commit(actor=personas.kam, plan=plan)
    services.plan_record_client_agreement(actor=personas.kam, plan=plan, agreed_by="Sr. Pérez")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED and not plan.needs_reagreement
    assert AgreedVersion.objects.filter(plan=plan).count() == 2


def test_a_client_commitment_changed_after_agreement_needs_only_the_clients_agreement(personas, plan):
    contact = ContactFactory(account=plan.account)
    CommitmentFactory(plan=plan, party="client", department=None, contact=contact)
    _agreed(plan, personas)
    c = plan.commitments.get(party="client")
    services.commitment_save(actor=personas.kam, plan=plan, row=c, expected_version=c.version,
                             data=_commitment_data(party="client", contact=contact, department=None,
                                                   description="Datos de consumo cada semana"))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMMITTED and plan.needs_reagreement
    assert _active_signoffs(plan) == {None, "finance"}


def test_removing_a_commitment_after_agreement_asks_for_agreement_again(personas, plan):
    extra = CommitmentFactory(plan=plan, department=department("finance"))
    _agreed(plan, personas)
    services.commitment_delete(actor=personas.kam, commitment=extra)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMMITTED and plan.needs_reagreement
    changes = selectors.agreement_changes(plan)
    assert [c["description"] for c in changes["removed"]] == [extra.description]


def test_text_edits_after_the_sponsors_signoff_need_it_again(personas, plan):
    _committed(plan, personas)
    services.plan_update(actor=personas.kam, plan=plan, expected_version=AccountPlan.objects.get(pk=plan.pk).version,
                         data={"next_review_date": datetime.date.today() + datetime.timedelta(days=5)})
    assert _status(plan) == PlanStatus.COMMITTED  # housekeeping, not content
    services.plan_update(actor=personas.kam, plan=plan, expected_version=AccountPlan.objects.get(pk=plan.pk).version,
                         data={"vision_statement": "Otra visión"})
    assert _status(plan) == PlanStatus.IN_REVIEW
    assert _active_signoffs(plan) == {"finance"}
    assert Notification.objects.filter(recipient=personas.sponsor, title__startswith="Sign-off needed again").exists()


def test_an_agreed_plans_text_rewritten_is_no_longer_agreed_and_the_agreed_version_is_kept(personas, plan):
    _agreed(plan, personas)
    services.plan_update(actor=personas.kam, plan=plan, expected_version=AccountPlan.objects.get(pk=plan.pk).version,
                         data={"summary": "Un resumen distinto"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW and plan.needs_reagreement
    agreed = AgreedVersion.objects.get(plan=plan)
    assert agreed.content["text"]["summary"] == "Crecer en mantenimiento predictivo"
    assert selectors.agreement_changes(plan)["text"] == ["summary"]


def test_the_share_link_shows_the_changes_since_the_client_agreed(personas, plan):
    _agreed(plan, personas)
    link, token = share_link(personas.kam, plan)
    services.plan_update(actor=personas.kam, plan=plan, expected_version=AccountPlan.objects.get(pk=plan.pk).version,
                         data={"summary": "Texto nuevo"})
    services.commitment_save(actor=personas.kam, plan=plan,
                             data=_commitment_data(department=department("finance"), description="Nuevo compromiso"))
    page = verified_client(link, token).get(reverse("planning:share", args=[token])).content.decode()
    assert 'data-testid="changed-since-agreement"' in page
    assert 'data-testid="changed-summary"' in page and "Crecer en mantenimiento predictivo" in page
    assert 'data-testid="new-since-agreement"' in page
    assert "earlier version" in page


def test_return_to_draft_clears_signoffs_but_keeps_their_record(personas, plan):
    _submitted(plan, personas)
    services.plan_sign_off(actor=personas.sponsor, plan=plan)
    services.plan_return_to_draft(actor=personas.kam, plan=plan)
    assert _active_signoffs(plan) == set()
    assert SignOff.objects.get(plan=plan).cleared_reason == "returned to draft"
    with pytest.raises(Invalid):
        services.plan_close(actor=personas.kam, plan=plan)
    _committed(plan, personas)
    with pytest.raises(Forbidden):
        services.plan_close(actor=personas.sponsor, plan=plan)
    services.plan_close(actor=personas.kam, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(Invalid, match="closed"):
        services.plan_update(actor=personas.kam, plan=plan, expected_version=plan.version, data={"summary": "x"})


# --- who may act, and see what they are asked about ---------------------------------------------------

def test_sponsor_may_not_edit_the_plan(personas, plan):
    with pytest.raises(Forbidden):
        services.plan_update(actor=personas.sponsor, plan=plan, expected_version=plan.version,
                             data={"summary": "cambio"})
    with pytest.raises(Forbidden):
        services.opportunity_save(actor=personas.sponsor, plan=plan,
                                  data={"client_benefit": "x", "our_solution": "y", "value": 1})


def test_teammate_updates_own_commitment_status_but_not_text(personas, plan):
    c = plan.commitments.get()
    services.commitment_update_status(actor=personas.teammate, commitment=c, status="done",
                                      expected_version=c.version)
    c.refresh_from_db()
    assert c.status == "done" and c.delivered_on == datetime.date.today()
    with pytest.raises(Forbidden):
        services.commitment_save(actor=personas.teammate, plan=plan, row=c, expected_version=c.version,
                                 data=_commitment_data(department=department("finance"), description="otro"))
    with pytest.raises(Forbidden):
        services.plan_update(actor=personas.teammate, plan=plan, expected_version=plan.version,
                             data={"vision_statement": "x"})


def test_other_people_may_not_update_a_commitment_status(personas, plan):
    c = plan.commitments.get()
    for who in ("sponsor", "operator", "outsider"):
        with pytest.raises(Forbidden):
            services.commitment_update_status(actor=getattr(personas, who), commitment=c,
                                              status="missed", expected_version=c.version)
    assert plan.commitments.get().status == "open"


def test_a_commitment_owner_outside_the_team_can_open_the_plan_and_report_but_sees_no_values(personas, plan):
    """The reproduced dead end: asked to act, then a 404 on the plan."""
    owner = UserFactory(username="owner_outside")
    c = CommitmentFactory(plan=plan, department=department("finance"), owner=owner)
    OpportunityFactory(plan=plan, value=987654)
    page = client_for(owner).get(reverse("planning:plan_detail", args=[plan.pk]))
    assert page.status_code == 200
    assert "987654" not in page.content.decode() and "987.654" not in page.content.decode()
    response = client_for(owner).post(reverse("planning:commitment_status", args=[c.pk]),
                                      {"status": "at_risk", "version": c.version})
    assert response.status_code == 302
    assert Commitment.objects.get(pk=c.pk).status == "at_risk"
    # Nothing more: the negotiations, the print of someone else's plan, edits.
    assert client_for(owner).get(reverse("planning:plan_section", args=[plan.pk, "summary"])).status_code == 403


def test_a_named_signer_outside_the_team_can_open_and_sign(personas, plan):
    head = UserFactory(username="head_finance")
    department("finance").signers.add(head)
    _submitted(plan, personas)
    assert client_for(head).get(reverse("planning:plan_detail", args=[plan.pk])).status_code == 200
    response = client_for(head).post(reverse("planning:plan_signoff", args=[plan.pk]),
                                     {"department": department("finance").pk})
    assert response.status_code == 302
    assert _active_signoffs(plan) == {"finance"}


def test_a_refused_signoff_post_is_a_403_and_writes_nothing(personas, plan):
    _submitted(plan, personas)
    response = client_for(personas.kam).post(reverse("planning:plan_signoff", args=[plan.pk]),
                                             {"department": department("finance").pk})
    assert response.status_code == 403
    assert not SignOff.objects.filter(plan=plan).exists()


def test_client_agreement_records_who_and_what(personas, plan):
    _committed(plan, personas)
    contact = ContactFactory(account=plan.account, name="Luis Pérez")
    services.plan_record_client_agreement(actor=personas.kam, plan=plan, contact=contact,
                                          channel="meeting")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    assert plan.client_agreed_by == "Luis Pérez" and plan.client_agreed_at is not None
    assert plan.pct_compromiso == 75  # ours, signed off, agreed; no client commitment yet
    agreed = AgreedVersion.objects.get(plan=plan)
    assert [c["description"] for c in agreed.content["commitments"]] == [plan.commitments.get().description]


def test_agreement_notifies_the_kam(personas, plan):
    _committed(plan, personas)
    mail.outbox.clear()
    services.plan_record_client_agreement(actor=personas.lead, plan=plan, agreed_by="Dña. Ruiz")
    assert Notification.objects.filter(recipient=personas.kam, event_key__contains=":agreed:").exists()


# --- periods ---------------------------------------------------------------------------------------

def test_completeness_follows_what_is_filled(personas):
    plan = PlanFactory(account=personas.account)
    assert (plan.pct_conocimiento, plan.pct_vision) == (0, 0)
    plan = services.plan_update(actor=personas.kam, plan=plan, expected_version=plan.version, data={
        "industry_variables": "Precio del acero", "operations_state": "3 plantas", "vision_statement": "Socio"})
    assert (plan.pct_conocimiento, plan.pct_vision) == (33, 50)
    services.task_save(actor=personas.kam, plan=plan, data={"description": "Curso de inducción"})
    services.opportunity_save(actor=personas.kam, plan=plan, data={
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
    kind, start = selectors.next_period_start(personas.account)
    assert (kind, start) == ("year", datetime.date(2026, 1, 1))
    plan = services.plan_create(actor=personas.kam, account=personas.account, period_kind=kind,
                                period_start=start, copy_last=True)
    assert plan.period_end == datetime.date(2026, 12, 31)
    assert plan.vision_statement == "Ser su socio energético"
    assert list(plan.tasks.values_list("description", flat=True)) == ["Visitar planta"]
    assert list(plan.opportunities.values_list("client_benefit", flat=True)) == ["Abierta"]
    with pytest.raises(Invalid, match="already"):
        services.plan_create(actor=personas.kam, account=personas.account, period_kind=kind, period_start=start)
    with pytest.raises(Forbidden):
        services.plan_create(actor=personas.sponsor, account=personas.account, period_kind="quarter",
                             period_start=datetime.date(2027, 1, 1))


@pytest.mark.parametrize("today, expected", [
    (datetime.date(2026, 11, 30), datetime.date(2027, 1, 1)),
    (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1)),
    (datetime.date(2026, 3, 10), datetime.date(2026, 1, 1)),
])
def test_a_first_plan_late_in_the_year_is_suggested_for_the_next(personas, today, expected):
    assert selectors.next_period_start(personas.account, today=today) == ("year", expected)


@freeze_time("2026-11-30")
def test_a_new_plan_is_never_born_due_for_review(personas):
    plan = services.plan_create(actor=personas.kam, account=personas.account, period_kind="year",
                                period_start=datetime.date(2026, 1, 1))
    assert plan.next_review_date > datetime.date(2026, 11, 30)
    assert not selectors.plan_flags(plan)["review_due"]


def test_a_draft_plans_period_can_be_corrected_then_not(personas, plan):
    plan = services.plan_set_period(actor=personas.kam, plan=plan, expected_version=plan.version,
                                    period_kind="half", period_start=datetime.date(2027, 1, 1))
    assert (plan.period_kind, plan.period_start, plan.period_end) == (
        "half", datetime.date(2027, 1, 1), datetime.date(2027, 6, 30))
    _submitted(plan, personas)
    with pytest.raises(Invalid, match="draft"):
        services.plan_set_period(actor=personas.kam, plan=plan, expected_version=_version(plan),
                                 period_kind="year", period_start=datetime.date(2027, 1, 1))


def test_a_period_correction_cannot_clash_with_another_plan(personas, plan):
    PlanFactory(account=personas.account, period_start=datetime.date(2030, 1, 1),
                period_end=datetime.date(2030, 12, 31))
    with pytest.raises(Invalid, match="already"):
        services.plan_set_period(actor=personas.kam, plan=plan, expected_version=plan.version,
                                 period_kind="year", period_start=datetime.date(2030, 1, 1))


def _version(plan):
    return AccountPlan.objects.get(pk=plan.pk).version


def test_period_end():
    assert selectors.period_end("quarter", datetime.date(2026, 11, 1)) == datetime.date(2027, 1, 31)
    assert selectors.period_end("half", datetime.date(2026, 7, 1)) == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("who", ["teammate", "sponsor", "operator", "outsider", "other_kam"])
@pytest.mark.parametrize("kind, factory", [("task", TaskFactory), ("opportunity", OpportunityFactory)])
def test_only_plan_editors_remove_a_plans_rows(personas, plan, who, kind, factory):
    row = factory(plan=plan)
    with pytest.raises(Forbidden):
        services.row_delete(actor=getattr(personas, who), row=row)
    assert type(row).objects.filter(pk=row.pk).exists()
    services.row_delete(actor=personas.kam, row=row)
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_a_knowledge_task_owner_outside_the_team_can_open_the_plan_while_the_task_is_open(personas, plan):
    """My work lists the task with a link to its plan: the link must not be a 404."""
    owner = UserFactory(username="analyst_outside")
    url = reverse("planning:plan_detail", args=[plan.pk])
    assert client_for(owner).get(url).status_code == 404
    task = TaskFactory(plan=plan, owner=owner)
    assert client_for(owner).get(url).status_code == 200
    task.done = True
    task.save()
    assert client_for(owner).get(url).status_code == 404
