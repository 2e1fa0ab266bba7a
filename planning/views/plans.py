"""Plans of an account and the editor: the plan's text, its workflow (submit, sign off, commit, the client's
agreement, close), its period, its history and its print."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam import versioning
from kam.access import signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.forms import form_field
from kam.idempotency import once_per_submit
from kam.models import Department
from kam.query import int_param

from .. import selectors, services
from ..forms import (
    SECTION_FIELDS,
    ClientAgreementForm,
    PlanCreateForm,
    PlanPeriodForm,
    SignOffForm,
    section_form_class,
)
from ..models import (
    TEXT_FIELDS,
    AccountPlan,
)
from .base import (
    editor_context,
    form_errors_text,
    plan_url,
    require_editor,
)

SECTION_TAB = {"summary": "", "conocimiento": "conocimiento", "vision": "vision"}


# --- plans of an account --------------------------------------------------------------------------

@signed_in
def plan_list(request, pk):
    account = selectors.account_for_planning(request.user, pk)
    plans = list(selectors.plans_for_account(account))
    can_edit = request.user.has_perm("planning.change_plan", account)
    kind, start = selectors.next_period_start(account)
    form = PlanCreateForm(initial={"period_kind": kind, "period_start": start, "copy_last": bool(plans)})
    return render(request, "planning/plan_list.html", {"account": account, "plans": plans, "form": form,
                                                        "can_edit": can_edit})


@signed_in
@once_per_submit
def plan_create(request, pk):
    account = selectors.account_for_planning(request.user, pk)
    require_editor(request.user, account)
    if request.method == "POST":
        form = PlanCreateForm(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_create(actor=request.user, account=account, **form.cleaned_data)
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Plan created. Fill in the three phases, then submit it for "
                                            "internal sign-off."))
                return redirect(plan)
    else:
        kind, start = selectors.next_period_start(account)
        form = PlanCreateForm(initial={"period_kind": kind, "period_start": start,
                                       "copy_last": account.plans.exists()})
    return render(request, "planning/plan_create.html", {"account": account, "form": form})


# --- the editor -------------------------------------------------------------------------------------

@signed_in
def plan_detail(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    return render(request, "planning/plan_detail.html", editor_context(request, plan))


def _section_response(request, plan, section, form, *, conflict=None, saved=False):
    ctx = {"plan": plan, "section": section, "form": form, "conflict": conflict, "saved": saved,
           "version": plan.version, "can_edit": True,
           "flags": selectors.plan_flags(plan), "other_sections": [s for s in SECTION_FIELDS if s != section]}
    return render(request, "planning/partials/section_response.html", ctx)


@signed_in
def plan_section(request, pk, section):
    """One section of the plan's text, saved in place. A save from an older version than the plan's
    is refused and answered with what changed, keeping the user's text in the form."""
    plan = selectors.plan_get_for_user(request.user, pk)
    require_editor(request.user, plan.account)
    if section not in SECTION_FIELDS:
        raise Http404
    form_class = section_form_class(section)
    if request.method != "POST":
        return _section_response(request, plan, section, form_class(instance=plan, prefix=section))
    form = form_class(request.POST, instance=AccountPlan.objects.get(pk=plan.pk), prefix=section)
    if not form.is_valid():
        return _section_response(request, plan, section, form)
    data = {f: form.cleaned_data[f] for f in SECTION_FIELDS[section]}
    try:
        plan = services.plan_update(actor=request.user, plan=plan, expected_version=request.POST.get("version"),
                                    data=data)
    except Conflict as exc:
        versioning.keep_mine(exc, form)
        return _section_response(request, exc.current, section, form, conflict=exc)
    except Invalid as exc:
        add_to_form(form, exc)
        return _section_response(request, plan, section, form)
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect(plan_url(plan, SECTION_TAB[section]))
    return _section_response(request, plan, section, form_class(instance=plan, prefix=section), saved=True)


@signed_in
@require_POST
def plan_transition(request, pk, action):
    plan = selectors.plan_get_for_user(request.user, pk)
    actions = {
        "submit": (services.plan_submit, _("Plan submitted: the sponsor and the departments were asked to "
                                           "sign it off.")),
        "commit": (services.plan_commit, _("Plan committed. Share it with the client to get their agreement.")),
        "return": (services.plan_return_to_draft, _("Plan back to draft; the sign-offs were cleared.")),
        "close": (services.plan_close, _("Plan closed.")),
    }
    if action not in actions:
        raise Http404
    service, done = actions[action]
    try:
        service(actor=request.user, plan=plan)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(plan_url(plan, "compromiso"))


