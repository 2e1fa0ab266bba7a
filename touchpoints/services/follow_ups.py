"""Follow-ups of touchpoints: who does what by when after a contact, closed from "My work" and reminded
on the day they fall due."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, ActivityKind
from accounts.services import activity_record
from kam import versioning
from kam.errors import Forbidden, Invalid
from kam.services import notification_send

from .. import messages as msg
from .. import selectors
from ..models import Touchpoint

# What closing a follow-up changes: a close from an older version says which of these moved.
FOLLOW_UP_FIELDS = ("follow_up_note", "follow_up_owner", "follow_up_due", "follow_up_closed_at")


def checked(*, actor, account: Account, follow_up: bool, owner, due: datetime.date | None,
            day: datetime.date) -> tuple:
    """The follow-up's owner and due date as the touchpoint keeps them: none without a follow-up; with
    one, a due date on or after the touchpoint's day and an owner (the person logging by default) who
    may see the account, since the follow-up sends them to it."""
    if not follow_up:
        return None, None
    if due is None:
        raise Invalid(errors={"follow_up_due": [_("Say by when the follow-up is due.")]})
    if due < day:
        raise Invalid(errors={"follow_up_due": [_("The follow-up cannot be due before the touchpoint.")]})
    owner = owner or actor
    if not owner.is_active or not owner.has_perm("accounts.view_account", account):
        raise Invalid(errors={"follow_up_owner": [_("Choose someone who works with this account.")]})
    return owner, due


@transaction.atomic
def touchpoint_follow_up_close(*, actor, touchpoint: Touchpoint, expected_version) -> Touchpoint:
    """Mark the touchpoint's follow-up done. Closing one already closed changes nothing (a second click,
    or two people at once); closing from a version older than a change of the follow-up is refused with
    `Conflict`. The touchpoint's history keeps who closed it and when."""
    if not actor.has_perm("touchpoints.close_follow_up", touchpoint):
        raise Forbidden(_("Only the follow-up's owner, the person who logged it, the account's KAM or the "
                          "programme lead close it."))
    locked = Touchpoint.objects.select_for_update(of=("self",)).select_related("account").get(pk=touchpoint.pk)
    if not locked.follow_up:
        raise Invalid(_("This touchpoint has no follow-up."))
    if locked.follow_up_closed_at is not None:
        return locked
    versioning.check(locked, expected_version, FOLLOW_UP_FIELDS)
    locked.follow_up_closed_at = timezone.now()
    locked.follow_up_closed_by = actor
    versioning.bump(locked)
    locked._history_user = actor
    locked.save(update_fields=["follow_up_closed_at", "follow_up_closed_by", "version"])
    activity_record(account=locked.account, kind=ActivityKind.TOUCHPOINT, subkind="follow_up_closed", actor=actor,
                    message=msg.FOLLOW_UP_CLOSED, params={"note": locked.follow_up_note[:200]},
                    link=reverse("touchpoints:timeline", args=[locked.account_id]))
    return locked


def touchpoint_follow_ups_remind(*, today: datetime.date | None = None) -> int:
    """Daily: remind each open follow-up's owner on the day it falls due, or on the first run after.
    Once per follow-up and due date: the event key names both, so moving the date reminds again."""
    today = today or timezone.localdate()
    sent = 0
    for touchpoint in selectors.follow_ups_due(today=today).iterator(chunk_size=500):
        assert touchpoint.follow_up_due is not None  # selectors.open_follow_ups
        sent += len(notification_send(
            recipients=[touchpoint.follow_up_owner],
            event_key=f"touchpoint:{touchpoint.pk}:follow-up:{touchpoint.follow_up_due.isoformat()}",
            message=msg.NOTICE_FOLLOW_UP_DUE,
            params={"account": touchpoint.account.name, "what": touchpoint.follow_up_note[:200],
                    "date": touchpoint.follow_up_due},
            link=reverse("metrics:my_work")))
    return sent
