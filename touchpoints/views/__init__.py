from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ActivityKind, Tier
from accounts.selectors import account_get_for_user
from kam import departments, exports, versioning
from kam.access import role_required, signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.models import Department
from kam.people import person_label
from kam.query import int_param
from kam.roles import KAM, LEAD, OPERATIONS
from kam.selectors import paginate

from .. import selectors, services
from ..exports import incident_sheet, timeline_touchpoints, touchpoint_sheet
from ..forms import (
    FeedbackForm,
    IncidentFilterForm,
    IncidentForm,
    IncidentUpdateForm,
    PartnershipRatingForm,
    SlaPolicyFormSet,
    TouchpointForm,
)
from ..models import IncidentCategory, IncidentStatus, Severity, SlaPolicy, TouchpointKind
from ..presentation import incident_clocks


def _account_from_query(request, param="account"):
    """The account named in the query string, if the user may see it (404 otherwise)."""
    query = request.GET if request.GET.get(param) else request.POST
    if not query.get(param):
        return None
    pk = int_param(query, param)
    if pk is None:
        raise Http404
    return account_get_for_user(request.user, pk)


# --- Touchpoints -----------------------------------------------------------------------------------
@signed_in
@once_per_submit
def touchpoint_new(request):
    """Phone-first quick logging: pick the account (search), then one short form."""
    account = _account_from_query(request)
    if account is None:
        return _account_picker(request, target="touchpoints:touchpoint_new", incidents=False,
                               title=_("Log a touchpoint"))
    if not request.user.has_perm("touchpoints.log_touchpoint", account):
        raise Http404
    if request.method == "POST":
        form = TouchpointForm(request.POST, user=request.user, account=account)
        if form.is_valid():
            data = form.cleaned_data
            if data["account"].pk != account.pk:
                raise Http404
            try:
                services.touchpoint_log(
                    actor=request.user, account=account, occurred_at=data["occurred_at"],
                    department=data["department"], channel=data["channel"], kind=data["kind"],
                    summary=data["summary"], quality=data["quality"], our_people=data["our_people"],
                    contacts=data["contacts"], follow_up=data["follow_up"],
                    follow_up_note=data["follow_up_note"], follow_up_owner=data["follow_up_owner"],
                    follow_up_due=data["follow_up_due"], cost=data["cost"],
                )
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Touchpoint logged on %(account)s.") % {"account": account.name})
                return redirect("touchpoints:timeline", pk=account.pk)
    else:
        initial = {}
        if request.GET.get("kind") in TouchpointKind.values:
            initial["kind"] = request.GET["kind"]
            if initial["kind"] == TouchpointKind.EXECUTIVE_VISIT:
                initial["department"] = Department.objects.filter(code=departments.EXECUTIVE).first()
        form = TouchpointForm(user=request.user, account=account, initial=initial)
    return render(request, "touchpoints/touchpoint_form.html", {"form": form, "account": account})


@signed_in
@require_POST
def follow_up_close(request, pk):
    """Mark a follow-up done from "My work": htmx swaps the row for its done state; without htmx the
    page comes back with a message. The rule (who may close) is the service's."""
    touchpoint = selectors.follow_up_get_for_user(request.user, pk)
    conflict = False
    try:
        touchpoint = services.touchpoint_follow_up_close(actor=request.user, touchpoint=touchpoint,
                                                         expected_version=request.POST.get("version"))
    except Conflict:
        conflict = True
        touchpoint = selectors.follow_up_get_for_user(request.user, pk)
    if request.htmx:
        return render(request, "touchpoints/partials/follow_up_done.html",
                      {"touchpoint": touchpoint, "conflict": conflict})
    if conflict:
        messages.warning(request, _("The follow-up changed since you opened the page: check it and try again."))
    else:
        messages.success(request, _("Follow-up marked done."))
    return redirect("metrics:my_work")


