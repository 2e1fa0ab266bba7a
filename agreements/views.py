"""Framework agreement pages: per account, one agreement with its terms and history, and the programme's
list. Commercial data: who may not read it gets 404; readers who may not edit get 403 on edit pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam import versioning
from kam.access import role_required, signed_in
from kam.errors import Invalid, add_to_form
from kam.exports import export_response
from kam.forms import form_field
from kam.idempotency import once_per_submit
from kam.roles import LEAD, SPONSOR
from kam.selectors import paginate
from planning import selectors as planning_selectors
from planning.forms import AgreementToCommitmentForm

from . import exports, selectors, services
from .forms import AgreementFilterForm, DraftFromNegotiationForm, FrameworkAgreementForm, TermForm
from .models import EXPIRING_WINDOW_DAYS, AgreementStatus, AgreementTerm


def _require_editor(user, account):
    if not user.has_perm("agreements.change_agreement", account):
        raise PermissionDenied


def _data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@signed_in
def agreement_list(request, pk):
    account = selectors.account_for_agreements(request.user, pk)
    can_edit = request.user.has_perm("agreements.change_agreement", account)
    negotiations = list(planning_selectors.negotiations_for_account(account)) if can_edit else []
    draft_form = DraftFromNegotiationForm(account=account) if negotiations else None
    return render(request, "agreements/agreement_list.html", {
        "account": account, "agreements": selectors.agreements_for_account(account), "can_edit": can_edit,
        "draft_form": draft_form})


@signed_in
@once_per_submit
def agreement_create(request, pk):
    account = selectors.account_for_agreements(request.user, pk)
    _require_editor(request.user, account)
    form = FrameworkAgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(actor=request.user, account=account, data=_data(form))
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Framework agreement drafted: now write down its terms."))
            return redirect(agreement)
    return render(request, "agreements/agreement_form.html", {"account": account, "form": form})


@signed_in
@once_per_submit
@require_POST
def agreement_from_negotiation(request, pk):
    account = selectors.account_for_agreements(request.user, pk)
    _require_editor(request.user, account)
    form = DraftFromNegotiationForm(request.POST, account=account)
    if form.is_valid():
        try:
            agreement = services.agreement_draft_from_negotiation(
                actor=request.user, negotiation=form.cleaned_data["negotiation"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Framework agreement drafted from the negotiation's agreements."))
            return redirect(agreement)
    else:
        messages.error(request, _("Choose one of the account's negotiations."))
    return redirect("agreements:account_list", pk=account.pk)


@signed_in
def agreement_detail(request, pk):
    agreement = selectors.agreement_get_for_user(request.user, pk)
    can_edit = selectors.may_change(request.user, agreement)
    terms_open = agreement.status == AgreementStatus.NEGOTIATION
    ctx = {
        "agreement": agreement, "account": agreement.account, "can_edit": can_edit,
        "terms": selectors.terms_of(agreement), "history": selectors.agreement_history(agreement),
        "terms_open": terms_open, "predecessor": selectors.predecessor_of(agreement),
        "actions": [a for a, (sources, _t) in services.TRANSITIONS.items() if agreement.status in sources],
        "can_renew": agreement.status in services.RENEWABLE,
    }
    if can_edit:
        if terms_open:
            ctx["term_form"] = TermForm(prefix="term")
        form = AgreementToCommitmentForm(account=agreement.account)
        # Rendered once per term: fetch each choice list once, not once per term.
        for name in ("department", "owner", "contact"):
            field = form_field(form, name, forms.ChoiceField)
            field.choices = list(field.choices)  # type: ignore[arg-type]  # a model field's lazy iterator
        ctx["commitment_form"] = form
    return render(request, "agreements/agreement_detail.html", ctx)


@signed_in
def agreement_edit(request, pk):
    agreement = selectors.agreement_get_for_user(request.user, pk)
    _require_editor(request.user, agreement.account)
    form = FrameworkAgreementForm(request.POST or None, instance=agreement)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.agreement_update(
            actor=request.user, agreement=agreement, expected_version=form.cleaned_data.get("version"),
            data=_data(form)))
        if done:
            messages.success(request, _("Saved."))
            return redirect(agreement)
    return render(request, "agreements/agreement_form.html", {
        "account": agreement.account, "agreement": agreement, "form": form, "conflict": conflict})


@signed_in
@require_POST
def agreement_transition(request, pk, action):
    agreement = selectors.agreement_get_for_user(request.user, pk)
    if action != "renew" and action not in services.TRANSITIONS:
        raise Http404
    _require_editor(request.user, agreement.account)
    try:
        if action == "renew":
            successor = services.agreement_renew(actor=request.user, agreement=agreement,
                                                 expected_version=request.POST.get("version"))
            messages.success(request, _("Renewed: the successor agreement is in negotiation."))
            return redirect(successor)
        services.agreement_transition(actor=request.user, agreement=agreement, action=action,
                                      expected_version=request.POST.get("version"))
    except Invalid as exc:
        messages.error(request, str(exc))
    return redirect(agreement)


@signed_in
@once_per_submit
@require_POST
def term_add(request, pk):
    agreement = selectors.agreement_get_for_user(request.user, pk)
    _require_editor(request.user, agreement.account)
    form = TermForm(request.POST, prefix="term")
    if form.is_valid():
        try:
            services.term_save(actor=request.user, agreement=agreement, data=_data(form))
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Added."))
            return redirect(reverse("agreements:detail", args=[agreement.pk]) + "#terms")
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("agreements:detail", args=[agreement.pk]) + "#terms")


def _term(request, pk, term):
    agreement = selectors.agreement_get_for_user(request.user, pk)
    _require_editor(request.user, agreement.account)
    return agreement, get_object_or_404(AgreementTerm, agreement=agreement, pk=term)


@signed_in
def term_edit(request, pk, term):
    agreement, instance = _term(request, pk, term)
    form = TermForm(request.POST or None, instance=instance)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.term_save(
            actor=request.user, agreement=agreement, term=instance, data=_data(form),
            expected_version=form.cleaned_data.get("version")))
        if done:
            messages.success(request, _("Saved."))
            return redirect(reverse("agreements:detail", args=[agreement.pk]) + "#terms")
    return render(request, "agreements/term_form.html", {
        "agreement": agreement, "account": agreement.account, "form": form, "term": instance,
        "conflict": conflict})


@signed_in
@require_POST
def term_delete(request, pk, term):
    agreement, instance = _term(request, pk, term)
    try:
        services.term_delete(actor=request.user, term=instance)
    except Invalid as exc:
        messages.error(request, str(exc))
    return redirect(reverse("agreements:detail", args=[agreement.pk]) + "#terms")


@signed_in
@once_per_submit
@require_POST
def term_commitment(request, pk):
    term = get_object_or_404(AgreementTerm, pk=pk)
    agreement = selectors.agreement_get_for_user(request.user, term.agreement_id)
    _require_editor(request.user, agreement.account)
    form = AgreementToCommitmentForm(request.POST, account=agreement.account)
    if form.is_valid():
        try:
            commitment = services.term_to_commitment(actor=request.user, term=term, **form.cleaned_data)
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The term is now a commitment in the plan for %(period)s.")
                             % {"period": commitment.plan.period_label})
    return redirect(reverse("agreements:detail", args=[agreement.pk]) + "#terms")


def _programme_rows(request):
    form = AgreementFilterForm(request.GET or None)
    qs = selectors.agreements_visible_to(request.user).order_by("renewal_date", "pk")
    if form.is_valid():
        qs = selectors.filter_list(qs, status=form.cleaned_data["status"] or "",
                                   within_days=form.cleaned_data["within_days"])
    return form, qs


@role_required(LEAD, SPONSOR)
def programme_list(request):
    form, qs = _programme_rows(request)
    return render(request, "agreements/programme_list.html", {
        "form": form, "page": paginate(request, qs),
        "window": EXPIRING_WINDOW_DAYS})


@role_required(LEAD, SPONSOR)
def programme_export(request, fmt):
    _form, qs = _programme_rows(request)
    return export_response(fmt, "framework-agreements", exports.agreement_sheets(qs, fmt))
