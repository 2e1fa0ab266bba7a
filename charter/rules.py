# Autodiscovered by rules.apps.AutodiscoverRulesConfig.
"""Who writes and who reads the key-account service charter.

The programme lead writes the charter (what each department promises key accounts). Its compliance
(promised against delivered, key accounts against the rest) is read by the lead and the executive
sponsors over the whole programme, and by a KAM over their own accounts. Operations read the charter's
text for their department, to know what they promised, but not the compliance figures.
"""

import rules

from kam.permissions import can_view_account, is_account_kam, is_kam_role, is_lead, is_sponsor_role

can_view_charter_compliance = is_lead | is_sponsor_role | is_kam_role
# One account's compliance: the lead, a sponsor who may read the account, the account's own KAM.
can_view_account_compliance = is_lead | (is_sponsor_role & can_view_account) | (is_kam_role & is_account_kam)

rules.add_perm("charter.edit_charter", is_lead)
rules.add_perm("charter.view_compliance", can_view_charter_compliance)
rules.add_perm("charter.view_account_compliance", can_view_account_compliance)
