"""Plan pages. Views stay thin: they check who may read (the getters 404), call a service, and show an
`Invalid` or `Conflict` next to what the user was doing, keeping their input. A `Forbidden` is left to
the domain-error middleware (403)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Contact
from kam import versioning
from kam.access import public, signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.idempotency import acted, once_per_submit
from kam.models import Department, ProgrammeSettings
from kam.ratelimit import RateLimit, client_ip

from . import selectors, services
from .forms import (
    SECTION_FIELDS,
    AgreementForm,
    AgreementToCommitmentForm,
    ClientAgreementForm,
    CommitmentForm,
    CommitmentStatusForm,
    ConcessionForm,
    KnowledgeTaskForm,
    NegotiationCreateForm,
    NegotiationForm,
    ObjectiveForm,
    OpportunityForm,
    PlanCreateForm,
    PlanPeriodForm,
    PlanReviewForm,
    ShareAcceptForm,
    ShareCommentForm,
    ShareLinkForm,
    SignOffForm,
    ValueDeliveredForm,
    VariableForm,
    person_label,
    section_form_class,
)
from .models import (
    CONOCIMIENTO_FIELDS,
    TEXT_FIELDS,
    AccountPlan,
    Commitment,
    CommitmentStatus,
    Party,
    PlanStatus,
    ShareLink,
    ShareSection,
)

ROW_FORMS = {"task": KnowledgeTaskForm, "opportunity": OpportunityForm, "commitment": CommitmentForm,
             "review": PlanReviewForm, "value": ValueDeliveredForm}
ROW_SERVICES = {"task": services.task_save, "opportunity": services.opportunity_save,
                "commitment": services.commitment_save, "review": services.review_save,
                "value": services.value_save}
ROW_TAB = {"task": "conocimiento", "opportunity": "vision", "commitment": "compromiso",
           "review": "compromiso", "value": "compromiso"}
SECTION_TAB = {"summary": "", "conocimiento": "conocimiento", "vision": "vision"}

# Share-link lookups per client address and minute: ample for a person reading and accepting a
# plan, useless for guessing 256-bit tokens (and it keeps scanners off the database).
SHARE_LIMIT = RateLimit("share-link", limit=30, window=60)


def _plan_url(plan, tab=""):
    url = reverse("planning:plan_detail", args=[plan.pk])
    return f"{url}#{tab}" if tab else url


def _require_editor(user, account):
    """Readers of the plan who may not edit it get 403 (they know it exists); others got 404 before."""
    if not user.has_perm("planning.change_plan", account):
        raise PermissionDenied


def _form_errors_text(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def _choices_for(plan):
    """The choice lists of the editor's forms, each fetched once per page."""
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
    contacts = Contact.objects.filter(account=plan.account, left_at__isnull=True)
    departments = Department.objects.all()
    return {"people": people, "contacts": contacts, "departments": departments}


def _row_form(kind, plan, choices=None, **kwargs):
    cls = ROW_FORMS[kind]
    if kind == "task":
        people = choices["people"] if choices else None
        return cls(people=people, **kwargs)
    if kind == "commitment":
        if choices:
            return cls(account=plan.account, people=choices["people"], contacts=choices["contacts"],
                       departments=choices["departments"], **kwargs)
        return cls(account=plan.account, **kwargs)
    return cls(**kwargs)


def _status_options():
    """The status list's <option>s, one variant per selected status: built once per page instead
    of once per commitment row."""
    labels = [(value, str(label)) for value, label in CommitmentStatus.choices]
    return {current: format_html_join("", "<option value=\"{}\"{}>{}</option>",
                                      ((value, mark_safe(" selected") if value == current else "", label)
                                       for value, label in labels))
            for current, _label in labels}


