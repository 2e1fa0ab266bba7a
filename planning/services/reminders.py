"""Reminders of reviews due, stale plans, commitments due or missed and knowledge tasks falling due
(run daily)."""

import datetime

from django.db.models import Q
from django.utils import timezone

from kam.models import ProgrammeSettings
from kam.services import notification_send

from .. import messages as msg
from .. import selectors
from ..models import (
    AccountPlan,
    CommitmentStatus,
    Party,
    PlanStatus,
)
from .plans import (
    _plan_link,
)


def plan_reminders_send(*, today: datetime.date | None = None, within_days: int = 7) -> int:
    """Remind the people concerned of reviews due, stale plans, commitments due soon or missed, and
    owners of knowledge tasks on the day they fall due (or the first run after).

    Each reminder's event key names the occurrence (the review date, the last edit's date, the due
    date), so a daily run notifies once per occurrence, and again only when there is a new one.
    Returns the number of notifications created.
    """
    today = today or timezone.localdate()
    settings = ProgrammeSettings.current()
    sent = 0
    plans = (selectors.with_flags(AccountPlan.objects.exclude(status=PlanStatus.CLOSED), today=today,
                                  stale_days=settings.plan_stale_days)
             .filter(Q(is_stale=True) | Q(review_due=True)).select_related("account__kam", "owner"))
    for plan in plans.iterator(chunk_size=500):
        people = [plan.owner, plan.account.kam]
        if plan.review_due:
            sent += len(notification_send(
                recipients=people, event_key=f"plan:{plan.pk}:review-due:{plan.next_review_date}",
                message=msg.NOTICE_REVIEW_DUE, params={"account": plan.account, "date": plan.next_review_date},
                link=_plan_link(plan)))
        if plan.is_stale:
            sent += len(notification_send(
                recipients=people, event_key=f"plan:{plan.pk}:stale:{plan.updated_at.date()}",
                message=msg.NOTICE_STALE,
                params={"days": (today - plan.updated_at.date()).days, "account": plan.account},
                link=_plan_link(plan)))
    for c in (selectors.commitments_due(within_days=within_days).select_related("plan__account__kam")
              .iterator(chunk_size=500)):
        overdue = c.overdue or c.status == CommitmentStatus.MISSED  # type: ignore[attr-defined]  # commitments_due
        who = [c.owner or c.plan.account.kam] if c.party == Party.US else [c.plan.account.kam]
        if overdue:
            who.append(c.plan.account.kam)
        kind = "missed" if overdue else "due"
        sent += len(notification_send(
            recipients=who, event_key=f"commitment:{c.pk}:{kind}:{c.due_date}",
            message=msg.NOTICE_COMMITMENT_MISSED if overdue else msg.NOTICE_COMMITMENT_DUE,
            params={"what": c.description[:120], "date": c.due_date, "account": c.plan.account},
            link=_plan_link(c.plan)))
    for task in selectors.knowledge_tasks_due(today=today).iterator(chunk_size=500):
        sent += len(notification_send(
            recipients=[task.owner], event_key=f"knowledge-task:{task.pk}:due:{task.due_date}",
            message=msg.NOTICE_TASK_DUE,
            params={"what": task.description[:120], "date": task.due_date, "account": task.plan.account},
            link=_plan_link(task.plan)))
    return sent
