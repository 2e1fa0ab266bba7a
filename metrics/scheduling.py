"""When the figures are recomputed besides the nightly run: after the data they are made of changes.

A financials import, a change of the programme settings and a tier decision each ask for a recompute;
several in a row (an import of twelve files, a lead adjusting three weights) make one run, a little after
the last of them. The recompute is the whole base at once (set-based, about a minute at 100,000
accounts), so a run per change would only repeat the same work.
"""

import datetime

from kam.tasks import enqueue_once

# Long enough to gather a burst of changes, short enough that the lead sees the figures move while
# still looking at them.
RECOMPUTE_DEBOUNCE = datetime.timedelta(seconds=60)
# A steady stream of changes still gets its figures within this long.
RECOMPUTE_MAX_WAIT = datetime.timedelta(minutes=10)


def _triggers(old: dict, new: dict) -> dict:
    """The joined request names every change that asked for it ("import+settings"), within the
    RecomputeRun.trigger column."""
    names = [t for t in str(old.get("trigger", "")).split("+") if t]
    for t in str(new.get("trigger", "")).split("+"):
        if t and t not in names:
            names.append(t)
    return {**old, "trigger": "+".join(names)[:40]}


def recompute_schedule(*, trigger: str, delay: datetime.timedelta = RECOMPUTE_DEBOUNCE):
    """Ask for today's recompute because `trigger` changed the data: one pending recompute at a time,
    run `delay` after the last request (kam.tasks.enqueue_once). In the caller's transaction: it exists
    if and only if the change committed. Returns the outbox row (None on the embedded default, where it
    runs in-process when the transaction commits)."""
    from .tasks import recompute_metrics

    return enqueue_once(recompute_metrics, delay=delay, max_wait=RECOMPUTE_MAX_WAIT, combine=_triggers,
                        trigger=trigger)
