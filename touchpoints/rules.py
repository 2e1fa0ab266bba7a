# Autodiscovered by rules.apps.AutodiscoverRulesConfig.
import rules

from kam.permissions import is_account_kam, is_account_sponsor, is_lead, is_operations, is_team_member

# The partnership rating is our own team's view of the relationship: the people who work the account,
# not every department that may read it.
can_rate_partnership = is_lead | is_account_kam | is_account_sponsor | is_team_member

rules.add_perm("touchpoints.rate_partnership", can_rate_partnership)

# Giving an incident to someone else (or unassigning it): the lead, operations and the account's KAM.
# Anyone who works the incident and may be assigned it takes it for themselves (touchpoints.services).
can_assign_incident = is_lead | is_operations | is_account_kam

rules.add_perm("touchpoints.assign_incident", can_assign_incident)
