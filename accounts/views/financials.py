"""Account financials."""


from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kam import versioning
from kam.access import signed_in
from kam.idempotency import once_per_submit
from kam.selectors import paginate

from .. import services
from ..forms import FinancialRecordForm
from .accounts import MONTHS_PER_PAGE, _account_with_perm


@signed_in
@once_per_submit
def account_financials(request, pk):
    account = _account_with_perm(request, pk, "accounts.view_commercial")
    can_edit = request.user.has_perm("accounts.change_financials", account)
    form = FinancialRecordForm(request.POST or None)
    # Whoever may not enter figures is refused by the service (403), form valid or not.
    if request.method == "POST" and not can_edit:
        services.permission_require(actor=request.user, perm="accounts.change_financials", obj=account)
    if request.method == "POST" and form.is_valid() and versioning.form_write(
            form, lambda: services.financial_record_save(actor=request.user, account=account, **form.cleaned_data))[0]:
        messages.success(request, _("Financials for %(month)s saved.") % {
            "month": form.cleaned_data["month"].strftime("%Y-%m")})
        return redirect("accounts:financials", pk=account.pk)
    page = paginate(request, account.financials.order_by("-month"), MONTHS_PER_PAGE)
    return render(request, "accounts/financials.html", {"account": account, "form": form, "page": page,
                                                        "can_edit": can_edit})