def _account_picker(request, *, target: str, incidents: bool, title: str):
    query = request.GET.get("q", "").strip()[:100]
    accounts = selectors.accounts_for_picker(request.user, query=query, incidents=incidents)
    context = {"accounts": accounts, "query": query, "target": target, "title": title,
               "incidents": incidents}
    if request.htmx:
        return render(request, "touchpoints/partials/account_options.html", context)
    return render(request, "touchpoints/account_picker.html", context)


@signed_in
@require_GET
def account_search(request):
    """htmx: the accounts matching the search box, as links to the form for the chosen one."""
    target = request.GET.get("target")
    if target not in ("touchpoints:touchpoint_new", "touchpoints:incident_new"):
        target = "touchpoints:touchpoint_new"
    query = request.GET.get("q", "").strip()[:100]
    incidents = target == "touchpoints:incident_new"
    accounts = selectors.accounts_for_picker(request.user, query=query, incidents=incidents)
    return render(request, "touchpoints/partials/account_options.html",
                  {"accounts": accounts, "query": query, "target": target, "incidents": incidents})


# --- Timeline --------------------------------------------------------------------------------------
@signed_in
@require_GET
def timeline(request, pk):
    account = account_get_for_user(request.user, pk)
    departments = selectors.department_coverage(account)
    codes = {d.code for d in departments}
    department = request.GET.get("department", "")
    department = department if department in codes else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in ActivityKind.values else ""
    page = paginate(request, selectors.timeline(account, request.user, department=department, kind=kind))
    kinds = _labels(ActivityKind.choices)
    when_format = get_format("SHORT_DATETIME_FORMAT")
    for a in page.object_list:
        # Resolved once here rather than per row in the template (labels are lazy translations, and
        # the date filter looks its format up again on every call).
        a.kind_label = kinds.get(a.kind, a.kind)
        local = timezone.localtime(a.occurred_at)
        a.when_iso, a.when_text = local.isoformat(), dateformat.format(local, when_format)
        a.actor_name = person_label(a.actor)
        a.department_name = str(a.department) if a.department_id else ""
    return render(request, "touchpoints/timeline.html", {
        "account": account, "page": page, "departments": departments, "department": department,
        "kind": kind, "kinds": list(kinds.items()),
        "covered": sum(1 for d in departments if d.events),
    })


@signed_in
@require_GET
def touchpoints_export(request, pk, fmt):
    """The account's touchpoints under the timeline's filters, as CSV or XLSX."""
    account = account_get_for_user(request.user, pk)
    department = request.GET.get("department", "")
    department = department if department and Department.objects.filter(code=department).exists() else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in ActivityKind.values else ""
    touchpoints = timeline_touchpoints(account, department=department, kind=kind)
    exports.require_within_bound(touchpoints, fmt)
    sheet = touchpoint_sheet(touchpoints, commercial=request.user.has_perm("accounts.view_commercial", account))
    return exports.export_response(fmt, f"touchpoints-{account.pk}", [sheet])


# --- Incidents -------------------------------------------------------------------------------------
def _incident_queue(request):
    """The queue under the page's filters: an invalid filter shows the default queue, as the page does."""
    filter_form = IncidentFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else {}
    return filter_form, filters, selectors.incident_queue(request.user, **filters)


@role_required(OPERATIONS, LEAD, KAM)
@require_GET
def incident_list(request):
    filter_form, filters, queue = _incident_queue(request)
    qs = queue.values_list("pk", flat=True)
    page = paginate(request, qs)
    return render(request, "touchpoints/incident_list.html", {
        "page": page, "rows": _queue_rows(selectors.incidents_in_order(page.object_list)),
        "filter_fields": _filter_fields(filter_form), "filtered": bool(filters),
    })


@role_required(OPERATIONS, LEAD, KAM)
@require_GET
def incident_export(request, fmt):
    """The incident queue under the page's filters, as CSV or XLSX."""
    _form, _filters, queue = _incident_queue(request)
    exports.require_within_bound(queue, fmt)
    return exports.export_response(fmt, "incidents", [incident_sheet(request.user, queue)])


def _labels(choices) -> dict:
    # Translated once per request: get_FOO_display() would rebuild and hash every lazy label per row.
    return {value: str(label) for value, label in choices}


