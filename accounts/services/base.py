"""What every write of the accounts app shares: the permission check, row and advisory locks, the event stream."""

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from kam import messages
from kam.errors import Forbidden, Invalid

from ..models import (
    Account,
    Activity,
)

ACTION_REFUSED = {
    "accounts.add_account": gettext_lazy("Only key account managers and the programme lead record new accounts."),
    "accounts.change_account": gettext_lazy("Only the account's KAM, a KAM on its team or the programme lead may "
                                     "change this account."),
    "accounts.assign_people": gettext_lazy("The programme lead assigns each account's KAM and executive sponsor: "
                                    "ask the programme lead."),
    "accounts.manage_team": gettext_lazy("Only the account's KAM and the programme lead manage its team."),
    "accounts.assess_account": gettext_lazy("Only the programme lead and the executive sponsors assess accounts."),
    "accounts.decide_tier": gettext_lazy("Only the programme lead decides an account's tier."),
    "accounts.manage_programme": gettext_lazy("Only the programme lead changes the selection criteria and the "
                                       "programme settings."),
    "accounts.change_financials": gettext_lazy("Financial figures come from finance: the programme lead or Finance "
                                        "on the account's team enters them."),
    "accounts.import_data": gettext_lazy("Only the programme lead imports data."),
    "accounts.handle_personal_data": gettext_lazy("Only the programme lead exports or erases a person's data."),
}


def permission_require(*, actor: User | None, perm: str, obj=None) -> None:
    """Refuse with `Forbidden` unless `actor` holds `perm` (on `obj`): every write of this app asks here,
    whichever view, import or job calls it."""
    if actor is None or not actor.has_perm(perm, obj):
        raise Forbidden(str(ACTION_REFUSED.get(perm, gettext_lazy("You may not do this."))))


def _lock(queryset, pk):
    """The row, locked for the rest of the transaction (permission and version checks come after, on
    the row as it is now)."""
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def advisory_lock(key: int) -> None:
    """A transaction-level lock on `key` (PostgreSQL); SQLite already runs one write transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# Every transaction that updates account rows across the table (the revenue and Pareto recompute, the
# quadrant and score recomputes) takes this lock before any row lock of its own: two of them, or one and
# an edit that locked a row first, would otherwise lock rows in different orders and deadlock.
ACCOUNT_ROWS_LOCK = 7_306_002
# Promotions to key account count the key accounts under this lock (see tier_decide).
KEY_CAP_LOCK = 7_306_003


@transaction.atomic
def activity_record(*, account: Account, kind: str, summary: str = "", actor=None, occurred_at=None,
                    link: str = "", department=None, subkind: str = "", commercial: bool = False,
                    message: str = "", params: dict | None = None) -> Activity:
    """Add one event to the account's stream, in the caller's transaction: the event exists exactly
    when the change it describes does.

    `message` is a kind of kam.messages and `params` its parameters: each reader sees the event in
    their language. `summary` is then written from them in the programme's language, for what reads
    the stored text (search, personal-data reports)."""
    fields = dict(account=account, kind=kind, summary=summary[:300], actor=actor, link=link[:300],
                  department=department, subkind=subkind, commercial=commercial)
    if message:
        fields.update(messages.event_fields(message, params))
    if occurred_at is not None:
        fields["occurred_at"] = occurred_at
    return Activity.objects.create(**fields)


def _account_link(account) -> str:
    return reverse("accounts:detail", args=[account.pk])


def _save_unique(instance, constraint: str, field: str, message: str) -> None:
    """Save; a unique constraint that another transaction won meanwhile (the form checked before that
    commit) becomes the field's error instead of a server error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        if constraint not in str(exc):
            raise
        raise Invalid(errors={field: [message]}) from exc
