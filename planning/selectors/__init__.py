"""Reads on plans, access-scoped, with their joins applied, by concern: plans and their lists
(`plans`), approvals and the client's agreement (`approvals`), periods (`periods`), the editor's page
(`editor`), the plan as a document for the client and for print (`document`) and a client contact's
personal data (`personal_data`). Dashboards (metrics) read plans only through the functions marked
"contract". The public names are re-exported here: `selectors.plan_get_for_user(...)`."""

from .approvals import (
    agreed_content,
    agreement_changes,
    agreement_marks,
    can_sign_for,
    commitment_terms,
    missing_signoff_keys,
    missing_signoffs,
    required_signoff_departments,
    signers_for,
    signoffs_owed_by,
)
from .document import (
    NOT_COMMERCIAL,
    document_sections,
    print_document,
    share_document,
    share_link_resolve,
    token_hash,
)
from .editor import (
    editor_choices,
    may_edit,
    plan_editor,
    weighted_pipeline,
)
from .periods import (
    FIRST_PLAN_NEXT_YEAR_FROM_MONTH,
    next_period_start,
    period_end,
)
from .personal_data import (
    personal_data,
    personal_texts,
    share_links_of,
)
from .plans import (
    OPEN_COMMITMENT,
    account_for_planning,
    agreed_plans_in_force,
    commitment_history,
    commitments_at_risk,
    commitments_due,
    current_plan,
    is_participant,
    knowledge_tasks_due,
    knowledge_tasks_of,
    negotiation_get_for_user,
    negotiations_for_account,
    plan_flags,
    plan_get_for_user,
    plan_history,
    plans_for_account,
    plans_needing_attention,
    with_flags,
)

__all__ = [
    "FIRST_PLAN_NEXT_YEAR_FROM_MONTH",
    "NOT_COMMERCIAL",
    "OPEN_COMMITMENT",
    "account_for_planning",
    "agreed_content",
    "agreed_plans_in_force",
    "agreement_changes",
    "agreement_marks",
    "can_sign_for",
    "commitment_history",
    "commitment_terms",
    "commitments_at_risk",
    "commitments_due",
    "current_plan",
    "document_sections",
    "editor_choices",
    "is_participant",
    "knowledge_tasks_due",
    "knowledge_tasks_of",
    "may_edit",
    "missing_signoff_keys",
    "missing_signoffs",
    "negotiation_get_for_user",
    "negotiations_for_account",
    "next_period_start",
    "period_end",
    "personal_data",
    "personal_texts",
    "plan_editor",
    "plan_flags",
    "plan_get_for_user",
    "plan_history",
    "plans_for_account",
    "plans_needing_attention",
    "print_document",
    "required_signoff_departments",
    "share_document",
    "share_link_resolve",
    "share_links_of",
    "signers_for",
    "signoffs_owed_by",
    "token_hash",
    "weighted_pipeline",
    "with_flags",
]