def _queue_rows(incidents) -> list[tuple]:
    """(incident, clocks) per queue row, with the labels and link it shows resolved up front so the
    template does no lookups per row."""
    now = timezone.now()
    category, severity, status = (_labels(IncidentCategory.choices), _labels(Severity.choices),
                                  _labels(IncidentStatus.choices))
    detail = reverse("touchpoints:incident_detail", args=[0])[:-2]  # ".../incidents/" + pk + "/"
    opened_format = get_format("SHORT_DATETIME_FORMAT")
    for i in incidents:
        i.opened_text = dateformat.format(timezone.localtime(i.opened_at), opened_format)
        i.url = f"{detail}{i.pk}/"
        i.category_label = category.get(i.category, i.category)
        i.severity_label = severity.get(i.severity, i.severity)
        i.status_label = status.get(i.status, i.status)
    return [(i, incident_clocks(i, now)) for i in incidents]


def _filter_fields(form) -> list[dict]:
    """The queue's filter controls with their options and the selected one resolved up front."""
    fields = []
    for field in form:
        current = "" if field.value() is None else str(field.value())
        options = None
        if field.name != "account":
            options = [(str(v), str(label), str(v) == current) for v, label in field.field.choices]
        fields.append({"name": field.name, "id": field.id_for_label, "label": field.label,
                       "value": current, "options": options})
    return fields


@signed_in
@once_per_submit
def incident_new(request):
    account = _account_from_query(request)
    if account is None:
        return _account_picker(request, target="touchpoints:incident_new", incidents=True,
                               title=_("Report a service incident"))
    if not request.user.has_perm("touchpoints.work_incident", account):
        raise PermissionDenied
    if request.method == "POST":
        form = IncidentForm(request.POST, user=request.user, account=account)
        if form.is_valid():
            data = form.cleaned_data
            if data["account"].pk != account.pk:
                raise Http404
            try:
                incident = services.incident_open(
                    actor=request.user, account=account, category=data["category"], severity=data["severity"],
                    title=data["title"], description=data["description"], contact=data["contact"],
                )
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Incident #%(pk)s opened. Acknowledge by %(due)s.") % {
                    "pk": incident.pk,
                    "due": timezone.localtime(incident.ack_due_at).strftime("%d/%m/%Y %H:%M")})
                return redirect("touchpoints:incident_detail", pk=incident.pk)
    else:
        form = IncidentForm(user=request.user, account=account)
    policies = {p.severity: p for p in SlaPolicy.objects.filter(tier=account.tier)}
    return render(request, "touchpoints/incident_form.html",
                  {"form": form, "account": account, "policies": policies})


@signed_in
def incident_detail(request, pk):
    incident = selectors.incident_get_for_user(request.user, pk)
    can_work = request.user.has_perm("touchpoints.work_incident", incident.account)
    form = conflict = None
    status = 200
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied
        form = IncidentUpdateForm(request.POST, incident=incident)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.incident_update(
                    actor=request.user, incident=incident, expected_version=data["version"],
                    status=data["status"], resolution=data["resolution"], cost=data["cost"],
                )
            except Conflict as exc:
                # The saved incident on the page, the user's values kept in the form beside it.
                conflict, status = exc, 409
                incident = selectors.incident_get_for_user(request.user, pk)
                versioning.keep_mine(exc, form)
                form = IncidentUpdateForm(form.data, incident=incident)
                form.is_valid()
            except Invalid as exc:
                add_to_form(form, exc)
                status = 400
            else:
                messages.success(request, _("Incident updated."))
                return redirect("touchpoints:incident_detail", pk=incident.pk)
        else:
            status = 400
    elif can_work and incident.status != "closed":
        form = IncidentUpdateForm(incident=incident)
    history = selectors.timeline(incident.account, request.user).filter(
        link=reverse("touchpoints:incident_detail", args=[incident.pk]))[:50]
    return render(request, "touchpoints/incident_detail.html", {
        "incident": incident, "clocks": incident_clocks(incident, timezone.now()), "form": form,
        "can_work": can_work, "history": history, "conflict": conflict,
    }, status=status)