def _plan_context(request, plan, *, with_forms=True, **extra):
    """Everything the editor shows, in a fixed number of queries whatever the plan's size."""
    user = request.user
    account = plan.account
    settings = ProgrammeSettings.current()
    tasks = list(plan.tasks.select_related("owner"))
    opportunities = list(plan.opportunities.all())
    commitments = list(plan.commitments.select_related("department", "owner", "contact"))
    signoffs = list(plan.signoffs.select_related("department", "signed_by"))
    reviews = list(plan.reviews.all())
    value_entries = list(plan.value_entries.all())
    can_edit = user.has_perm("planning.change_plan", account) and plan.status != PlanStatus.CLOSED
    active = [s for s in signoffs if s.cleared_at is None]
    signed = {s.department_id: s for s in active}
    required_depts = {c.department for c in commitments if c.party == Party.US and c.department_id}
    required = [{"label": _("Executive sponsor"), "department": None, "signoff": signed.get(None)}]
    required += [{"label": str(d), "department": d, "signoff": signed.get(d.pk)}
                 for d in sorted(required_depts, key=lambda d: (d.order, d.name))]
    for r in required:
        # Who may sign only matters while the plan awaits sign-offs: spare the lookups otherwise.
        r["can_sign"] = (plan.status == PlanStatus.IN_REVIEW and r["signoff"] is None
                         and selectors.can_sign_for(user, plan, r["department"]))
    today = timezone.localdate()
    status_options = _status_options()
    for c in commitments:
        c.overdue = c.is_overdue(today)
        c.can_update = plan.status != PlanStatus.CLOSED and (can_edit or c.owner_id == user.pk)
        c.status_options = status_options.get(c.status, "")
    with_forms = with_forms and can_edit
    choices = _choices_for(plan) if with_forms else None
    ctx = {
        "plan": plan, "account": account, "flags": selectors.plan_flags(plan, stale_days=settings.plan_stale_days),
        "tasks": tasks, "opportunities": opportunities, "commitments": commitments,
        "us_commitments": [c for c in commitments if c.party == Party.US],
        "client_commitments": [c for c in commitments if c.party == Party.CLIENT],
        "signoffs": active, "cleared_signoffs": [s for s in signoffs if s.cleared_at is not None],
        "required_signoffs": required, "commercial": getattr(plan, "commercial", False),
        **_agreement_marks(plan),
        "missing_signoffs": [r["label"] for r in required if r["signoff"] is None],
        "reviews": reviews, "value_entries": value_entries,
        "pipeline": services.weighted_pipeline(opportunities),
        "pipeline_total": sum((o.value for o in opportunities), 0),
        "value_total": sum((v.amount for v in value_entries), 0),
        "value_confirmed": sum((v.amount for v in value_entries if v.confirmed_by_client), 0),
        "can_edit": can_edit, "now": timezone.now(),
        "history": list(selectors.plan_history(plan, limit=5)),
    }
    if with_forms:
        ctx["sections"] = {s: section_form_class(s)(instance=plan, prefix=s) for s in SECTION_FIELDS}
        ctx["row_forms"] = {k: _row_form(k, plan, choices, prefix=k) for k in ROW_FORMS}
        # One fetch of the people for both "owner" lists (the page's query budget is tight).
        people = [("", "---------")] + [(u.pk, person_label(u)) for u in choices["people"]]
        for kind in ("task", "commitment"):
            ctx["row_forms"][kind].fields["owner"].choices = people
        ctx["agreement_form"] = ClientAgreementForm(account=account, prefix="agree")
        if plan.status == PlanStatus.DRAFT:
            ctx["period_form"] = PlanPeriodForm(prefix="period", initial={
                "period_kind": plan.period_kind, "period_start": plan.period_start, "version": plan.version})
    ctx.update(extra)
    return ctx


