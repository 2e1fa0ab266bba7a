"""Share links, as the plan's editors manage them: made for a contact, sent to them, revoked, opened
again after the client's conditions are answered; and our answers to the client's requests. The
client's own page is `client`."""

from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.access import signed_in
from kam.errors import Invalid, add_to_form
from kam.idempotency import acted, once_per_submit

from .. import selectors, services, workflow
from ..forms import ShareLinkForm, ThreadAnswerForm
from ..models import ClientThread, ShareLink, ShareSection
from .base import plan_url, require_editor


@signed_in
@once_per_submit
def plan_sharing(request, pk):
    plan = selectors.plan_get_for_user(request.user, pk)
    require_editor(request.user, plan.account)
    new_url = new_link = token = None
    if request.method == "POST":
        form = ShareLinkForm(request.POST, account=plan.account)
        if form.is_valid():
            try:
                new_link, token = services.share_link_create(
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
    links = (plan.share_links.annotate(view_count=Count("views", distinct=True),
                                       last_view=Max("views__viewed_at"),
                                       action_count=Count("client_actions", distinct=True))
             .select_related("contact", "created_by"))
    response = render(request, "planning/plan_sharing.html", {
        "plan": plan, "form": form, "links": links, "new_url": new_url, "new_link": new_link, "token": token,
        "now": timezone.now(), "section_labels": dict(ShareSection.choices), "actions": workflow.allowed(plan.status),
        "changes_requested": selectors.changes_requested(plan),
    })
    # The new link is shown once, on this page (it is not stored): the token is spent all the same.
    return acted(response) if new_url else response


def _editor_link(request, pk):
    link = get_object_or_404(ShareLink.objects.select_related("plan"), pk=pk)
    plan = selectors.plan_get_for_user(request.user, link.plan_id)
    return link, plan


@signed_in
@require_POST
def share_revoke(request, pk):
    link, plan = _editor_link(request, pk)
    services.share_link_revoke(actor=request.user, link=link)
    messages.success(request, _("Link revoked: it no longer opens the plan, and the client's sessions on it ended."))
    return redirect("planning:plan_sharing", pk=plan.pk)


@signed_in
@require_POST
def share_send(request, pk):
    """E-mail a link just created to its contact: the page that showed the token sends it back."""
    link, plan = _editor_link(request, pk)
    token = request.POST.get("token", "")
    try:
        services.share_link_send(actor=request.user, link=link, token=token,
                                 url=request.build_absolute_uri(reverse("planning:share", args=[token])))
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link sent to %(who)s. They will be asked for a code sent to the same "
                                    "address.") % {"who": link.label})
    return redirect("planning:plan_sharing", pk=plan.pk)


@signed_in
@require_POST
def share_reopen(request, pk):
    link, plan = _editor_link(request, pk)
    try:
        services.share_link_reopen(actor=request.user, link=link)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The plan is open again for the client's agreement on this link."))
    return redirect("planning:plan_sharing", pk=plan.pk)


@signed_in
@require_POST
def thread_answer(request, pk):
    thread = get_object_or_404(ClientThread, pk=pk)
    plan = selectors.plan_get_for_user(request.user, thread.plan_id)
    require_editor(request.user, plan.account)
    form = ThreadAnswerForm(request.POST, prefix=f"answer-{thread.pk}")
    if not form.is_valid():
        messages.error(request, _("Write your answer."))
        return redirect(plan_url(plan, "client"))
    try:
        services.client_thread_answer(actor=request.user, thread=thread, body=form.cleaned_data["body"])
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Answer sent: the client reads it on their link."))
    return redirect(plan_url(plan, "client"))
