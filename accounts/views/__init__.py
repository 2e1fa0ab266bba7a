"""Account views, split by concern; `accounts.urls` and callers use them from here."""

from .accounts import (
    MONTHS_PER_PAGE,
    PANELS,
    account_archive,
    account_create,
    account_detail,
    account_edit,
    account_list,
    account_panel,
    account_stage,
    account_unarchive,
)
from .attachments import attachment_download, attachment_remove, attachments
from .exports import account_export, account_financials_export, financials_export
from .financials import account_financials
from .imports import import_job, import_job_cancel, import_job_confirm, import_job_status, import_page, import_template
from .people import (
    account_contacts,
    account_team,
    contact_edit,
    contact_erase,
    contact_gone,
    contact_new,
    contact_personal_data,
    contact_personal_data_json,
    team_member_edit,
    team_member_remove,
)
from .selection import account_assess, account_tier, criterion_edit, pareto, portfolio, selection

__all__ = [
    "MONTHS_PER_PAGE",
    "PANELS",
    "account_archive",
    "account_assess",
    "account_contacts",
    "account_create",
    "account_detail",
    "account_edit",
    "account_export",
    "account_financials",
    "account_financials_export",
    "account_list",
    "account_panel",
    "account_stage",
    "account_team",
    "account_tier",
    "account_unarchive",
    "attachment_download",
    "attachment_remove",
    "attachments",
    "contact_edit",
    "contact_erase",
    "contact_gone",
    "contact_new",
    "contact_personal_data",
    "contact_personal_data_json",
    "criterion_edit",
    "import_job",
    "import_job_cancel",
    "import_job_confirm",
    "import_job_status",
    "financials_export",
    "import_page",
    "import_template",
    "pareto",
    "portfolio",
    "selection",
    "team_member_edit",
    "team_member_remove",
]
