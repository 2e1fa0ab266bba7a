"""Plan pages, by concern: plans and their workflow (`plans`), a plan's rows (`rows`), share links
(`sharing`) and negotiation preparation (`negotiation`). Views stay thin: they check who may read (the
getters 404), call a service, and show an `Invalid` or `Conflict` next to what the user was doing,
keeping their input. A `Forbidden` is left to the domain-error middleware (403)."""

from .client import SHARE_LIMIT, client_page, session_cookie_name, share
from .client_pdf import share_link_pdf, share_pdf
from .exports import plans_export
from .negotiation import (
    agreement_commitment,
    negotiation_detail,
    negotiation_list,
    negotiation_row,
    negotiation_row_delete,
    negotiation_row_edit,
)
from .plans import (
    plan_agreement,
    plan_create,
    plan_detail,
    plan_history,
    plan_list,
    plan_period,
    plan_print,
    plan_section,
    plan_signoff,
    plan_transition,
)
from .rows import commitment_status, row_add, row_delete, row_edit
from .sharing import plan_sharing, share_reopen, share_revoke, share_send, thread_answer

__all__ = [
    "SHARE_LIMIT",
    "client_page",
    "session_cookie_name",
    "agreement_commitment",
    "commitment_status",
    "negotiation_detail",
    "negotiation_list",
    "negotiation_row",
    "negotiation_row_delete",
    "negotiation_row_edit",
    "plan_agreement",
    "share_link_pdf",
    "share_pdf",
    "plan_create",
    "plan_detail",
    "plan_history",
    "plan_list",
    "plan_period",
    "plan_print",
    "plan_section",
    "plan_sharing",
    "plan_signoff",
    "plan_transition",
    "plans_export",
    "row_add",
    "row_delete",
    "row_edit",
    "share",
    "share_reopen",
    "share_revoke",
    "share_send",
    "thread_answer",
]
