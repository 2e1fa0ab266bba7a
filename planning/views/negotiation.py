"""Negotiation preparation pages (commercial: only its readers see it at all)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.access import signed_in
from kam.errors import Invalid, add_to_form
from kam.forms import form_field
from kam.idempotency import once_per_submit

from .. import selectors, services
from ..forms import (
    AgreementForm,
    AgreementToCommitmentForm,
    ConcessionForm,
    NegotiationCreateForm,
    NegotiationForm,
    ObjectiveForm,
    VariableForm,
)
from ..models import (
    NegotiationAgreement,
    Party,
)
from .base import (
    form_data,
    require_editor,
    versioned_save,
)

# --- negotiation preparation -----------------------------------------------------------------------

@signed_in
@once_per_submit
def negotiation_list(request, pk):
    account = selectors.account_for_planning(request.user, pk)
    if not request.user.has_perm("accounts.view_commercial", account):
        raise Http404
    can_edit = request.user.has_perm("planning.change_plan", account)
    form = NegotiationCreateForm()
    if request.method == "POST":
        require_editor(request.user, account)
        form = NegotiationCreateForm(request.POST)
        if form.is_valid():
            try:
                neg = services.negotiation_create(actor=request.user, account=account,
                                                  title=form.cleaned_data["title"],
                                                  plan=selectors.current_plan(account))
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                return redirect("planning:negotiation_detail", pk=neg.pk)
    return render(request, "planning/negotiation_list.html", {
        "account": account, "negotiations": selectors.negotiations_for_account(account), "form": form,
        "can_edit": can_edit})


NEG_ROW_FORMS = {"objective": ObjectiveForm, "variable": VariableForm, "concession": ConcessionForm,
                 "agreement": AgreementForm}


def _negotiation_context(request, neg, **extra):
    can_edit = request.user.has_perm("planning.change_plan", neg.account)
    ctx = {
        "neg": neg, "account": neg.account, "can_edit": can_edit,
        "objectives": list(neg.objectives.all()), "variables": list(neg.variables.all()),
        "concessions": list(neg.concessions.all()),
        "agreements": list(neg.agreements.select_related("commitment__plan")),
    }
    ctx["our_objectives"] = [o for o in ctx["objectives"] if o.party == Party.US]
    ctx["their_objectives"] = [o for o in ctx["objectives"] if o.party == Party.CLIENT]
    if can_edit:
        ctx["form"] = NegotiationForm(instance=neg, initial={"version": neg.version})
        ctx["row_forms"] = {k: f(prefix=k) for k, f in NEG_ROW_FORMS.items()}
        form = AgreementToCommitmentForm(account=neg.account)
        # Rendered once per agreement: fetch each choice list once, not once per agreement.
        for name in ("department", "owner", "contact"):
            field = form_field(form, name, forms.ChoiceField)
            field.choices = list(field.choices)  # type: ignore[arg-type]  # a model field's lazy iterator
        ctx["to_commitment_form"] = form
    ctx.update(extra)
    return ctx


@signed_in
def negotiation_detail(request, pk):
    neg = selectors.negotiation_get_for_user(request.user, pk)
    conflict = None
    if request.method == "POST":
        require_editor(request.user, neg.account)
        form = NegotiationForm(request.POST, instance=neg)
        if form.is_valid():
            saved, conflict = versioned_save(form, lambda data, version: services.negotiation_update(
                actor=request.user, negotiation=neg, expected_version=version, data=data))
            if saved:
                messages.success(request, _("Saved."))
                return redirect("planning:negotiation_detail", pk=neg.pk)
        return render(request, "planning/negotiation_detail.html",
                      _negotiation_context(request, neg, form=form, conflict=conflict))
    return render(request, "planning/negotiation_detail.html", _negotiation_context(request, neg))


@signed_in
@once_per_submit
@require_POST
def negotiation_row(request, pk, kind):
    neg = selectors.negotiation_get_for_user(request.user, pk)
    if kind not in NEG_ROW_FORMS:
        raise Http404
    form = NEG_ROW_FORMS[kind](request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.negotiation_row_save(actor=request.user, negotiation=neg, kind=kind, data=form_data(form))
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Added."))
            return redirect(reverse("planning:negotiation_detail", args=[neg.pk]) + f"#{kind}")
    ctx = _negotiation_context(request, neg)
    if "row_forms" not in ctx:
        raise Http404
    ctx["row_forms"][kind] = form
    messages.error(request, _("Please correct the errors below."))
    return render(request, "planning/negotiation_detail.html", ctx)


@signed_in
@require_POST
def negotiation_row_delete(request, pk, kind, row):
    neg = selectors.negotiation_get_for_user(request.user, pk)
    if kind not in NEG_ROW_FORMS:
        raise Http404
    instance = get_object_or_404(services.NEGOTIATION_ROWS[kind], negotiation=neg, pk=row)
    try:
        services.negotiation_row_delete(actor=request.user, row=instance)
    except Invalid as exc:
        messages.error(request, str(exc))
    return redirect(reverse("planning:negotiation_detail", args=[neg.pk]) + f"#{kind}")


@signed_in
def negotiation_row_edit(request, pk, kind, row):
    """Correct a row of the preparation (a limit, a priority, an agreement's wording), version-checked
    like every edit."""
    neg = selectors.negotiation_get_for_user(request.user, pk)
    if kind not in NEG_ROW_FORMS:
        raise Http404
    require_editor(request.user, neg.account)
    instance = get_object_or_404(services.NEGOTIATION_ROWS[kind], negotiation=neg, pk=row)
    conflict = None
    if request.method == "POST":
        form = NEG_ROW_FORMS[kind](request.POST, instance=instance)
        if form.is_valid():
            saved, conflict = versioned_save(form, lambda data, version: services.negotiation_row_save(
                actor=request.user, negotiation=neg, kind=kind, row=instance, expected_version=version, data=data))
            if saved:
                messages.success(request, _("Saved."))
                return redirect(reverse("planning:negotiation_detail", args=[neg.pk]) + f"#{kind}")
    else:
        form = NEG_ROW_FORMS[kind](instance=instance)
    return render(request, "planning/negotiation_row_edit.html", {
        "neg": neg, "kind": kind, "form": form, "row": instance, "conflict": conflict})


@signed_in
@once_per_submit
@require_POST
def agreement_commitment(request, pk):
    agreement = get_object_or_404(NegotiationAgreement.objects.select_related("negotiation"), pk=pk)
    neg = selectors.negotiation_get_for_user(request.user, agreement.negotiation_id)
    form = AgreementToCommitmentForm(request.POST, account=neg.account)
    if form.is_valid():
        try:
            commitment = services.agreement_to_commitment(actor=request.user, agreement=agreement,
                                                          **form.cleaned_data)
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The agreement is now a commitment in the plan for %(period)s.")
                             % {"period": commitment.plan.period_label})
    return redirect(reverse("planning:negotiation_detail", args=[neg.pk]) + "#agreement")
