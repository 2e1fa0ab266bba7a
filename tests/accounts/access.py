from tests.access import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Case, expect, may_post, only

# Who may change an account: the lead, its KAM, or a KAM on its team (kam.permissions). Others who can
# see it get 403; the outsider cannot see it at all (404).
EDITORS = expect(FORBIDDEN, kam=OK, lead=OK, outsider=NOT_FOUND)
VIEWERS = expect(OK, outsider=NOT_FOUND)


def build(world):
    from accounts.models import SelectionCriterion
    from tests.factories import ContactFactory

    world.contact = ContactFactory(account=world.account, name="Marta Ibáñez")
    world.criterion = SelectionCriterion.objects.order_by("pk").first()
    world.member = world.account.team_members.first()


def _account(w):
    return {"pk": w.account.pk}


CASES = {
    "accounts:list": Case(expect(OK)),
    "accounts:export": Case(expect(OK)),
    "accounts:create": Case(only("kam", "lead")),
    "accounts:selection": Case(only("lead")),
    "accounts:criterion_new": Case(only("lead")),
    "accounts:criterion_edit": Case(only("lead"), kwargs=lambda w: {"criterion_pk": w.criterion.pk}),
    "accounts:portfolio": Case(only("kam", "sponsor", "lead")),
    "accounts:pareto": Case(only("kam", "sponsor", "lead")),
    "accounts:detail": Case(VIEWERS, kwargs=_account),
    "accounts:panel": Case(VIEWERS, kwargs=lambda w: {"pk": w.account.pk, "app": "planning"}),
    "accounts:edit": Case(EDITORS, kwargs=_account),
    "accounts:archive": Case(expect(NOT_ALLOWED), kwargs=_account),  # POST only
    "accounts:unarchive": Case(expect(NOT_ALLOWED), kwargs=_account),
    "accounts:stage": Case(EDITORS, kwargs=_account),
    # Team management: the account's KAM and the lead.
    "accounts:team": Case(expect(FORBIDDEN, kam=OK, lead=OK, outsider=NOT_FOUND), kwargs=_account),
    "accounts:team_member_edit": Case(expect(FORBIDDEN, kam=OK, lead=OK, outsider=NOT_FOUND),
                                      kwargs=lambda w: {"pk": w.account.pk, "member_pk": w.member.pk}),
    "accounts:team_remove": Case(expect(NOT_ALLOWED), kwargs=lambda w: {"pk": w.account.pk, "member_pk": w.member.pk}),
    "accounts:contacts": Case(VIEWERS, kwargs=_account),
    "accounts:contact_new": Case(EDITORS, kwargs=_account),
    "accounts:contact_edit": Case(EDITORS, kwargs=lambda w: {"contact_pk": w.contact.pk}),
    "accounts:contact_gone": Case(EDITORS, kwargs=lambda w: {"contact_pk": w.contact.pk}),
    # A contact's personal data: exported and erased by the programme lead only.
    "accounts:contact_personal_data": Case(only("lead"), kwargs=lambda w: {"contact_pk": w.contact.pk}),
    "accounts:contact_personal_data_json": Case(only("lead"), kwargs=lambda w: {"contact_pk": w.contact.pk}),
    "accounts:contact_erase": Case(only("lead"), kwargs=lambda w: {"contact_pk": w.contact.pk},
                                   post=lambda w: {"reason": "Pidió la supresión", "confirm": "on"},
                                   post_expected=may_post("lead")),
    # Figures are commercial: operations and non-commercial team members see the account, not these.
    "accounts:financials": Case(expect(OK, operator=FORBIDDEN, outsider=NOT_FOUND), kwargs=_account),
    # Assessments: the lead and sponsors (who can see the account).
    "accounts:assess": Case(only("sponsor", "lead"), kwargs=_account),
    "accounts:tier": Case(only("lead"), kwargs=_account),
    "accounts:imports": Case(only("lead")),
}
