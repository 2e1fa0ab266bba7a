"""Share links: made and revoked by the plan's editors, opened by the client without an account."""

from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kam.access import public, signed_in
from kam.errors import Invalid, add_to_form
from kam.idempotency import acted, once_per_submit
from kam.ratelimit import RateLimit, client_ip

from .. import selectors, services, workflow
from ..forms import (
    ShareAcceptForm,
    ShareCommentForm,
    ShareLinkForm,
)
from ..models import (
    ShareLink,
    ShareSection,
)
from .base import (
    require_editor,
)

# Share-link lookups per client address and minute: ample for a person reading and accepting a
# plan, useless for guessing 256-bit tokens (and it keeps scanners off the database).
SHARE_LIMIT = RateLimit("share-link", limit=30, window=60)


# --- share links ----------------------------------------------------------------------------------

@signed_in
@once_per_submit
def plan_sharing(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    require_editor(request.user, plan.account)
    new_url = None
    if request.method == "POST":
        form = ShareLinkForm(request.POST, account=plan.account)
        if form.is_valid():
            try:
                _link, token = services.share_link_create(
                    actor=request.user, plan=plan, hidden_sections=form.cleaned_data["hidden_sections"],
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
        "section_labels": dict(ShareSection.choices), "actions": workflow.allowed(plan.status),
    })
    # The new link is shown once, on this page (it is not stored): the token is spent all the same.
    return acted(response) if new_url else response


@signed_in
@require_POST
def share_revoke(request, pk):
    link = get_object_or_404(ShareLink.objects.select_related("plan"), pk=pk)
    plan = selectors.plan_get_for_user(request.user, link.plan_id)
    try:
        services.share_link_revoke(actor=request.user, link=link)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link revoked: it no longer opens the plan."))
    return redirect("planning:plan_sharing", pk=plan.pk)


# What the client may do on the shared plan: the form, the service it calls and the thanks.
SHARE_ACTIONS = {
    "accept": (ShareAcceptForm, lambda link, data: services.share_accept(link=link, name=data["name"],
                                                                          comment=data["comment"]),
               _lazy("Thank you: your agreement to the plan was recorded.")),
    "comment": (ShareCommentForm, lambda link, data: services.share_comment(link=link, name=data["name"],
                                                                             body=data["body"]),
                _lazy("Thank you: your comment was sent.")),
}


def _share_form_errors(exc: Invalid, action: str) -> Invalid:
    """The service names the model's fields (author, body); the forms call them name and body/comment."""
    if not exc.errors:
        return exc
    names: dict[str | None, str | None] = {"author": "name", "agreed_by": "name",
                                           "body": "comment" if action == "accept" else "body"}
    return Invalid(exc.message, errors={names.get(k, k): v for k, v in exc.errors.items()})


def _share_invalid(request):
    # One page, one status for unknown, expired and revoked links: nothing tells them apart.
    return render(request, "planning/share_invalid.html", status=404)


@public
@once_per_submit
@never_cache
def share(request, token):
    if SHARE_LIMIT.hit(client_ip(request)) > SHARE_LIMIT.limit:
        return render(request, "planning/share_invalid.html", {"rate_limited": True}, status=429)
    link = selectors.share_link_resolve(token)
    if link is None:
        return _share_invalid(request)
    forms = {name: form_class(prefix=name) for name, (form_class, _act, _done) in SHARE_ACTIONS.items()}
    if request.method == "POST":
        action = request.POST.get("action")
        if action in SHARE_ACTIONS:
            form_class, act, done = SHARE_ACTIONS[action]
            forms[action] = form = form_class(request.POST, prefix=action)
            try:
                if form.is_valid():
                    act(link, form.cleaned_data)
                    messages.success(request, done)
                    return redirect("planning:share", token=token)
            except Invalid as exc:
                if exc.errors:  # the service's bounds: on their fields (name, comment)
                    add_to_form(form, _share_form_errors(exc, action))
                else:  # the plan's state (not open for agreement): the form may not be on the page
                    messages.error(request, str(exc))
        link.plan.refresh_from_db()
    else:
        services.share_view_log(link=link, ip=client_ip(request),
                                user_agent=request.META.get("HTTP_USER_AGENT", ""))
    # What the client agreed to stays what they agreed to: changes made since are marked, never shown
    # under their acceptance as if agreed.
    ctx = {**selectors.share_document(link), "accept_form": forms["accept"], "comment_form": forms["comment"],
           "token": token, "share": True}
    response = render(request, "planning/share.html", ctx)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The site's "same-origin" referrer policy already keeps the token out of other sites' logs;
    # "no-referrer" would make browsers send `Origin: null` on the accept form and fail CSRF.
    return response
