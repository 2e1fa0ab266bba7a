"""A person's "My work": what is theirs to do across the accounts they see, whatever their role, each
item linking to where it is done. A fixed number of queries whatever the data (pinned by tests)."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from agreements import selectors as agreement_selectors
from kam.models import ProgrammeSettings
from kam.roles import KAM, LEAD, SPONSOR, user_roles
from planning import selectors as planning_selectors
from planning.models import AccountPlan, CommitmentStatus, PlanStatus
from touchpoints import selectors as touchpoint_selectors
from touchpoints.models import ACTIVE_STATUSES, NEXT_DUE, ServiceIncident

# Rows shown per section; the count says how many there are up to it ("50+").
SECTION_ROWS = 50
# "Due soon": within this many days (commitments, reviews, visits) from today.
SOON_DAYS = 14


@dataclass
class Item:
    title: str
    account: str
    url: str
    due: datetime.date | None = None
    overdue: bool = False
    detail: str = ""
    # A follow-up closes on the page itself: its touchpoint and version.
    touchpoint: object = None


@dataclass
class Section:
    key: str
    title: object
    empty: object  # what will appear here, shown when there is nothing
    items: list = field(default_factory=list)
    more: bool = False

    @property
    def count(self) -> int:
        return len(self.items)


def _cut(rows) -> tuple[list, bool]:
    rows = list(rows[:SECTION_ROWS + 1])
    return rows[:SECTION_ROWS], len(rows) > SECTION_ROWS


def my_work(user, *, today: datetime.date | None = None) -> dict:
    """The sections of the person's work: every person has follow-ups, commitments, sign-offs, knowledge
    tasks and incidents; sponsors their visits, KAMs their plan reviews, stakeholders not contacted
    lately and agreements to renew (the lead the agreements of every account)."""
    today = today or timezone.localdate()
    roles = user_roles(user)
    soon = today + datetime.timedelta(days=SOON_DAYS)
    visible = account_selectors.accounts_visible_to(user)
    sections = [_follow_ups(user, today), _commitments(user, today), _signoffs(user),
                _knowledge_tasks(user, visible, today), _incidents(user, visible)]
    if SPONSOR in roles:
        sections.append(_sponsor_visits(visible.filter(sponsor=user), today, soon))
    if KAM in roles or LEAD in roles:
        mine = visible.filter(kam=user)
        if KAM in roles:
            sections.append(_plan_reviews(mine, today, soon))
            sections.append(_stale_stakeholders(mine, today))
        sections.append(_agreements(visible if LEAD in roles else mine, today))
    return {"sections": sections, "total": sum(s.count for s in sections), "today": today,
            "soon_days": SOON_DAYS}


def _follow_ups(user, today) -> Section:
    rows, more = _cut(touchpoint_selectors.follow_ups_of(user))
    items = [Item(title=t.follow_up_note or t.summary.splitlines()[0][:120], account=t.account.name,
                  url=reverse("touchpoints:timeline", args=[t.account_id]), due=t.follow_up_due,
                  overdue=t.follow_up_due < today, touchpoint=t) for t in rows]
    return Section("follow_ups", _("Follow-ups"), _("Follow-ups of touchpoints that name you as their owner "
                   "appear here with their due date, and you mark them done here."), items, more)


def _commitments(user, today) -> Section:
    rows, more = _cut(planning_selectors.commitments_due(user=user, within_days=SOON_DAYS))
    items = [Item(title=c.description, account=c.plan.account.name, url=c.plan.get_absolute_url(),
                  due=c.due_date, overdue=c.due_date < today or c.status == CommitmentStatus.MISSED,
                  detail=c.get_status_display()) for c in rows]
    return Section("commitments", _("Commitments"), _("Plan commitments you own appear here from two weeks "
                   "before they are due, and stay while they are overdue."), items, more)


def _signoffs(user) -> Section:
    owed = planning_selectors.signoffs_owed_by(user)
    items = [Item(title=str(_("Sign-off for %(who)s") % {"who": o["department"] or _("the executive sponsor")}),
                  account=o["plan"].account.name, url=o["plan"].get_absolute_url(),
                  detail=o["plan"].period_label) for o in owed[:SECTION_ROWS]]
    return Section("signoffs", _("Plan sign-offs"), _("When a plan you sign off for (as sponsor or for your "
                   "department) is in internal review, it appears here until someone signs."),
                   items, len(owed) > SECTION_ROWS)


def _knowledge_tasks(user, visible, today) -> Section:
    rows, more = _cut(planning_selectors.knowledge_tasks_of(user).filter(plan__account__in=visible))
    items = [Item(title=t.description, account=t.plan.account.name, url=t.plan.get_absolute_url(),
                  due=t.due_date, overdue=bool(t.due_date and t.due_date < today)) for t in rows]
    return Section("tasks", _("Knowledge tasks"), _("Tasks of an account plan's knowledge phase that you own "
                   "appear here until they are done."), items, more)


def _incidents(user, visible) -> Section:
    now = timezone.now()
    rows, more = _cut(ServiceIncident.objects.filter(assignee=user, status__in=ACTIVE_STATUSES,
                                                     account__in=visible)
                      .select_related("account").annotate(next_due=NEXT_DUE).order_by("next_due", "pk"))
    items = [Item(title=f"#{i.pk} {i.title}", account=i.account.name,
                  url=reverse("touchpoints:incident_detail", args=[i.pk]),
                  due=timezone.localtime(i.next_due).date() if i.next_due else None,
                  overdue=bool(i.next_due and i.next_due < now), detail=i.get_severity_display()) for i in rows]
    return Section("incidents", _("Incidents"), _("Service incidents assigned to you appear here until they "
                   "are resolved."), items, more)


def _sponsor_visits(accounts, today, soon) -> Section:
    due = [s for s in touchpoint_selectors.sponsor_visit_status(accounts.order_by("name"), today=today)
           if s.next_due <= soon]
    due.sort(key=lambda s: (s.next_due, s.account.name))
    items = [Item(title=str(_("Sponsor visit")), account=s.account.name,
                  url=reverse("touchpoints:touchpoint_new") + f"?account={s.account.pk}&kind=executive_visit",
                  due=s.next_due, overdue=s.overdue) for s in due[:SECTION_ROWS]]
    return Section("visits", _("Sponsor visits"), _("Your key accounts appear here from two weeks before their "
                   "next sponsor visit is due."), items, len(due) > SECTION_ROWS)


def _plan_reviews(accounts, today, soon) -> Section:
    rows, more = _cut(AccountPlan.objects.filter(account__in=accounts, next_review_date__lte=soon)
                      .exclude(status=PlanStatus.CLOSED).select_related("account")
                      .order_by("next_review_date", "pk"))
    items = [Item(title=str(_("Plan review")), account=p.account.name, url=p.get_absolute_url(),
                  due=p.next_review_date, overdue=p.next_review_date < today, detail=p.period_label)
             for p in rows]
    return Section("reviews", _("Plan reviews"), _("Plans of your accounts appear here from two weeks before "
                   "their next review date."), items, more)


def _stale_stakeholders(accounts, today) -> Section:
    days = ProgrammeSettings.current().stakeholder_contact_days
    rows, more = _cut(account_selectors.stale_stakeholders(accounts, today=today, days=days))
    items = [Item(title=c.name, account=c.account.name, url=reverse("accounts:contacts", args=[c.account_id]),
                  due=c.last_contact_date, overdue=True,
                  detail=str(c.position or c.get_decision_role_display())) for c in rows]
    return Section("stakeholders", _("Stakeholders not contacted lately"),
                   _("Decision makers and champions of your accounts appear here when nobody has logged a "
                     "touchpoint with them for %(days)d days.") % {"days": days}, items, more)


def _agreements(accounts, today) -> Section:
    rows, more = _cut(agreement_selectors.expiring(accounts_qs=accounts, today=today))
    items = [Item(title=a.title, account=a.account.name, url=a.get_absolute_url(), due=a.renewal_date,
                  overdue=a.renewal_date < today) for a in rows]
    return Section("agreements", _("Agreements to renew"), _("Framework agreements of your accounts appear here "
                   "when their renewal date comes within %(days)d days.")
                   % {"days": agreement_selectors.EXPIRING_WINDOW_DAYS}, items, more)