@signed_in
@once_per_submit
@require_POST
def plan_signoff(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    form = SignOffForm(request.POST)
    form_field(form, "department", forms.ModelChoiceField).queryset = Department.objects.all()
    if form.is_valid():
        try:
            services.plan_sign_off(actor=request.user, plan=plan, department=form.cleaned_data["department"],
                                   note=form.cleaned_data["note"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Sign-off recorded."))
    else:
        messages.error(request, _("Choose what you are signing off for."))
    return redirect(plan_url(plan, "compromiso"))


@signed_in
@once_per_submit
@require_POST
def plan_agreement(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    form = ClientAgreementForm(request.POST, account=plan.account, prefix="agree")
    if form.is_valid():
        try:
            services.plan_record_client_agreement(
                actor=request.user, plan=plan, agreed_by=form.cleaned_data["agreed_by"],
                contact=form.cleaned_data["contact"], channel=form.cleaned_data["channel"],
                note=form.cleaned_data["note"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The client's agreement was recorded: the plan is agreed."))
            return redirect(plan_url(plan, "compromiso"))
    else:
        messages.error(request, form_errors_text(form))
    return redirect(plan_url(plan, "compromiso"))


@signed_in
@require_POST
def plan_period(request, pk):
    """Correct a draft plan's period."""
    plan = selectors.plan_get_for_user(request.user, pk)
    require_editor(request.user, plan.account)
    form = PlanPeriodForm(request.POST, prefix="period")
    if form.is_valid():
        try:
            services.plan_set_period(actor=request.user, plan=plan, expected_version=form.cleaned_data["version"],
                                     period_kind=form.cleaned_data["period_kind"],
                                     period_start=form.cleaned_data["period_start"])
        except Conflict as exc:
            messages.error(request, str(exc))
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Plan period changed."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect(plan_url(plan))



# --- history and print ----------------------------------------------------------------------------

def _history_diff(a, b):
    rows = []
    fields = ("status",) + TEXT_FIELDS + ("owner", "client_agreed_by", "client_agreed_at",
                                          "client_agreement_channel", "needs_reagreement")
    for name in fields:
        va, vb = versioning.display(a, name), versioning.display(b, name)
        rows.append({"label": a._meta.get_field(name).verbose_name, "a": va, "b": vb, "changed": va != vb})
    return rows


@signed_in
def plan_history(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    from kam.selectors import paginate
    page = paginate(request, selectors.plan_history(plan))
    records = list(page.object_list)
    # What each record changed, against the one just before it (one extra record per page).
    older = selectors.plan_history(plan).filter(history_date__lt=records[-1].history_date).first() \
        if records else None
    chain = records + ([older] if older else [])
    for rec, prev in zip(chain, chain[1:] + [None], strict=False):
        if rec in records:
            rec.changed_fields = ([str(rec._meta.get_field(c.field).verbose_name)
                                   for c in rec.diff_against(prev, included_fields=list(TEXT_FIELDS) +
                                                             ["status", "client_agreed_by"]).changes]
                                  if prev is not None else [])
    compare = None
    a_id, b_id = int_param(request.GET, "a"), int_param(request.GET, "b")
    if (request.GET.get("a") or request.GET.get("b")) and not (a_id and b_id):
        messages.error(request, _("Choose two versions of this plan to compare."))
    elif a_id and b_id:
        pair = {r.history_id: r for r in plan.history.filter(history_id__in=[a_id, b_id])
                .select_related("history_user", "owner")}
        if a_id in pair and b_id in pair:
            a, b = sorted([pair[a_id], pair[b_id]], key=lambda r: r.history_date)
            compare = {"a": a, "b": b, "rows": _history_diff(a, b)}
        else:
            messages.error(request, _("Choose two versions of this plan to compare."))
    commitment_changes = list(selectors.commitment_history(plan)[:50])
    return render(request, "planning/plan_history.html", {
        "plan": plan, "page": page, "records": records, "compare": compare,
        "commitment_changes": commitment_changes,
    })


@signed_in
def plan_print(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    return render(request, "planning/plan_print.html", selectors.print_document(plan))
