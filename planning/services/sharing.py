"""Share links: the plan as the client sees it, their comments and their agreement."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.errors import Forbidden, Invalid, clean
from kam.services import notification_send

from .. import messages as msg
from .. import selectors
from ..models import (
    AccountPlan,
    AgreementChannel,
    ShareComment,
    ShareLink,
    ShareView,
)
from .plans import (
    _agree,
    _event,
    _lock_plan,
    _plan_link,
    _require_edit,
)

SHARE_DEFAULT_DAYS = 30



@transaction.atomic
def share_link_create(*, actor, plan: AccountPlan, hidden_sections: list[str], label: str = "", contact=None,
                      days: int = SHARE_DEFAULT_DAYS) -> tuple[ShareLink, str]:
    """Returns the link and its token; the token is not stored and cannot be shown again."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    if contact is not None and contact.account_id != plan.account_id:
        raise Invalid(errors={"contact": [_("That contact is not one of this client's people.")]})
    if not 1 <= days <= 365:
        raise Invalid(errors={"days": [_("A link lasts between 1 and 365 days.")]})
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(plan=plan, token_hash=selectors.token_hash(token), label=label, contact=contact,
                                    hidden_sections=sorted(set(hidden_sections)), created_by=actor,
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    _event(plan, actor, msg.SHARED, "shared", who=label or contact or "—")
    return link, token


@transaction.atomic
def share_link_revoke(*, actor, link: ShareLink) -> ShareLink:
    link = ShareLink.objects.select_for_update(of=("self",)).select_related("plan__account").get(pk=link.pk)
    if not actor.has_perm("planning.change_plan", link.plan.account):
        raise Forbidden(_("Only the plan's editors may revoke its links."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def share_view_log(*, link: ShareLink, ip: str | None, user_agent: str) -> ShareView:
    return ShareView.objects.create(link=link, ip=ip or None, user_agent=user_agent[:300])


@transaction.atomic
def share_accept(*, link: ShareLink, name: str, comment: str = "") -> AccountPlan:
    name = name.strip()
    if not name:
        raise Invalid(errors={"name": [_("Please write your name to accept the plan.")]})
    note = ShareComment(link=link, author=name[:160], body=comment.strip())
    clean(note, exclude=["link", "body"] if not note.body else ["link"])
    plan = _lock_plan(link.plan_id)
    if note.body:
        note.save()
    return _agree(plan, by=name, contact=link.contact, channel=AgreementChannel.SHARE_LINK,
                  note=note.body, actor=None)


@transaction.atomic
def share_comment(*, link: ShareLink, name: str, body: str) -> ShareComment:
    if not name.strip() or not body.strip():
        raise Invalid(_("Please write your name and your comment."))
    c = ShareComment(link=link, author=name.strip()[:160], body=body.strip())
    clean(c, exclude=["link"])  # a client's page: the same bounds as ours (length, invisible characters)
    c.save()
    plan = link.plan
    notification_send(
        recipients=[plan.owner, plan.account.kam], event_key=f"share-comment:{c.pk}",
        message=msg.NOTICE_SHARE_COMMENT, params={"account": plan.account, "author": c.author, "text": c.body[:500]},
        link=_plan_link(plan))
    return c


def share_views_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget share-link views older than the retention period (`KAM_SHARE_VIEW_RETENTION_DAYS`): each
    holds a client's address and browser, kept only as long as it helps to know who opened a link."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.KAM_SHARE_VIEW_RETENTION_DAYS)
    return ShareView.objects.filter(viewed_at__lt=cutoff).delete()[0]
