"""The client's page of a share link. The link names the plan; a one-time code e-mailed to the contact
it is addressed to proves who is reading; a cookie scoped to the link's path then holds a short client
session that opens the client's actions on that link and nothing else (no page of ours reads it)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.selectors import contact_page_language
from kam.access import public
from kam.errors import Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.ratelimit import RateLimit, client_ip

from .. import selectors, services
from ..forms import ClientAcceptForm, ClientCommitmentForm, ClientRequestForm, ClientValueForm, ShareCodeForm
from ..models import Commitment, ValueDelivered

# Share-link lookups per client address and minute: ample for a person reading and working on a plan,
# useless for guessing 256-bit tokens (and it keeps scanners off the database).
SHARE_LIMIT = RateLimit("share-link", limit=30, window=60)


def session_cookie_name(link) -> str:
    return f"kam_client_{link.pk}"


def _origin(request) -> services.Origin:
    return services.Origin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


def verified_session(request, link):
    """The client session this browser holds on `link` (None: the client has not entered a code, or the
    session ended). Every client page of the link asks it first."""
    key = request.get_signed_cookie(session_cookie_name(link), default=None, salt=f"planning.share.{link.pk}")
    return selectors.client_session_resolve(link, key)


def _invalid(request):
    # One page, one status for unknown, expired and revoked links: nothing tells them apart.
    return render(request, "planning/share_invalid.html", status=404)


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The site's "same-origin" referrer policy already keeps the token out of other sites' logs;
    # "no-referrer" would make browsers send `Origin: null` on the forms and fail CSRF.
    return response


def _verify_page(request, link, code_form, *, status=200):
    return _noindex(render(request, "planning/share_verify.html", {
        "link": link, "form": code_form, "email": selectors.masked_email(link.email),
        "code_minutes": selectors.CODE_MINUTES, "share": True}, status=status))


def _forms(targets, data=None, action=None):
    def bound(name):
        return data if action == name else None
    return {
        "request_form": ClientRequestForm(bound("request"), prefix="request", sections=targets["request_sections"],
                                          commitments=targets["request_commitments"]),
        "accept_form": ClientAcceptForm(bound("accept"), prefix="accept"),
        "commitment_form": ClientCommitmentForm(bound("commitment"), prefix="commitment"),
        "value_form": ClientValueForm(bound("value"), prefix="value"),
    }


def client_page(request, link, session, *, token: str = "", forms=None, error_row=None, status=200):
    """The verified client's page, in whatever state the plan is (open for agreement, changes
    requested, agreed). Public for the pages' safety tests, which render it in every state."""
    ctx = selectors.share_document(link)
    ctx.update(forms or _forms(ctx))
    ctx.update({"session": session, "error_row": error_row, "share": True, "token": token,
                "who": session.contact.name if session.contact else link.label})
    return _noindex(render(request, "planning/share.html", ctx, status=status))


def _act(link, session, action, form, request):
    """Run the client's action `action` with the valid `form`; returns the thanks."""
    origin = _origin(request)
    data = form.cleaned_data
    if action == "commitment":
        commitment = Commitment(pk=_row_id(request))
        services.client_commitment_status(session=session, commitment=commitment, status=data["status"],
                                          note=data["note"], on_date=data["on_date"], origin=origin)
        return _("Thank you: the commitment's status was updated.")
    if action == "value":
        entry = ValueDelivered(pk=_row_id(request))
        services.client_value_answer(session=session, entry=entry, confirmed=data["answer"] == "confirm",
                                     note=data["note"], origin=origin)
        return _("Thank you: your answer was recorded.")
    if action == "request":
        kind, _sep, key = data["target"].partition(":")
        about = Commitment(pk=int(key)) if kind == "commitment" and key.isdigit() else None
        services.client_request_change(session=session, body=data["body"], section=key if kind == "section" else "",
                                       commitment=about, origin=origin)
        return _("Thank you: your request was sent to the account team.")
    services.client_accept(session=session, conditions=data["conditions"], origin=origin)
    if data["conditions"]:
        return _("Thank you: your conditions were sent. The account team will answer them and share the plan again.")
    return _("Thank you: your agreement to the plan was recorded.")


def _row_id(request) -> int:
    row = request.POST.get("row", "")
    if not row.isdigit():
        raise Invalid(_("Choose a row of the plan."))
    return int(row)


@public
@once_per_submit
@never_cache
def share(request, token):
    if SHARE_LIMIT.hit(client_ip(request)) > SHARE_LIMIT.limit:
        return render(request, "planning/share_invalid.html", {"rate_limited": True}, status=429)
    link = selectors.share_link_resolve(token)
    if link is None or not link.email:  # links made before they were addressed cannot be verified
        return _invalid(request)
    language = contact_page_language(link.contact)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    session = verified_session(request, link)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "GET":
        services.share_view_log(link=link, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    if session is None:
        return _unverified(request, link, token, action)
    if action in ("commitment", "value", "request", "accept"):
        targets = selectors.client_targets(link)
        forms = _forms(targets, request.POST, action)
        form = forms[f"{action}_form"]
        try:
            if form.is_valid():
                messages.success(request, _act(link, session, action, form, request))
                return redirect("planning:share", token=token)
        except Invalid as exc:
            if exc.errors:
                add_to_form(form, exc)
            else:
                messages.error(request, str(exc))
        link.plan.refresh_from_db()
        return client_page(request, link, session, token=token, forms=forms,
                           error_row=request.POST.get("row") if action in ("commitment", "value") else None)
    return client_page(request, link, session, token=token)


def _unverified(request, link, token, action):
    form = ShareCodeForm(prefix="code")
    if action == "send_code":
        try:
            services.share_code_request(link=link, origin=_origin(request))
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("We sent a code to %(email)s. It is valid for %(minutes)d minutes.") % {
                "email": selectors.masked_email(link.email), "minutes": selectors.CODE_MINUTES})
        return redirect("planning:share", token=token)
    if action == "verify":
        form = ShareCodeForm(request.POST, prefix="code")
        if form.is_valid():
            try:
                _session_row, key = services.share_code_verify(link=link, code=form.cleaned_data["code"],
                                                               origin=_origin(request))
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                response = redirect("planning:share", token=token)
                response.set_signed_cookie(
                    session_cookie_name(link), key, salt=f"planning.share.{link.pk}",
                    max_age=selectors.CLIENT_SESSION_HOURS * 3600, path=request.path, httponly=True,
                    secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
                return response
        return _verify_page(request, link, form, status=400)
    return _verify_page(request, link, form)