def _agreement_marks(plan, hidden=()) -> dict:
    """What the document marks as changed since the client's agreement: `changed` (text field → the
    text as agreed) and `commitment_marks` (id → "new" or "changed"), left out for hidden sections."""
    changes = selectors.agreement_changes(plan) if plan.client_agreed_at else None
    if not changes:
        return {"changes": None, "changed": {}, "commitment_marks": {}}
    visible = {"summary"}
    if "conocimiento" not in hidden:
        visible |= set(CONOCIMIENTO_FIELDS)
    if "vision" not in hidden:
        visible.add("vision_statement")
    agreed_text = changes["agreed"].content.get("text", {})
    marks = {}
    if "commitments" not in hidden:
        marks.update({c["id"]: "new" for c in changes["added"]})
        marks.update({c["after"]["id"]: "changed" for c in changes["changed"]})
    else:
        changes = {**changes, "removed": [], "added": [], "changed": []}
    return {"changes": changes, "commitment_marks": marks,
            "changed": {name: agreed_text.get(name, "") for name in changes["text"] if name in visible}}


# --- plans of an account --------------------------------------------------------------------------

@signed_in
def plan_list(request, pk):
    account = selectors.account_for_planning(request.user, pk)
    plans = list(selectors.plans_for_account(account))
    can_edit = request.user.has_perm("planning.change_plan", account)
    kind, start = services.next_period_start(account)
    form = PlanCreateForm(initial={"period_kind": kind, "period_start": start, "copy_last": bool(plans)})
    return render(request, "planning/plan_list.html", {"account": account, "plans": plans, "form": form,
                                                        "can_edit": can_edit})


@signed_in
@once_per_submit
def plan_create(request, pk):
    account = selectors.account_for_planning(request.user, pk)
    _require_editor(request.user, account)
    if request.method == "POST":
        form = PlanCreateForm(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_create(user=request.user, account=account, **form.cleaned_data)
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Plan created. Fill in the three phases, then submit it for "
                                            "internal sign-off."))
                return redirect(plan)
    else:
        kind, start = services.next_period_start(account)
        form = PlanCreateForm(initial={"period_kind": kind, "period_start": start,
                                       "copy_last": account.plans.exists()})
    return render(request, "planning/plan_create.html", {"account": account, "form": form})


# --- the editor -------------------------------------------------------------------------------------

