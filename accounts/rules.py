"""Accounts' own permissions, composed from the shared predicates in kam.permissions. Views ask them to
decide what to show; the services ask them again before writing, so a rule holds whoever calls.

Assessments: the programme lead and the executive sponsors may score accounts (sponsors only those
they can see). Sponsors sit on the management team that sets the criteria, and several assessors are
what makes the spread between opinions visible; KAMs do not score, so nobody marks their own homework.
Team management belongs to the account's KAM and the lead; tier decisions, the choice of each account's
KAM and sponsor, the selection criteria and the imports to the lead alone. Financial figures come from
finance: the lead (and the imports the lead runs) or Finance people on the account's team.
"""

import rules

from kam.permissions import (
    can_change_financials,
    can_view_account,
    is_account_kam,
    is_kam_role,
    is_lead,
    is_sponsor_role,
)

rules.add_perm("accounts.add_account", is_lead | is_kam_role)
rules.add_perm("accounts.assign_people", is_lead)
rules.add_perm("accounts.manage_team", is_lead | is_account_kam)
rules.add_perm("accounts.assess_account", is_lead | (is_sponsor_role & can_view_account))
rules.add_perm("accounts.decide_tier", is_lead)
rules.add_perm("accounts.change_financials", can_change_financials)
rules.add_perm("accounts.import_data", is_lead)
# Exporting and erasing a client contact's personal data: the programme lead, who answers for it.
rules.add_perm("accounts.handle_personal_data", is_lead)
