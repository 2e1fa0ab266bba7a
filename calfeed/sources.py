"""What a person's calendar feed holds: a list of event sources, each a function of the person that
returns their events from one part of the programme, read through the same access rules as the pages.
A new kind of date is one function and one line in SOURCES.

Every event is a whole day (the dates are days, not appointments) with a UID fixed by its source object
(`plan-review-12`), so calendar apps update an event whose date moved instead of adding another."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import accounts_visible_to
from agreements.models import LIVE_STATUSES
from agreements.selectors import agreements_visible_to
from planning.models import AccountPlan, Commitment, PlanReview, PlanStatus
from planning.selectors.plans import OPEN_COMMITMENT
from touchpoints.selectors import follow_ups_of, sponsor_visit_status

# Past dates kept in the feed: enough to see what slipped, not years of history.
PAST_DAYS = 90


@dataclass(frozen=True)
class Event:
    uid: str
    day: datetime.date
    title: str
    description: str = ""
    path: str = ""


def _since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=PAST_DAYS)


def plan_reviews(user) -> Iterable[Event]:
    """Reviews of each open plan the person owns, on accounts whose plans they read: the review meetings
    planned (or held) and the plan's next review date when no meeting is planned for it."""
    plans = [plan for plan in (AccountPlan.objects.filter(owner=user, account__in=accounts_visible_to(user))
                               .exclude(status=PlanStatus.CLOSED).select_related("account"))
             if user.has_perm("planning.view_plan", plan.account)]
    meetings = PlanReview.objects.filter(plan__in=plans, planned_on__gte=_since()).order_by("planned_on", "pk")
    planned = set()
    by_pk = {plan.pk: plan for plan in plans}
    for review in meetings:
        plan = by_pk[review.plan_id]
        planned.add((plan.pk, review.planned_on))
        yield Event(uid=f"plan-review-meeting-{review.pk}", day=review.held_on or review.planned_on,
                    title=_("Plan review: %(account)s") % {"account": plan.account.name},
                    description=plan.period_label, path=plan.get_absolute_url())
    since = _since()
    for plan in plans:
        day = plan.next_review_date
        if day and day >= since and (plan.pk, day) not in planned:
            yield Event(uid=f"plan-review-{plan.pk}", day=day,
                        title=_("Plan review due: %(account)s") % {"account": plan.account.name},
                        description=plan.period_label, path=plan.get_absolute_url())


def commitments_due(user) -> Iterable[Event]:
    """Open and at-risk commitments the person owns (owning one is what lets them open its plan)."""
    commitments = (Commitment.objects.filter(owner=user, status__in=OPEN_COMMITMENT, due_date__gte=_since())
                   .exclude(plan__status=PlanStatus.CLOSED).select_related("plan__account"))
    for c in commitments:
        yield Event(uid=f"commitment-{c.pk}", day=c.due_date,
                    title=_("Commitment due: %(account)s") % {"account": c.plan.account.name},
                    description=c.description, path=c.plan.get_absolute_url())


def sponsor_visits(user) -> Iterable[Event]:
    """For a sponsor: when the next visit of each of their accounts is due (one event per account,
    moved by each visit logged)."""
    accounts = accounts_visible_to(user).filter(sponsor=user).order_by("name")
    for status in sponsor_visit_status(accounts):
        account = status.account
        yield Event(uid=f"sponsor-visit-{account.pk}", day=status.next_due,
                    title=_("Sponsor visit due: %(account)s") % {"account": account.name},
                    path=reverse("accounts:detail", args=[account.pk]))


def agreement_dates(user) -> Iterable[Event]:
    """Renewal and notice dates of live framework agreements on accounts whose agreements the person
    reads and edits (the account's KAM, the programme lead)."""
    agreements = (agreements_visible_to(user).filter(status__in=LIVE_STATUSES, renewal_date__gte=_since())
                  .select_related("account").order_by("renewal_date", "pk"))
    for a in agreements:
        if not user.has_perm("agreements.change_agreement", a.account):
            continue
        names = {"title": a.title, "account": a.account.name}
        path = a.get_absolute_url()
        yield Event(uid=f"agreement-renewal-{a.pk}", day=a.renewal_date,
                    title=_("Agreement renews: %(account)s") % names, description=a.title, path=path)
        if a.notice_date >= _since():
            yield Event(uid=f"agreement-notice-{a.pk}", day=a.notice_date,
                        title=_("Last day to give notice: %(account)s") % names, description=a.title, path=path)


def follow_ups(user) -> Iterable[Event]:
    """Open follow-ups of touchpoints the person owns, on accounts they see, on their due date; "My
    work" is where they are marked done."""
    for t in follow_ups_of(user).filter(follow_up_due__gte=_since()):
        assert t.follow_up_due is not None  # open follow-ups always have one (selectors.open_follow_ups)
        yield Event(uid=f"follow-up-{t.pk}", day=t.follow_up_due,
                    title=_("Follow-up due: %(account)s") % {"account": t.account.name},
                    description=t.follow_up_note, path=reverse("metrics:my_work"))


SOURCES: list[Callable[..., Iterable[Event]]] = [
    plan_reviews,
    commitments_due,
    sponsor_visits,
    agreement_dates,
    follow_ups,
]


def events_for(user) -> list[Event]:
    return sorted((e for source in SOURCES for e in source(user)), key=lambda e: (e.day, e.uid))
