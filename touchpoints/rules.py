# Autodiscovered by rules.apps.AutodiscoverRulesConfig.
import rules

from kam.permissions import is_account_kam, is_account_sponsor, is_lead, is_team_member

# The partnership rating is our own team's view of the relationship: the people who work the account,
# not every department that may read it.
can_rate_partnership = is_lead | is_account_kam | is_account_sponsor | is_team_member

rules.add_perm("touchpoints.rate_partnership", can_rate_partnership)

# Who asks the client to rate us: the account's KAM (and the programme lead), who owns the relationship
# and answers for what the client then says.
rules.add_perm("touchpoints.send_survey", is_lead | is_account_kam)
