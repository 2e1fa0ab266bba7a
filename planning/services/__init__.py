"""Writes on plans, by concern: plans and their workflow (`plans`), a plan's rows (`rows`), share links
(`sharing`), what the client does through them (`client`), negotiation preparation (`negotiation`),
reminders (`reminders`) and a client contact's personal data (`personal_data`). The public names are
re-exported here: `services.plan_submit(...)`.

The convention, as in the other apps' services: keyword-only arguments; `actor` is the person acting;
the object written is passed as an instance (loaded by an access-scoped selector), which the service
locks again by its key; an edit made from a version passes it as `expected_version`."""

from .client import (
    CLIENT_COMMITMENT_STATUSES,
    CODE_REQUESTS_PER_ADDRESS,
    CODE_REQUESTS_PER_LINK,
    Origin,
    client_accept,
    client_commitment_status,
    client_request_change,
    client_thread_answer,
    client_value_answer,
    share_code_request,
    share_code_verify,
)
from .negotiation import (
    NEGOTIATION_FIELDS,
    NEGOTIATION_ROWS,
    agreement_to_commitment,
    negotiation_create,
    negotiation_row_delete,
    negotiation_row_save,
    negotiation_update,
)
from .personal_data import (
    personal_data_erase,
)
from .plans import (
    COPIED_FIELDS,
    plan_close,
    plan_commit,
    plan_create,
    plan_record_client_agreement,
    plan_return_to_draft,
    plan_set_period,
    plan_sign_off,
    plan_submit,
    plan_update,
)
from .reminders import (
    plan_reminders_send,
)
from .rows import (
    COMMITMENT_FIELDS,
    ROW_MODELS,
    commitment_delete,
    commitment_save,
    commitment_update_status,
    opportunity_save,
    review_save,
    row_delete,
    task_save,
    value_save,
)
from .sharing import (
    SHARE_DEFAULT_DAYS,
    share_link_create,
    share_link_reopen,
    share_link_revoke,
    share_link_send,
    share_view_log,
    share_views_purge,
)

__all__ = [
    "CLIENT_COMMITMENT_STATUSES",
    "CODE_REQUESTS_PER_ADDRESS",
    "CODE_REQUESTS_PER_LINK",
    "Origin",
    "client_accept",
    "client_commitment_status",
    "client_request_change",
    "client_thread_answer",
    "client_value_answer",
    "COMMITMENT_FIELDS",
    "COPIED_FIELDS",
    "NEGOTIATION_FIELDS",
    "NEGOTIATION_ROWS",
    "ROW_MODELS",
    "SHARE_DEFAULT_DAYS",
    "agreement_to_commitment",
    "commitment_delete",
    "commitment_save",
    "commitment_update_status",
    "negotiation_create",
    "negotiation_row_delete",
    "negotiation_row_save",
    "negotiation_update",
    "opportunity_save",
    "personal_data_erase",
    "plan_close",
    "plan_commit",
    "plan_create",
    "plan_record_client_agreement",
    "plan_reminders_send",
    "plan_return_to_draft",
    "plan_set_period",
    "plan_sign_off",
    "plan_submit",
    "plan_update",
    "review_save",
    "row_delete",
    "share_code_request",
    "share_code_verify",
    "share_link_create",
    "share_link_reopen",
    "share_link_revoke",
    "share_link_send",
    "share_view_log",
    "share_views_purge",
    "task_save",
    "value_save",
]
