"""Account financials and the account import page."""


from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kam import versioning
from kam.access import role_required, signed_in
from kam.idempotency import once_per_submit
from kam.roles import LEAD
from kam.selectors import paginate
from kam.uploads import upload_refused

from .. import imports, services
from ..forms import (
    FinancialRecordForm,
    ImportForm,
)
from ..imports import samples
from ..models import ImportKind, ImportRun
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


# --- Selection: criteria, assessments, tier decisions -----------------------------------------------


@role_required(LEAD)
@once_per_submit
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None, upload_refused=upload_refused(request))
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.run_import(kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name,
                                    actor=request.user)
        if result.ok:
            messages.success(request, _("Imported %(rows)s rows: %(created)s created, %(updated)s updated.") % {
                "rows": result.rows, "created": result.created, "updated": result.updated})
            return redirect("accounts:imports")
    return render(request, "accounts/imports.html", {
        "form": form, "result": result, "columns": imports.COLUMNS, "import_kinds": list(ImportKind),
        "runs": ImportRun.objects.select_related("imported_by")[:15]})


TEMPLATE_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "values": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@role_required(LEAD)
def import_template(request, kind, fmt):
    """The template of one import kind: its columns and an example row (CSV or XLSX, whose second sheet
    lists the allowed values), or the allowed values alone as CSV."""
    if kind not in ImportKind.values or fmt not in TEMPLATE_FORMATS:
        raise Http404
    content_type, suffix = TEMPLATE_FORMATS[fmt]
    body = {"csv": samples.template_csv, "values": samples.allowed_values_csv, "xlsx": samples.template_xlsx}[fmt](kind)
    name = f"{kind}-allowed-values" if fmt == "values" else f"{kind}-template"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response
