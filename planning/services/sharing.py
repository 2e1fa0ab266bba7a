"""Share links: made for one client contact, sent to them, revoked, and opened again for the client's
agreement once the KAM has answered their conditions."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import contact_language
from kam.errors import Forbidden, Invalid
from kam.tokens import token_new

from .. import messages as msg
from .. import selectors
from ..models import AccountPlan, ClientSession, ClientThread, ShareCode, ShareLink, ShareView, ThreadKind
from .plans import _event, _lock_plan, _require_edit

SHARE_DEFAULT_DAYS = 30


def _resolve_conditions(plan, actor) -> None:
    """Sharing again ends a "changes requested" state, but only once every condition has our answer:
    the client must not be asked to agree to a plan whose conditions nobody replied to."""
    open_conditions = ClientThread.objects.select_for_update().filter(
        plan=plan, kind=ThreadKind.CONDITIONS, resolved_at__isnull=True)
    if any(t.answered_at is None for t in open_conditions):
        raise Invalid(_("The client accepted with conditions: answer them on the plan page before sharing "
                        "the plan again."))
    open_conditions.update(resolved_at=timezone.now())


@transaction.atomic
def share_link_create(*, actor, plan: AccountPlan, hidden_sections: list[str], contact, label: str = "",
                      days: int = SHARE_DEFAULT_DAYS) -> tuple[ShareLink, str]:
    """Returns the link and its token; the token is not stored and cannot be shown again. The link is
    addressed to one contact of the account with an e-mail address: only they can open it (a code is
    sent to that address)."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    if contact is None:
        raise Invalid(errors={"contact": [_("Choose the client contact the plan is for.")]})
    if contact.account_id != plan.account_id:
        raise Invalid(errors={"contact": [_("That contact is not one of this client's people.")]})
    if not contact.email or contact.left_at is not None:
        raise Invalid(errors={"contact": [_("That contact has no e-mail address: add one to the contact first.")]})
    if not 1 <= days <= 365:
        raise Invalid(errors={"days": [_("A link lasts between 1 and 365 days.")]})
    _resolve_conditions(plan, actor)
    token, hashed = token_new()
    link = ShareLink.objects.create(plan=plan, token_hash=hashed, label=label or contact.name,
                                    contact=contact, email=contact.email,
                                    hidden_sections=sorted(set(hidden_sections)), created_by=actor,
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    _event(plan, actor, msg.SHARED, "shared", who=link.label)
    return link, token


@transaction.atomic
def share_link_reopen(*, actor, link: ShareLink) -> ShareLink:
    """Share again on the same link, after answering the client's conditions."""
    plan = _lock_plan(link.plan_id)
    _require_edit(actor, plan)
    link = ShareLink.objects.get(pk=link.pk)
    if not link.is_active():
        raise Invalid(_("This link has expired or was revoked: create a new one."))
    if not selectors.changes_requested(plan):
        raise Invalid(_("The client has not asked for changes: the link is already open for their agreement."))
    _resolve_conditions(plan, actor)
    _event(plan, actor, msg.RESHARED, "reshared", who=link.label)
    return link


def _require_link_editor(actor, link) -> ShareLink:
    link = ShareLink.objects.select_for_update(of=("self",)).select_related("plan__account", "contact").get(pk=link.pk)
    if not actor.has_perm("planning.change_plan", link.plan.account):
        raise Forbidden(_("Only the plan's editors may manage its links."))
    return link


@transaction.atomic
def share_link_revoke(*, actor, link: ShareLink) -> ShareLink:
    """Revoking ends the client's sessions on the link too: nothing opened through it keeps working."""
    link = _require_link_editor(actor, link)
    now = timezone.now()
    if link.revoked_at is None:
        link.revoked_at = now
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
    ClientSession.objects.filter(link=link, ended_at__isnull=True).update(ended_at=now)
    return link


@transaction.atomic
def share_link_send(*, actor, link: ShareLink, token: str, url: str) -> ShareLink:
    """E-mail the link to its contact, in their language, explaining the code step. The token comes
    back from the page that showed it once; it must be this link's."""
    link = _require_link_editor(actor, link)
    if not link.is_active():
        raise Invalid(_("This link has expired or was revoked: create a new one."))
    if not token or selectors.token_hash(token) != link.token_hash:
        raise Invalid(_("The link can be sent only from the page that created it."))
    if not link.email:
        raise Invalid(_("This link has no e-mail address to send it to."))
    language = contact_language(link.contact)
    with translation.override(language):
        context = {"link": link, "url": url, "plan": link.plan, "sender": actor,
                   "code_minutes": selectors.CODE_MINUTES}
        subject = render_to_string("planning/email/share_link_subject.txt", context).strip()
        body = render_to_string("planning/email/share_link.txt", context)
    # Sent now, inside the transaction: a failure leaves no "sent" event behind and the KAM sees it.
    send_mail(subject, body, None, [link.email])
    _event(link.plan, actor, msg.SHARED, "share_sent", who=link.label)
    return link


def share_view_log(*, link: ShareLink, ip: str | None, user_agent: str) -> ShareView:
    return ShareView.objects.create(link=link, ip=ip or None, user_agent=user_agent[:300])


def share_views_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget share-link views and ended client sessions older than the retention period
    (`KAM_SHARE_VIEW_RETENTION_DAYS`): each holds a client's address and browser, kept only as long as it
    helps to know who opened a link. Codes are forgotten a day after they stopped working. The client's
    actions stay: they are the record of what the client did to the plan."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.KAM_SHARE_VIEW_RETENTION_DAYS)
    ShareCode.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
    ClientSession.objects.filter(expires_at__lt=cutoff).delete()
    return ShareView.objects.filter(viewed_at__lt=cutoff).delete()[0]