@signed_in
def plan_detail(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    return render(request, "planning/plan_detail.html", _plan_context(request, plan))


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
    _require_editor(request.user, plan.account)
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
        plan = services.plan_update(user=request.user, plan_id=plan.pk, version=request.POST.get("version"),
                                    data=data)
    except Conflict as exc:
        versioning.keep_mine(exc, form)
        return _section_response(request, exc.current, section, form, conflict=exc)
    except Invalid as exc:
        add_to_form(form, exc)
        return _section_response(request, plan, section, form)
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect(_plan_url(plan, SECTION_TAB[section]))
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
        service(user=request.user, plan_id=plan.pk)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(_plan_url(plan, "compromiso"))


@signed_in
@once_per_submit
@require_POST
def plan_signoff(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    form = SignOffForm(request.POST)
    form.fields["department"].queryset = Department.objects.all()
    if form.is_valid():
        try:
            services.plan_sign_off(user=request.user, plan_id=plan.pk, department=form.cleaned_data["department"],
                                   note=form.cleaned_data["note"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Sign-off recorded."))
    else:
        messages.error(request, _("Choose what you are signing off for."))
    return redirect(_plan_url(plan, "compromiso"))


@signed_in
@once_per_submit
@require_POST
def plan_agreement(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    form = ClientAgreementForm(request.POST, account=plan.account, prefix="agree")
    if form.is_valid():
        try:
            services.plan_record_client_agreement(
                user=request.user, plan_id=plan.pk, agreed_by=form.cleaned_data["agreed_by"],
                contact=form.cleaned_data["contact"], channel=form.cleaned_data["channel"],
                note=form.cleaned_data["note"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The client's agreement was recorded: the plan is agreed."))
            return redirect(_plan_url(plan, "compromiso"))
    else:
        messages.error(request, _form_errors_text(form))
    return redirect(_plan_url(plan, "compromiso"))


@signed_in
@require_POST
def plan_period(request, pk):
    """Correct a draft plan's period."""
    plan = selectors.plan_get_for_user(request.user, pk)
    _require_editor(request.user, plan.account)
    form = PlanPeriodForm(request.POST, prefix="period")
    if form.is_valid():
        try:
            services.plan_set_period(user=request.user, plan_id=plan.pk, version=form.cleaned_data["version"],
                                     period_kind=form.cleaned_data["period_kind"],
                                     period_start=form.cleaned_data["period_start"])
        except Conflict as exc:
            messages.error(request, str(exc))
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Plan period changed."))
    else:
        messages.error(request, _form_errors_text(form))
    return redirect(_plan_url(plan))


# --- rows of the plan -------------------------------------------------------------------------------

def _rows_response(request, plan, kind, form):
    ctx = _plan_context(request, plan)
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
    form = _row_form(kind, plan, None, data=request.POST, prefix=kind)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            ROW_SERVICES[kind](user=request.user, plan_id=plan.pk, data=data)
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            plan = selectors.plan_get_for_user(request.user, pk)
            if not request.htmx:
                return redirect(_plan_url(plan, ROW_TAB[kind]))
            return acted(_rows_response(request, plan, kind, _row_form(kind, plan, None, prefix=kind)))
    if not request.htmx:
        messages.error(request, _form_errors_text(form))
        return redirect(_plan_url(plan, ROW_TAB[kind]))
    return _rows_response(request, plan, kind, form)


def _get_row(plan, kind, row):
    model = ROW_FORMS[kind]._meta.model
    return get_object_or_404(model, plan=plan, pk=row)


@signed_in
def row_edit(request, pk, kind, row):
    plan = selectors.plan_get_for_user(request.user, pk)
    if kind not in ROW_FORMS:
        raise Http404
    _require_editor(request.user, plan.account)
    instance = _get_row(plan, kind, row)
    conflict = None
    if request.method == "POST":
        form = _row_form(kind, plan, None, data=request.POST, instance=instance)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                ROW_SERVICES[kind](user=request.user, plan_id=plan.pk, data=data, pk=instance.pk,
                                   version=form.cleaned_data.get("version"))
            except Conflict as exc:
                # The next save is made knowingly from the version now shown.
                conflict = exc
                versioning.keep_mine(exc, form)
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(_plan_url(plan, ROW_TAB[kind]))
    else:
        form = _row_form(kind, plan, None, instance=instance)
    return render(request, "planning/row_edit.html", {"plan": plan, "kind": kind, "form": form, "row": instance,
                                                      "conflict": conflict, "tab": ROW_TAB[kind]})


@signed_in
@require_POST
def row_delete(request, pk, kind, row):
    plan = selectors.plan_get_for_user(request.user, pk)
    if kind not in ROW_FORMS:
        raise Http404
    try:
        if kind == "commitment":
            services.commitment_delete(user=request.user, plan_id=plan.pk, pk=row)
        else:
            services.row_delete(user=request.user, plan_id=plan.pk, kind=kind, pk=row)
    except Invalid as exc:
        messages.error(request, str(exc))
    except Commitment.DoesNotExist:
        raise Http404 from None
    else:
        messages.success(request, _("Removed."))
    return redirect(_plan_url(plan, ROW_TAB[kind]))


@signed_in
@require_POST
def commitment_status(request, pk):
    commitment = get_object_or_404(Commitment.objects.select_related("plan"), pk=pk)
    plan = selectors.plan_get_for_user(request.user, commitment.plan_id)
    form = CommitmentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_update_status(user=request.user, commitment_id=commitment.pk,
                                              status=form.cleaned_data["status"],
                                              delivered_on=form.cleaned_data["delivered_on"],
                                              version=form.cleaned_data["version"])
        except Conflict as exc:
            changes = "; ".join(f"{c.label}: {c.theirs}" for c in exc.changes)
            messages.error(request, f"{exc} {changes}")
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Commitment updated."))
    else:
        messages.error(request, _form_errors_text(form))
    return redirect(_plan_url(plan, "compromiso"))


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
    from kam.query import int_param
    from kam.selectors import paginate
    page = paginate(request, selectors.plan_history(plan), per_page=30)
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
    ctx = _plan_context(request, plan, with_forms=False)
    ctx["printing"] = True
    ctx["internal"] = True
    # Readers without commercial access print what they may read on screen, nothing more.
    ctx["hidden"] = set() if plan.commercial else {"opportunity_values", "value_amounts"}
    return render(request, "planning/plan_print.html", ctx)


# --- share links ----------------------------------------------------------------------------------

@signed_in
@once_per_submit
def plan_sharing(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    _require_editor(request.user, plan.account)
    new_url = None
    if request.method == "POST":
        form = ShareLinkForm(request.POST, account=plan.account)
        if form.is_valid():
            try:
                _link, token = services.share_link_create(
                    user=request.user, plan_id=plan.pk, hidden_sections=form.cleaned_data["hidden_sections"],
                    label=form.cleaned_data["label"], contact=form.cleaned_data["contact"],
                    days=form.cleaned_data["days"])
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                new_url = request.build_absolute_uri(reverse("planning:share", args=[token]))
                form = ShareLinkForm(account=plan.account)
    else:
        form = ShareLinkForm(account=plan.account)
    links = (plan.share_links.annotate(view_count=Count("views"), last_view=Max("views__viewed_at"))
             .select_related("contact", "created_by").prefetch_related("comments"))
    response = render(request, "planning/plan_sharing.html", {
        "plan": plan, "form": form, "links": links, "new_url": new_url, "now": timezone.now(),
        "section_labels": dict(ShareSection.choices),
    })
    # The new link is shown once, on this page (it is not stored): the token is spent all the same.
    return acted(response) if new_url else response


@signed_in
@require_POST
def share_revoke(request, pk):
    link = get_object_or_404(ShareLink.objects.select_related("plan"), pk=pk)
    plan = selectors.plan_get_for_user(request.user, link.plan_id)
    try:
        services.share_link_revoke(user=request.user, link_id=link.pk)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link revoked: it no longer opens the plan."))
    return redirect("planning:plan_sharing", pk=plan.pk)


def _share_invalid(request):
    # One page, one status for unknown, expired and revoked links: nothing tells them apart.
    return render(request, "planning/share_invalid.html", status=404)


@public
@once_per_submit
@never_cache
def share(request, token):
    if SHARE_LIMIT.hit(client_ip(request)) > SHARE_LIMIT.limit:
        return render(request, "planning/share_invalid.html", {"rate_limited": True}, status=429)
    link = services.share_link_resolve(token)
    if link is None:
        return _share_invalid(request)
    plan = link.plan
    accept_form = ShareAcceptForm(prefix="accept")
    comment_form = ShareCommentForm(prefix="comment")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                accept_form = ShareAcceptForm(request.POST, prefix="accept")
                if accept_form.is_valid():
                    services.share_accept(link=link, name=accept_form.cleaned_data["name"],
                                          comment=accept_form.cleaned_data["comment"])
                    messages.success(request, _("Thank you: your agreement to the plan was recorded."))
                    return redirect("planning:share", token=token)
            elif action == "comment":
                comment_form = ShareCommentForm(request.POST, prefix="comment")
                if comment_form.is_valid():
                    services.share_comment(link=link, name=comment_form.cleaned_data["name"],
                                           body=comment_form.cleaned_data["body"])
                    messages.success(request, _("Thank you: your comment was sent."))
                    return redirect("planning:share", token=token)
        except Invalid as exc:
            messages.error(request, str(exc))
        plan.refresh_from_db()
    else:
        services.share_view_log(link=link, ip=client_ip(request),
                                user_agent=request.META.get("HTTP_USER_AGENT", ""))
    hidden = set(link.hidden_sections)
    ctx = {"plan": plan, "link": link, "hidden": hidden, "accept_form": accept_form,
           "comment_form": comment_form, "token": token, "share": True}
    if "conocimiento" not in hidden:
        ctx["tasks"] = list(plan.tasks.all())
    if "vision" not in hidden:
        ctx["opportunities"] = list(plan.opportunities.all())
    if "commitments" not in hidden:
        commitments = list(plan.commitments.select_related("department", "contact", "owner"))
        ctx["us_commitments"] = [c for c in commitments if c.party == Party.US]
        ctx["client_commitments"] = [c for c in commitments if c.party == Party.CLIENT]
    if "signoffs" not in hidden:
        ctx["signoffs"] = list(plan.signoffs.select_related("department", "signed_by"))
    if "reviews" not in hidden:
        ctx["reviews"] = list(plan.reviews.all())
    if "value" not in hidden:
        ctx["value_entries"] = list(plan.value_entries.all())
    ctx["comments"] = list(link.comments.all())
    # What the client agreed to stays what they agreed to: changes made since are marked, never shown
    # under their acceptance as if agreed.
    ctx.update(_agreement_marks(plan, hidden))
    response = render(request, "planning/share.html", ctx)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The site's "same-origin" referrer policy already keeps the token out of other sites' logs;
    # "no-referrer" would make browsers send `Origin: null` on the accept form and fail CSRF.
    return response


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
        _require_editor(request.user, account)
        form = NegotiationCreateForm(request.POST)
        if form.is_valid():
            try:
                neg = services.negotiation_create(user=request.user, account=account,
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
            field = form.fields[name]
            field.choices = list(field.choices)
        ctx["to_commitment_form"] = form
    ctx.update(extra)
    return ctx


@signed_in
def negotiation_detail(request, pk):
    neg = selectors.negotiation_get_for_user(request.user, pk)
    conflict = None
    if request.method == "POST":
        _require_editor(request.user, neg.account)
        form = NegotiationForm(request.POST, instance=neg)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.negotiation_update(user=request.user, negotiation_id=neg.pk,
                                            version=form.cleaned_data["version"], data=data)
            except Conflict as exc:
                conflict = exc
                versioning.keep_mine(exc, form)
            except Invalid as exc:
                add_to_form(form, exc)
            else:
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
            services.negotiation_row_save(user=request.user, negotiation_id=neg.pk, kind=kind,
                                          data={k: v for k, v in form.cleaned_data.items() if k != "version"})
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
    try:
        services.negotiation_row_delete(user=request.user, negotiation_id=neg.pk, kind=kind, pk=row)
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
    _require_editor(request.user, neg.account)
    instance = get_object_or_404(services.NEGOTIATION_ROWS[kind], negotiation=neg, pk=row)
    conflict = None
    if request.method == "POST":
        form = NEG_ROW_FORMS[kind](request.POST, instance=instance)
        if form.is_valid():
            try:
                services.negotiation_row_save(
                    user=request.user, negotiation_id=neg.pk, kind=kind, pk=instance.pk,
                    version=form.cleaned_data.get("version"),
                    data={k: v for k, v in form.cleaned_data.items() if k != "version"})
            except Conflict as exc:
                conflict = exc
                versioning.keep_mine(exc, form)
            except Invalid as exc:
                add_to_form(form, exc)
            else:
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
    from .models import NegotiationAgreement

    agreement = get_object_or_404(NegotiationAgreement.objects.select_related("negotiation"), pk=pk)
    neg = selectors.negotiation_get_for_user(request.user, agreement.negotiation_id)
    form = AgreementToCommitmentForm(request.POST, account=neg.account)
    if form.is_valid():
        try:
            commitment = services.agreement_to_commitment(user=request.user, agreement_id=agreement.pk,
                                                          **form.cleaned_data)
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The agreement is now a commitment in the plan for %(period)s.")
                             % {"period": commitment.plan.period_label})
    return redirect(reverse("planning:negotiation_detail", args=[neg.pk]) + "#agreement")

