"""The programme review's permissions: the programme lead runs the review (targets, proposals,
decisions, closing); the executive sponsors, who sit on the management team the review reports to, read
it. Everyone else is refused."""

import rules

from kam.permissions import is_lead, is_sponsor_role

rules.add_perm("programme.manage_review", is_lead)
rules.add_perm("programme.view_review", is_lead | is_sponsor_role)
