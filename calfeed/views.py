"""The person's calendar address (made, shown once, revoked) and the feed it serves without a session."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kam.access import public, signed_in
from kam.idempotency import acted, once_per_submit
from kam.ratelimit import RateLimit, client_ip
from kam.selectors import user_language_chosen

from . import ics, selectors, services, sources

# Feed fetches per client address and minute: calendar apps poll every few hours; this is useless for
# guessing 256-bit tokens and keeps scanners off the database (as for plan share links).
FEED_LIMIT = RateLimit("calendar-feed", limit=30, window=60)


def feed_language(user, default: str) -> str:
    """The person's own language when they chose one on their profile, else the request's (a calendar
    application asks with its own)."""
    return user_language_chosen(user) or default


@signed_in
@once_per_submit
def feed_settings(request):
    new_url = None
    if request.method == "POST":
        _feed, token = services.calendar_feed_create(actor=request.user, user=request.user)
        new_url = request.build_absolute_uri(reverse("calfeed:feed", args=[token]))
    response = render(request, "calfeed/settings.html", {
        "feed": selectors.active_feed_of(request.user), "new_url": new_url})
    # The new address is shown once, on this page (it is not stored).
    return acted(response) if new_url else response


@signed_in
@require_POST
def feed_revoke(request):
    feed = selectors.active_feed_of(request.user)
    if feed is not None:
        services.calendar_feed_revoke(actor=request.user, feed=feed)
        messages.success(request, _("Calendar address revoked: calendars using it no longer update."))
    return redirect("calfeed:settings")


@public
@never_cache  # private, no-store: a shared cache must never keep someone's dates
def feed(request, token):
    if FEED_LIMIT.hit(client_ip(request)) > FEED_LIMIT.limit:
        return HttpResponse(status=429)
    found = selectors.feed_resolve(token)
    if found is None:
        raise Http404
    user = found.user
    with translation.override(feed_language(user, translation.get_language())):
        body = ics.render(sources.events_for(user), name=_("KAM: my dates"),
                          base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kam.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
