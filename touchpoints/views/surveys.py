"""The client survey: the page the client answers through their link (no account: the link is the
credential), and the KAM's "send the survey now" from the account page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.selectors import account_get_for_user, contact_page_language
from kam.access import public, signed_in
from kam.errors import Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.models import ProgrammeSettings
from kam.ratelimit import RateLimit, client_ip

from .. import selectors, services
from ..forms import SurveyForm
from ..models import SurveyLink

# Survey-link lookups per client address and minute: plenty for a person answering, useless for
# guessing 256-bit tokens.
SURVEY_LIMIT = RateLimit("survey-link", limit=30, window=60)


def _client_page(request, template: str, context: dict, *, language: str | None, status: int = 200):
    """A page for the client: in the contact's language when they have one, else the browser's."""
    language = language or translation.get_language()
    with translation.override(language):
        response = render(request, template, {**context, "page_language": language}, status=status)
    response["Content-Language"] = language
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public
@once_per_submit
@never_cache
def survey(request, token):
    if SURVEY_LIMIT.hit(client_ip(request)) > SURVEY_LIMIT.limit:
        return _client_page(request, "touchpoints/survey_closed.html", {"rate_limited": True}, language=None,
                            status=429)
    link = selectors.survey_link_resolve(token)
    if link is None:
        return _client_page(request, "touchpoints/survey_closed.html", {}, language=None, status=404)
    language = contact_page_language(link.contact) or None
    with translation.override(language or translation.get_language()):
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_answer(link=link, data=form.cleaned_data)
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                return redirect(f"{reverse('touchpoints:survey_thanks')}?lang={language or ''}")
    return _client_page(request, "touchpoints/survey.html",
                        {"form": form, "supplier": ProgrammeSettings.current().supplier_name,
                         "name": link.contact.name}, language=language, status=400 if form.errors else 200)


@public
def survey_thanks(request):
    """After the answer (a redirect, so reloading does not send it again): in the contact's language."""
    language = request.GET.get("lang", "")
    return _client_page(request, "touchpoints/survey_thanks.html",
                        {"supplier": ProgrammeSettings.current().supplier_name},
                        language=language if language in dict(settings.LANGUAGES) else None)


@signed_in
@require_POST
@once_per_submit
def survey_send(request, pk):
    account = account_get_for_user(request.user, pk)
    if not request.user.has_perm("touchpoints.send_survey", account):
        raise PermissionDenied
    contact = get_object_or_404(account.contacts.all(), pk=request.POST.get("contact") or 0)
    try:
        services.survey_send(actor=request.user, contact=contact)
    except Invalid as exc:
        messages.error(request, " ".join(str(m) for ms in (exc.errors or {}).values() for m in ms) or str(exc))
    else:
        messages.success(request, _("Survey sent to %(name)s.") % {"name": contact.name})
    return redirect("accounts:detail", pk=account.pk)


@signed_in
@require_POST
def survey_revoke(request, pk):
    """The KAM withdraws an invitation not yet answered: its link stops working at once."""
    link = get_object_or_404(SurveyLink.objects.select_related("account"), pk=pk)
    account = account_get_for_user(request.user, link.account_id)
    services.survey_link_revoke(actor=request.user, link=link)
    messages.success(request, _("Survey link withdrawn: it no longer opens the survey."))
    return redirect("accounts:detail", pk=account.pk)
