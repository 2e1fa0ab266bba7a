"""Who reads and who edits an account's framework agreements. The object is the agreement's account.

An agreement is the account's commercial data (prices, discounts, volumes): whoever reads that reads its
agreements, and nobody else (operations serve the account without it). The account's KAM and the
programme lead negotiate and sign it, so they edit; the sponsor follows it and reads.
"""

import rules

from kam.permissions import can_view_commercial, is_account_kam, is_lead

rules.add_perm("agreements.view_agreement", can_view_commercial)
rules.add_perm("agreements.change_agreement", is_lead | is_account_kam)
