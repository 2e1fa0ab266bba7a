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

from accounts.models import Tier
from kam import exports, versioning
from kam.access import role_required, signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR
from kam.selectors import paginate

from .. import selectors, services
from ..exports import incident_sheet
from ..forms import (
    IncidentAssignForm,
    IncidentFilterForm,
    IncidentForm,
    IncidentUpdateForm,
    SlaPolicyFormSet,
)
from ..models import IncidentCategory, IncidentStatus, Severity, SlaPolicy
from ..presentation import incident_clocks
from .common import _account_from_query, _account_picker, _labels


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
        i.assignee_name = person_label(i.assignee) if i.assignee_id else ""
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
                    status=data["status"], severity=data["severity"] or None,
                    waiting_on_client=data["waiting_on_client"], resolution=data["resolution"],
                    root_cause=data["root_cause"], corrective_action=data["corrective_action"], cost=data["cost"],
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
    return _detail_page(request, incident, form=form, conflict=conflict, status=status, can_work=can_work)


def _detail_page(request, incident, *, form=None, assign_form=None, conflict=None, status=200, can_work=True):
    history = selectors.timeline(incident.account, request.user).filter(
        link=reverse("touchpoints:incident_detail", args=[incident.pk]))[:50]
    if form is None and can_work and incident.status != IncidentStatus.CLOSED:
        form = IncidentUpdateForm(incident=incident)
    may_assign = can_work and request.user.has_perm("touchpoints.assign_incident", incident.account)
    if assign_form is None and may_assign and incident.is_active:
        assign_form = IncidentAssignForm(incident=incident)
    may_take = (can_work and incident.is_active and incident.assignee_id != request.user.pk
                and selectors.is_assignable(incident.account, request.user.pk))
    return render(request, "touchpoints/incident_detail.html", {
        "incident": incident, "clocks": incident_clocks(incident, timezone.now()), "form": form,
        "assign_form": assign_form, "may_take": may_take, "may_assign": may_assign,
        "can_work": can_work, "history": history, "conflict": conflict,
    }, status=status)


@signed_in
@require_POST
def incident_assign(request, pk):
    """Give the incident to a person in operations, take it ("take it" sends oneself) or unassign it.
    Who may is the service's rule."""
    incident = selectors.incident_get_for_user(request.user, pk)
    form = IncidentAssignForm(request.POST, incident=incident)
    if form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.incident_assign(
            actor=request.user, incident=incident, assignee=form.cleaned_data["assignee"],
            expected_version=form.cleaned_data.get("version")))
        if done:
            assignee = form.cleaned_data["assignee"]
            messages.success(request, _("Incident assigned to %(who)s.") % {"who": person_label(assignee)}
                             if assignee else _("Incident unassigned."))
            return redirect("touchpoints:incident_detail", pk=incident.pk)
        if conflict:
            incident = selectors.incident_get_for_user(request.user, pk)
        return _detail_page(request, incident, assign_form=form, conflict=conflict,
                            status=409 if conflict else 400,
                            can_work=request.user.has_perm("touchpoints.work_incident", incident.account))
    return _detail_page(request, incident, assign_form=form, status=400,
                        can_work=request.user.has_perm("touchpoints.work_incident", incident.account))


@role_required(OPERATIONS, LEAD, KAM, SPONSOR)
@require_GET
def sla_policy_read(request):
    """The SLA policy operations work to, tier by severity, with the business-hours calendar: read by
    everyone inside, edited by the lead on the SLA policy page."""
    import datetime

    from django.conf import settings
    from django.utils.dates import WEEKDAYS

    programme = ProgrammeSettings.current()
    return render(request, "touchpoints/sla_policy_read.html", {
        "grid": selectors.sla_grid(), "programme": programme, "time_zone": settings.TIME_ZONE,
        "work_days_text": ", ".join(str(WEEKDAYS[d]) for d in sorted(programme.work_days)),
        "holidays": [datetime.date.fromisoformat(d) for d in sorted(programme.holidays)],
        "can_edit": request.user.has_perm("accounts.manage_programme"),
    })


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

