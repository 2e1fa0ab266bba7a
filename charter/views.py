from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kam import versioning
from kam.access import role_required, signed_in
from kam.idempotency import once_per_submit
from kam.roles import KAM, LEAD, SPONSOR
from kam.selectors import paginate

from . import selectors, services
from .forms import PeriodForm, PromiseForm

COMPLIANCE_ROLES = (LEAD, SPONSOR, KAM)


@signed_in
def charter(request):
    """The charter's text by department. Whoever holds no reading role and is named for no department
    is refused."""
    departments = selectors.readable_departments(request.user)
    if departments is not None and not departments.exists():
        raise PermissionDenied
    may_edit = request.user.has_perm("charter.edit_charter")
    promises = list(selectors.promises_visible_to(request.user, include_withdrawn=may_edit))
    groups: dict[int, tuple] = {}
    for p in promises:
        groups.setdefault(p.department_id, (p.department, []))[1].append(p)
    return render(request, "charter/charter.html", {
        "groups": list(groups.values()), "may_edit": may_edit,
        "may_see_compliance": request.user.has_perm("charter.view_compliance"),
    })


@role_required(LEAD)
@once_per_submit
def promise_edit(request, pk=None):
    promise = selectors.promise_get(pk) if pk else None
    form = PromiseForm(request.POST or None, instance=promise)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if promise is None:
            done, conflict = versioning.form_write(
                form, lambda: services.promise_create(actor=request.user, data=data))
        else:
            done, conflict = versioning.form_write(form, lambda: services.promise_update(
                actor=request.user, promise=promise, data=data,
                expected_version=form.cleaned_data.get("version")))
        if done:
            messages.success(request, _("Promise saved; the earlier wording stays in its history."))
            return redirect("charter:charter")
    return render(request, "charter/promise_form.html", {
        "form": form, "promise": promise, "conflict": conflict,
        "history": selectors.promise_history(promise) if promise else [],
    })


@role_required(*COMPLIANCE_ROLES)
def compliance(request):
    """Promised against delivered over a period, per promise (key accounts against the rest) and per
    account."""
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    accounts, listed = selectors.compliance_scope(request.user)
    report = selectors.compliance(accounts, start=start, end=end, rows_for=listed)
    return render(request, "charter/compliance.html", {
        "form": form, "report": report, "start": start, "end": end,
        "page": paginate(request, report.accounts),
        "whole_programme": listed is None and request.user.has_perm("charter.edit_charter"),
    })


@role_required(*COMPLIANCE_ROLES)
def account_compliance(request, pk):
    account = selectors.account_compliance_get(request.user, pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    report = selectors.account_compliance(account, start=start, end=end)
    return render(request, "charter/account_compliance.html", {
        "form": form, "report": report, "account": account, "start": start, "end": end,
        "row": report.accounts[0] if report.accounts else None,
    })
