from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Tier
from kam import versioning
from kam.access import role_required
from kam.errors import Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.roles import LEAD, SPONSOR, has_role

from . import selectors, services
from .forms import ChangeForm, DecisionForm, ProposalForm, ReviewCreateForm, ReviewForm, ReviewSettingsForm
from .models import ReviewSettings

READERS = (LEAD, SPONSOR)


@role_required(*READERS)
def review_list(request):
    start, _end = selectors.next_period()
    return render(request, "programme/review_list.html", {
        "reviews": selectors.reviews(), "is_lead": has_role(request.user, LEAD),
        "form": ReviewCreateForm(initial={"period_start": start}), "settings": ReviewSettings.current()})


@role_required(LEAD)
@once_per_submit
def review_create(request):
    form = ReviewCreateForm(request.POST or None, initial={"period_start": selectors.next_period()[0]})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(actor=request.user, period_start=form.cleaned_data["period_start"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Review opened. Set its targets."))
            return redirect("programme:review_detail", pk=review.pk)
    return render(request, "programme/review_create.html", {"form": form})


def _detail_context(request, review, **forms):
    is_lead = has_role(request.user, LEAD)
    context = {**selectors.review_detail(review), "is_lead": is_lead}
    if is_lead and not review.is_closed:
        context["proposal_form"] = forms.get("proposal_form") or ProposalForm(initial={"to_tier": Tier.KEY})
        context["change_form"] = forms.get("change_form") or ChangeForm()
        context["disagreements"] = selectors.disagreements()
    return context


@role_required(*READERS)
def review_detail(request, pk):
    review = selectors.review_get(pk)
    return render(request, "programme/review_detail.html", _detail_context(request, review))


@role_required(LEAD)
def review_edit(request, pk):
    review = selectors.review_get(pk)
    form = ReviewForm(request.POST or None, instance=review)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {"held_on": form.cleaned_data["held_on"], "notes": form.cleaned_data["notes"],
                "targets": form.targets()}
        done, conflict = versioning.form_write(form, lambda: services.review_update(
            actor=request.user, review=review, expected_version=form.cleaned_data.get("version"), data=data))
        if done:
            messages.success(request, _("Review saved."))
            return redirect("programme:review_detail", pk=review.pk)
    return render(request, "programme/review_edit.html", {"form": form, "review": review, "conflict": conflict})


@role_required(LEAD)
@require_POST
def review_transition(request, pk, action):
    review = selectors.review_get(pk)
    writes: dict[str, Callable[..., object]] = {"hold": services.review_hold, "close": services.review_close}
    write = writes.get(action)
    if write is None:
        return redirect("programme:review_detail", pk=review.pk)
    try:
        write(actor=request.user, review=review)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Review closed: its figures are frozen.") if action == "close"
                         else _("Review marked as held."))
    return redirect("programme:review_detail", pk=review.pk)


@role_required(LEAD)
@require_POST
@once_per_submit
def proposal_add(request, pk):
    review = selectors.review_get(pk)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_create(actor=request.user, review=review, account=form.cleaned_data["account"],
                                     to_tier=form.cleaned_data["to_tier"], reason=form.cleaned_data["reason"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Proposal recorded."))
            return redirect("programme:review_detail", pk=review.pk)
    return render(request, "programme/review_detail.html", _detail_context(request, review, proposal_form=form),
                  status=400)


@role_required(LEAD)
@once_per_submit
def proposal_decide(request, pk):
    proposal = selectors.proposal_get(pk)
    form = DecisionForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done, _conflict = versioning.form_write(form, lambda: services.proposal_decide(
            actor=request.user, proposal=proposal, accept=d["decision"] == "accept", note=d.get("note", ""),
            kam=d.get("kam"), sponsor=d.get("sponsor"), cap_override=d.get("cap_override", False),
            override_reason=d.get("override_reason", "")))
        if done:
            messages.success(request, _("Decision recorded."))
            return redirect("programme:review_detail", pk=proposal.review_id)
    return render(request, "programme/proposal_decide.html", {
        "form": form, "proposal": proposal, "evidence": selectors.evidence_rows(proposal.evidence),
        "size": selectors.programme_size()})


@role_required(LEAD)
@require_POST
@once_per_submit
def change_add(request, pk):
    review = selectors.review_get(pk)
    form = ChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_add(actor=request.user, review=review, text=form.cleaned_data["text"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            return redirect("programme:review_detail", pk=review.pk)
    return render(request, "programme/review_detail.html", _detail_context(request, review, change_form=form),
                  status=400)


@role_required(*READERS)
def review_compare(request):
    return render(request, "programme/review_compare.html", selectors.comparison())


@role_required(LEAD)
def review_settings(request):
    form = ReviewSettingsForm(request.POST or None, instance=ReviewSettings.current())
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.review_settings_update(
            actor=request.user, expected_version=form.cleaned_data.get("version"),
            data={"cadence_months": form.cleaned_data["cadence_months"]}))
        if done:
            messages.success(request, _("Review settings saved."))
            return redirect("programme:review_list")
    return render(request, "programme/review_settings.html", {"form": form, "conflict": conflict})
