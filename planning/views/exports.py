"""The download of an account's plans with their commitments and opportunities (`kam.exports`): one
sheet each in Excel; in CSV, one file per table, chosen with `?sheet=plans|commitments|opportunities`."""

from kam import exports
from kam.access import signed_in

from .. import selectors
from ..exports import SHEETS, plan_sheets


@signed_in
def plans_export(request, pk, fmt):
    account = selectors.account_for_planning(request.user, pk)
    sheets = plan_sheets(account, commercial=request.user.has_perm("accounts.view_commercial", account))
    if fmt == exports.XLSX:
        return exports.export_response(fmt, f"plans-{account.pk}", list(sheets.values()))
    sheet = request.GET.get("sheet", "")
    sheet = sheet if sheet in SHEETS else SHEETS[0]
    return exports.export_response(fmt, f"{sheet}-{account.pk}", [sheets[sheet]])
