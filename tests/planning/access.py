from planning import services
from tests.access import NOT_ALLOWED, NOT_FOUND, OK, Case, expect, only
from tests.planning.factories import AgreementFactory, CommitmentFactory, NegotiationFactory, PlanFactory

READERS = ("kam", "teammate", "sponsor", "lead")


def readers(status=OK):
    # Operations and outsiders must not learn a plan exists: 404, not 403.
    return only(*READERS, status=status, denied=NOT_FOUND)


def editors():
    # Readers who may not edit get 403; people who may not read get 404.
    return expect(NOT_FOUND, kam=OK, lead=OK, teammate=403, sponsor=403)


def build(world):
    world.plan = PlanFactory(account=world.account)
    world.commitment = CommitmentFactory(plan=world.plan)
    world.negotiation = NegotiationFactory(account=world.account, created_by=world.kam)
    world.agreement = AgreementFactory(negotiation=world.negotiation)
    link, token = services.share_link_create(user=world.kam, plan_id=world.plan.pk, hidden_sections=[])
    world.share_link, world.share_token = link, token


def plan(w):
    return {"pk": w.plan.pk}


POST_ONLY = expect(NOT_ALLOWED)

CASES = {
    "planning:plan_list": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:plan_create": Case(editors(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:negotiation_list": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:plan_detail": Case(readers(), kwargs=plan),
    "planning:plan_section": Case(editors(), kwargs=lambda w: {"pk": w.plan.pk, "section": "summary"}),
    "planning:plan_transition": Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk, "action": "submit"}),
    "planning:plan_signoff": Case(POST_ONLY, kwargs=plan),
    "planning:plan_agreement": Case(POST_ONLY, kwargs=plan),
    "planning:plan_period": Case(POST_ONLY, kwargs=plan),
    "planning:row_add": Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk, "kind": "task"}),
    "planning:row_edit": Case(editors(), kwargs=lambda w: {"pk": w.plan.pk, "kind": "commitment",
                                                          "row": w.commitment.pk}),
    "planning:row_delete": Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk, "kind": "commitment",
                                                             "row": w.commitment.pk}),
    "planning:plan_history": Case(readers(), kwargs=plan),
    "planning:plan_print": Case(readers(), kwargs=plan),
    "planning:plan_sharing": Case(editors(), kwargs=plan),
    "planning:commitment_status": Case(POST_ONLY, kwargs=lambda w: {"pk": w.commitment.pk}),
    "planning:share_revoke": Case(POST_ONLY, kwargs=lambda w: {"pk": w.share_link.pk}),
    # The client has no account: the link itself is the credential.
    "planning:share": Case(expect(OK, anonymous=OK), kwargs=lambda w: {"token": w.share_token}),
    "planning:negotiation_detail": Case(readers(), kwargs=lambda w: {"pk": w.negotiation.pk}),
    "planning:negotiation_row": Case(POST_ONLY, kwargs=lambda w: {"pk": w.negotiation.pk, "kind": "objective"}),
    "planning:negotiation_row_edit": Case(editors(), kwargs=lambda w: {"pk": w.negotiation.pk, "kind": "agreement",
                                                                       "row": w.agreement.pk}),
    "planning:negotiation_row_delete": Case(POST_ONLY, kwargs=lambda w: {"pk": w.negotiation.pk,
                                                                         "kind": "objective", "row": 1}),
    "planning:agreement_commitment": Case(POST_ONLY, kwargs=lambda w: {"pk": w.agreement.pk}),
}
