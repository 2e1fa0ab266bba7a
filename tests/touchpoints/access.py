from tests.access import NOT_FOUND, OK, Case, expect, only

VISIBLE = dict(outsider=NOT_FOUND)  # the account is a key account: everyone but the outsider sees it


def build(world):
    from tests.touchpoints.factories import IncidentFactory

    world.incident = IncidentFactory(account=world.account)


CASES = {
    "touchpoints:touchpoint_new": Case(expect(OK)),  # without an account: the account picker
    "touchpoints:account_search": Case(expect(OK), query="?q=Aceros"),
    "touchpoints:timeline": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:feedback_list": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:feedback_new": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    # Our own team's view of the partnership: operations may read the account but do not rate it.
    "touchpoints:partnership_rating_new": Case(expect(OK, operator=403, **VISIBLE),
                                               kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:incident_list": Case(only("kam", "operator", "lead")),
    "touchpoints:incident_new": Case(expect(OK)),  # without an account: the account picker
    "touchpoints:sla_policies": Case(only("lead")),
    "touchpoints:incident_detail": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.incident.pk}),
}
