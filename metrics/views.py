from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from kam import versioning
from kam.access import public, role_required, signed_in
from kam.errors import Forbidden, Invalid
from kam.models import ProgrammeSettings
from kam.ratelimit import client_ip
from kam.roles import KAM, LEAD, SPONSOR, has_role
from kam.uploads import IMAGE_MAX_BYTES, image_head_refusal, upload_limit, upload_refused, upload_type_refusal
from planning import selectors as planning_selectors
from planning.views.client import SHARE_LIMIT, verified_session
from touchpoints import services as touchpoint_services

from . import selectors, services
from .forms import ProgrammeSettingsForm


@signed_in
def account_brief(request, pk):
    """The one-page brief before a meeting: whoever may see the account reads it (404 otherwise)."""
    account = account_selectors.account_get_for_user(request.user, pk)
    return render(request, "metrics/account_brief.html", selectors.account_brief(request.user, account))


@signed_in
def my_work(request):
    """Everyone's home: what is theirs to do, whatever their role."""
    return render(request, "metrics/my_work.html", selectors.my_work(request.user))


@role_required(KAM)
def dashboard_kam(request):
    return render(request, "metrics/dashboard_kam.html",
                  selectors.kam_dashboard(request.user, request.GET.get("page"), request.GET.urlencode()))


@role_required(SPONSOR)
def dashboard_sponsor(request):
    return render(request, "metrics/dashboard_sponsor.html",
                  selectors.sponsor_dashboard(request.user, request.GET.get("page"), request.GET.urlencode()))


@role_required(LEAD, SPONSOR)
def dashboard_program(request):
    return render(request, "metrics/dashboard_program.html",
                  {**selectors.programme_dashboard(), "is_lead": has_role(request.user, LEAD)})


def _logo_max_bytes() -> int:
    return IMAGE_MAX_BYTES


@upload_limit(_logo_max_bytes, check=image_head_refusal)
@role_required(LEAD)
def programme_settings(request):
    files = request.FILES if request.method == "POST" else None  # parses the body: the refusal is known after
    refusal = ""
    if upload_refused(request):
        refusal = _("The logo may be at most 1 MB.")
    elif upload_type_refusal(request):
        refusal = upload_type_refusal(request)
    form = ProgrammeSettingsForm(request.POST or None, files or None, instance=ProgrammeSettings.current(),
                                 upload_refusal=refusal)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        if not data:
            messages.info(request, _("Nothing changed."))
            return redirect("metrics:programme_settings")
        done, conflict = versioning.form_write(form, lambda: services.programme_settings_update(
            actor=request.user, expected_version=form.cleaned_data.get("version"), data=data))
        if done:
            messages.success(request, _("Programme settings saved. Health and CLV use them from the next "
                                        "recompute."))
            return redirect("metrics:programme_settings")
    return render(request, "metrics/programme_settings.html", {
        "form": form, "history": selectors.programme_settings_history(), "conflict": conflict,
    })


@role_required(LEAD)
@require_POST
def recompute_now(request):
    """The lead asks for today's figures now (after changing the settings, say) instead of waiting for
    the night. Recorded in the outbox, so it is not lost while the broker is away (kam.tasks.enqueue);
    on the embedded default it runs here and now. A recompute that then fails is shown on the programme
    dashboard. The rule (the lead only) is in the service."""
    if services.recompute_request(actor=request.user) is None:
        messages.success(request, _("Figures recomputed."))
    else:
        messages.success(request, _("Recompute queued: the figures update in a minute or two."))
    target = request.POST.get("next", "")
    # Only a local path: redirect() would take anything else for a URL name and fail on it.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target,
                                                                       allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "metrics:dashboard_program")


@public
@never_cache
def share_survey(request, token):
    """The verified client of a share link rates the partnership: the plan's page (planning) hands the
    client to the contact's survey (touchpoints), two apps that never import each other, so the step
    lives here. Under the share link's path, so the browser sends the link's client session with it."""
    if SHARE_LIMIT.hit(client_ip(request)) > SHARE_LIMIT.limit:
        return render(request, "planning/share_invalid.html", {"rate_limited": True}, status=429)
    link = planning_selectors.share_link_resolve(token)
    if link is None:
        return render(request, "planning/share_invalid.html", status=404)
    session = verified_session(request, link)
    if session is None or session.contact is None:
        return redirect("planning:share", token=token)
    # The invitation is the account team's, as if the KAM had sent it: whoever shared the plan, else
    # the account's KAM (the service checks that they may ask this client).
    inviter = link.created_by if link.created_by.has_perm("touchpoints.send_survey", link.plan.account) \
        else link.plan.account.kam
    try:
        _survey, survey_token = touchpoint_services.survey_link_for(actor=inviter, contact=session.contact)
    except (Forbidden, Invalid):
        messages.error(request, _("The survey cannot be opened from here just now: the account team will send "
                                  "it to you."))
        return redirect("planning:share", token=token)
    return redirect("touchpoints:survey", token=survey_token)
