# Autodiscovered by rules.apps.AutodiscoverRulesConfig.
import rules

from kam.permissions import is_account_kam, is_account_sponsor, is_lead, is_operations, is_team_member

# The partnership rating is our own team's view of the relationship: the people who work the account,
# not every department that may read it.
can_rate_partnership = is_lead | is_account_kam | is_account_sponsor | is_team_member

rules.add_perm("touchpoints.rate_partnership", can_rate_partnership)

# Who asks the client to rate us: the account's KAM (and the programme lead), who owns the relationship
# and answers for what the client then says.
rules.add_perm("touchpoints.send_survey", is_lead | is_account_kam)

@rules.predicate
def owns_follow_up(user, touchpoint):
    return touchpoint is not None and user.pk is not None and user.pk in (touchpoint.follow_up_owner_id,
                                                                         touchpoint.created_by_id)


@rules.predicate
def is_touchpoint_account_kam(user, touchpoint):
    return touchpoint is not None and touchpoint.account.kam_id == user.pk


# A follow-up is closed by whoever owns it or logged it, by the account's KAM (who answers for the
# relationship) and by the programme lead; the others who read the account see it, but do not close it.
rules.add_perm("touchpoints.close_follow_up", is_lead | owns_follow_up | is_touchpoint_account_kam)


# Giving an incident to someone else (or unassigning it): the lead, operations and the account's KAM.
# Anyone who works the incident and may be assigned it takes it for themselves (touchpoints.services).
can_assign_incident = is_lead | is_operations | is_account_kam

rules.add_perm("touchpoints.assign_incident", can_assign_incident)
