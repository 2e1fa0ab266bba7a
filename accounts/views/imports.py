"""Imports: upload a file, read its check (the preview), confirm, follow its progress, read its result."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.access import role_required
from kam.errors import Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.roles import LEAD
from kam.selectors import paginate
from kam.uploads import upload_refused

from .. import imports, selectors, services
from ..forms import ImportForm
from ..imports import samples
from ..models import ImportKind, ImportStatus

# The job page asks for its status this often (seconds) while the file is checked or imported.
POLL_SECONDS = 2


@role_required(LEAD)
@once_per_submit
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None, upload_refused=upload_refused(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user, kind=form.cleaned_data["kind"], filename=upload.name, data=upload.read(),
                decimal=form.cleaned_data["decimal"], dates=form.cleaned_data["dates"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            return redirect("accounts:import_job", pk=job.pk)
    return render(request, "accounts/imports.html", {
        "form": form, "columns": imports.COLUMNS, "import_kinds": list(ImportKind),
        "page": paginate(request, selectors.import_jobs())})


def _status_context(job):
    done, total = selectors.import_job_progress(job)
    return {"job": job, "done": done, "total": total, "percent": (100 * done // total) if total else 0,
            "preview_ok": services.preview_ok(job.preview), "poll": POLL_SECONDS,
            "polling": job.status in (ImportStatus.UPLOADED, ImportStatus.QUEUED, ImportStatus.RUNNING)}


@role_required(LEAD)
@require_GET
def import_job(request, pk):
    job = selectors.import_job_get(pk)
    return render(request, "accounts/import_job.html", _status_context(job))


@role_required(LEAD)
@require_GET
def import_job_status(request, pk):
    """The job's status part, which the job page's htmx asks for until the job stops moving."""
    job = selectors.import_job_get(pk)
    return render(request, "accounts/_import_job_status.html", _status_context(job))


@role_required(LEAD)
@require_POST
@once_per_submit
def import_job_confirm(request, pk):
    job = selectors.import_job_get(pk)
    try:
        services.import_job_confirm(actor=request.user, job=job)
    except Invalid as exc:
        messages.error(request, str(exc))
    return redirect("accounts:import_job", pk=job.pk)


@role_required(LEAD)
@require_POST
def import_job_cancel(request, pk):
    job = selectors.import_job_get(pk)
    try:
        services.import_job_cancel(actor=request.user, job=job)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Import cancelled; nothing was written."))
    return redirect("accounts:import_job", pk=job.pk)


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
