"""The plan's rows: tasks, opportunities, commitments, reviews and value delivered, added and edited in
place."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.access import signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.idempotency import acted, once_per_submit

from .. import selectors, services
from ..forms import (
    CommitmentStatusForm,
)
from ..models import (
    Commitment,
)
from .base import (
    ROW_FORMS,
    ROW_TAB,
    editor_context,
    form_data,
    form_errors_text,
    plan_url,
    require_editor,
    row_form,
    versioned_save,
)

ROW_SERVICES = {"task": services.task_save, "opportunity": services.opportunity_save,
                "commitment": services.commitment_save, "review": services.review_save,
                "value": services.value_save}


# --- rows of the plan -------------------------------------------------------------------------------

def _rows_response(request, plan, kind, form):
    ctx = editor_context(request, plan)
    ctx["row_forms"][kind] = form
    return render(request, f"planning/partials/rows_{kind}.html", ctx)


@signed_in
@once_per_submit
@require_POST
def row_add(request, pk, kind):
    """Add a task, opportunity, commitment, review or value entry. With htmx the section's list is
    answered in place (with the form's errors when invalid); without it, the editor is reloaded."""
    plan = selectors.plan_get_for_user(request.user, pk)
    if kind not in ROW_FORMS:
        raise Http404
    form = row_form(kind, plan, None, data=request.POST, prefix=kind)
    if form.is_valid():
        try:
            ROW_SERVICES[kind](actor=request.user, plan=plan, data=form_data(form))
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            plan = selectors.plan_get_for_user(request.user, pk)
            if not request.htmx:
                return redirect(plan_url(plan, ROW_TAB[kind]))
            return acted(_rows_response(request, plan, kind, row_form(kind, plan, None, prefix=kind)))
    if not request.htmx:
        messages.error(request, form_errors_text(form))
        return redirect(plan_url(plan, ROW_TAB[kind]))
    return _rows_response(request, plan, kind, form)


def _get_row(plan, kind, row):
    model = ROW_FORMS[kind]._meta.model
    return get_object_or_404(model, plan=plan, pk=row)


@signed_in
def row_edit(request, pk, kind, row):
    plan = selectors.plan_get_for_user(request.user, pk)
    if kind not in ROW_FORMS:
        raise Http404
    require_editor(request.user, plan.account)
    instance = _get_row(plan, kind, row)
    conflict = None
    if request.method == "POST":
        form = row_form(kind, plan, None, data=request.POST, instance=instance)
        if form.is_valid():
            saved, conflict = versioned_save(form, lambda data, version: ROW_SERVICES[kind](
                actor=request.user, plan=plan, data=data, row=instance, expected_version=version))
            if saved:
                messages.success(request, _("Saved."))
                return redirect(plan_url(plan, ROW_TAB[kind]))
    else:
        form = row_form(kind, plan, None, instance=instance)
    return render(request, "planning/row_edit.html", {"plan": plan, "kind": kind, "form": form, "row": instance,
                                                      "conflict": conflict, "tab": ROW_TAB[kind]})


@signed_in
@require_POST
def row_delete(request, pk, kind, row):
    plan = selectors.plan_get_for_user(request.user, pk)
    if kind not in ROW_FORMS:
        raise Http404
    instance = _get_row(plan, kind, row)
    try:
        if kind == "commitment":
            services.commitment_delete(actor=request.user, commitment=instance)
        else:
            services.row_delete(actor=request.user, row=instance)
    except Invalid as exc:
        messages.error(request, str(exc))
    except instance.DoesNotExist:  # removed meanwhile
        raise Http404 from None
    else:
        messages.success(request, _("Removed."))
    return redirect(plan_url(plan, ROW_TAB[kind]))


@signed_in
@require_POST
def commitment_status(request, pk):
    commitment = get_object_or_404(Commitment.objects.select_related("plan"), pk=pk)
    plan = selectors.plan_get_for_user(request.user, commitment.plan_id)
    form = CommitmentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_update_status(actor=request.user, commitment=commitment,
                                              status=form.cleaned_data["status"],
                                              delivered_on=form.cleaned_data["delivered_on"],
                                              expected_version=form.cleaned_data["version"])
        except Conflict as exc:
            changes = "; ".join(f"{c.label}: {c.theirs}" for c in exc.changes)
            messages.error(request, f"{exc} {changes}")
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Commitment updated."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect(plan_url(plan, "compromiso"))
