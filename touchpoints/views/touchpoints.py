from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ActivityKind
from accounts.selectors import account_get_for_user
from kam import departments, exports
from kam.access import signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.models import Department
from kam.people import person_label
from kam.selectors import paginate

from .. import selectors, services
from ..exports import timeline_touchpoints, touchpoint_sheet
from ..forms import (
    FeedbackForm,
    PartnershipRatingForm,
    TouchpointForm,
)
from ..models import TouchpointKind
from .common import _account_from_query, _account_picker, _labels


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
