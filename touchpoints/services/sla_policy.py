"""The SLA policy table, edited by the programme lead."""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Conflict, Forbidden, Invalid

from ..models import SlaClock, SlaPolicy

SLA_FIELDS = ("ack_hours", "resolve_hours", "clock")


class SlaRow(NamedTuple):
    """One edited row of the SLA table: the policy, the version the lead started from, the new hours."""

    policy_id: int
    expected_version: object
    ack_hours: int
    resolve_hours: int
    clock: str | None = None  # None: as saved


@transaction.atomic
def sla_policies_update(*, actor, rows: Iterable[SlaRow]) -> list[SlaPolicy]:
    """Change the hours of some tier x severity rows, all or none. Incidents already open keep their
    deadlines. A row someone else saved since the lead loaded the table refuses the whole save with
    Conflict: every such row's changes (theirs and the lead's), and the rows as they are now."""
    if not actor.has_perm("accounts.manage_programme"):
        raise Forbidden(_("Only the programme lead changes the SLA policy."))
    rows = list(rows)
    for row in rows:
        if row.ack_hours < 1 or row.resolve_hours < row.ack_hours:
            raise Invalid(_("Hours must be at least 1, and resolving cannot take less than acknowledging."))
        if row.clock is not None and row.clock not in SlaClock.values:
            raise Invalid(_("Choose around the clock or business hours."))
    # Locked in one statement, in key order: two saves of overlapping rows cannot deadlock.
    locked = {p.pk: p for p in SlaPolicy.objects.select_for_update().filter(pk__in=[r.policy_id for r in rows])
              .order_by("pk")}
    if len(locked) != len({r.policy_id for r in rows}):
        raise Invalid(_("The SLA table sent does not match the saved one. Reload the page and make your "
                        "change again."))
    moved, changes = [], []
    for row in rows:
        policy = locked[row.policy_id]
        try:
            versioning.check(policy, row.expected_version, SLA_FIELDS)
        except Conflict as exc:
            moved.append(policy)
            for change in exc.changes:
                if getattr(row, change.field) is None:
                    continue  # a row that leaves the clock as saved has no value of its own to show
                change.label = f"{policy}: {change.label}"
                change.mine = str(getattr(row, change.field))
                changes.append(change)
    if moved:
        raise Conflict(current=moved, changes=changes)
    saved = []
    for row in rows:
        policy = locked[row.policy_id]
        clock = row.clock or policy.clock
        if (policy.ack_hours, policy.resolve_hours, policy.clock) == (row.ack_hours, row.resolve_hours, clock):
            continue
        policy.ack_hours, policy.resolve_hours, policy.clock = row.ack_hours, row.resolve_hours, clock
        versioning.bump(policy)
        policy.save()
        saved.append(policy)
    return saved

