"""Downloads of the account list and of monthly financials, as CSV or XLSX (`kam.exports`), filtered by
the account list's query string and scoped like the pages they come from."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kam import exports
from kam.access import signed_in

from .. import selectors
from ..exports import account_sheet, financial_records, financial_sheet
from .accounts import _account_with_perm, _filtered_accounts


@signed_in
def account_export(request, fmt):
    """The filtered account list (the list's own filters and sort)."""
    qs = _filtered_accounts(request).qs
    exports.require_within_bound(qs, fmt)
    return exports.export_response(fmt, "accounts", [account_sheet(qs, _("Accounts"))])


@signed_in
def financials_export(request, fmt):
    """Every month of the accounts the list's filters select, of those whose figures the reader may
    see: one row per account and month."""
    if not selectors.reads_commercial_anywhere(request.user):
        raise PermissionDenied
    records = financial_records(_filtered_accounts(request).qs)
    exports.require_within_bound(records, fmt)
    return exports.export_response(fmt, "financials", [financial_sheet(records, _("Monthly financials"))])


@signed_in
def account_financials_export(request, pk, fmt):
    """One account's months, for who may open its financials page."""
    account = _account_with_perm(request, pk, "accounts.view_commercial")
    records = account.financials.order_by("-month")
    return exports.export_response(fmt, f"financials-{account.pk}",
                                   [financial_sheet(records, _("Monthly financials"))])
