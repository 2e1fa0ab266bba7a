"""The plan's client PDF: downloaded by the plan's editors for one of its share links, and by the client
under the link's token. Both render `planning.client_pdf.client_plan_pdf(link)`, the link's own view of
the plan. The client downloads it only with the verified session of that link, like the page itself."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from kam.access import public, signed_in
from kam.ratelimit import client_ip

from .. import client_pdf, selectors
from ..models import ShareLink
from .base import require_editor
from .client import SHARE_LIMIT, verified_session


def _pdf_response(link: ShareLink) -> HttpResponse:
    response = HttpResponse(client_pdf.client_plan_pdf(link), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{client_pdf.client_pdf_filename(link)}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@signed_in
def share_link_pdf(request, pk):
    """The editor's download: the PDF exactly as the client of link `pk` receives it."""
    link = get_object_or_404(ShareLink.objects.select_related("plan__account", "contact"), pk=pk)
    selectors.plan_get_for_user(request.user, link.plan_id)
    require_editor(request.user, link.plan.account)
    return _pdf_response(link)


@public
@never_cache
def share_pdf(request, token):
    """The client's download under the share link's token (the same throttle as the share page); without
    the link's verified session the client is sent to the page, which asks for the code."""
    if SHARE_LIMIT.hit(client_ip(request)) > SHARE_LIMIT.limit:
        return render(request, "planning/share_invalid.html", {"rate_limited": True}, status=429)
    link = selectors.share_link_resolve(token)
    if link is None:
        return render(request, "planning/share_invalid.html", status=404)
    if verified_session(request, link) is None:
        return redirect("planning:share", token=token)
    return _pdf_response(link)