@role_required(LEAD)
def sla_policies(request):
    # Key accounts first and the gravest severity first: the order the lead reads the grid in.
    tier_rank = Case(*[When(tier=t, then=Value(i)) for i, t in enumerate(Tier.values)], output_field=IntegerField())
    severity_rank = Case(*[When(severity=s, then=Value(i)) for i, s in enumerate(reversed(Severity.values))],
                         output_field=IntegerField())
    qs = SlaPolicy.objects.order_by(tier_rank, severity_rank)
    conflict, status = None, 200
    if request.method == "POST":
        formset = SlaPolicyFormSet(request.POST, queryset=qs)
        status = 400
        if formset.is_valid():
            rows = formset.rows()
            try:
                saved = services.sla_policies_update(actor=request.user, rows=rows)
            except Conflict as exc:
                # The lead's hours stay in the rows they edited, now based on the version saved, so
                # saving again is a decision made with both values in view; the rows they did not
                # touch show what is saved now.
                conflict, status = exc, 409
                data, edited = request.POST.copy(), {row.policy_id for row in rows}
                # A new query: the formset's rows now hold the values the lead sent.
                saved_now = {p.pk: p for p in qs.all()}
                for form in formset.forms:
                    policy = saved_now[form.instance.pk]
                    data[form.add_prefix("version")] = policy.version
                    for name in services.SLA_FIELDS:
                        data[form.add_initial_prefix(name)] = getattr(policy, name)
                        if policy.pk not in edited:
                            data[form.add_prefix(name)] = getattr(policy, name)
                formset = SlaPolicyFormSet(data, queryset=qs.all())
                formset.is_valid()
            except Invalid as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("SLA policy saved (%(n)d changed). Incidents already open keep "
                                            "their deadlines.") % {"n": len(saved)})
                return redirect("touchpoints:sla_policies")
    else:
        formset = SlaPolicyFormSet(queryset=qs)
    return render(request, "touchpoints/sla_policies.html", {"formset": formset, "conflict": conflict},
                  status=status)


# --- Feedback --------------------------------------------------------------------------------------
@signed_in
@require_GET
def feedback_list(request, pk):
    account = account_get_for_user(request.user, pk)
    feedback, ratings = selectors.feedback_history(account)
    return render(request, "touchpoints/feedback_list.html", {
        "account": account,
        "feedback_page": paginate(request, feedback),
        "ratings": ratings[:50],
        "can_rate": request.user.has_perm("touchpoints.rate_partnership", account),
        "can_record": request.user.has_perm("touchpoints.log_touchpoint", account),
    })


@signed_in
@once_per_submit
def feedback_new(request, pk):
    account = account_get_for_user(request.user, pk)
    if not request.user.has_perm("touchpoints.log_touchpoint", account):
        raise PermissionDenied
    form = FeedbackForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_record(actor=request.user, account=account, contact=data["contact"],
                                     score=data["score"], comment=data["comment"],
                                     received_on=data["received_on"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Client feedback recorded."))
            return redirect("touchpoints:feedback_list", pk=account.pk)
    return render(request, "touchpoints/feedback_form.html",
                  {"form": form, "account": account, "title": _("Record client feedback")},
                  status=400 if form.errors else 200)


@signed_in
@once_per_submit
def partnership_rating_new(request, pk):
    account = account_get_for_user(request.user, pk)
    if not request.user.has_perm("touchpoints.rate_partnership", account):
        raise PermissionDenied
    form = PartnershipRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partnership_rate(actor=request.user, account=account, score=data["score"],
                                      comment=data["comment"], rated_on=data["rated_on"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Partnership rating recorded."))
            return redirect("touchpoints:feedback_list", pk=account.pk)
    return render(request, "touchpoints/feedback_form.html",
                  {"form": form, "account": account, "title": _("Rate the partnership")},
                  status=400 if form.errors else 200)



from .surveys import survey, survey_revoke, survey_send, survey_thanks  # noqa: E402  (the survey's pages, re-exported as this package's)

__all__ = ["survey", "survey_revoke", "survey_send", "survey_thanks"]
