"""Reads of the touchpoints app. Querysets come with their joins applied; the dashboard selectors take
an accounts queryset (already scoped to the viewer) and stay set-based."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncQuarter
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Activity, Tier
from accounts.selectors import account_visibility_q, accounts_visible_to
from kam.models import Department, ProgrammeSettings
from kam.tokens import token_hash

from . import formulas, sla
from .models import (
    ACTIVE_STATUSES,
    NEXT_DUE,
    SEVERITY_RANK,
    ClientFeedback,
    IncidentStatus,
    PartnershipRating,
    ServiceIncident,
    Severity,
    SlaClock,
    SlaPolicy,
    SurveyLink,
    SurveyResponse,
    Touchpoint,
    TouchpointKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

TIER_RANK = Case(
    When(account__tier=Tier.KEY, then=Value(0)),
    When(account__tier=Tier.DEVELOPMENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# The same rank for the queue, read through hashed IN-lists of account ids: the sort then needs no
# join with accounts, so PostgreSQL ranks thousands of active incidents from the incident rows alone
# and only the page shown is joined.
QUEUE_TIER_RANK = Case(
    When(account_id__in=Account.objects.filter(tier=Tier.KEY).values("pk"), then=Value(0)),
    When(account_id__in=Account.objects.filter(tier=Tier.DEVELOPMENT).values("pk"), then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# --- Incidents -------------------------------------------------------------------------------------
def incidents_visible_to(user) -> QuerySet[ServiceIncident]:
    qs = ServiceIncident.objects.select_related("account", "account__kam", "account__sponsor")
    if not user.is_authenticated:
        return qs.none()
    q = account_visibility_q(user)
    return qs if q is None else qs.filter(account__in=accounts_visible_to(user, include_archived=True))


def incident_get_for_user(user, pk) -> ServiceIncident:
    return get_object_or_404(incidents_visible_to(user).select_related("opened_by", "contact"), pk=pk)


def incident_queue(user, *, status: str = "", severity: str = "", category: str = "", tier: str = "",
                   account: str = "", breached: str = "", assigned: str = "") -> QuerySet[ServiceIncident]:
    """The operations queue: gravest first (critical, high, medium, low), key accounts before others
    at equal severity, then the most urgent SLA deadline; finished incidents last. Without a status
    filter the queue shows the active ones. `assigned`: "mine" or "unassigned".
    Narrow on purpose (no joined rows): page it, then load the page with `incidents_in_order`. The
    partial index on (severity rank, next deadline) hands the active incidents over by severity, so
    PostgreSQL only sorts within each severity (incremental sort) instead of sorting them all."""
    qs = incidents_visible_to(user).select_related(None).annotate(
        severity_rank=SEVERITY_RANK, next_due=NEXT_DUE, tier_rank=QUEUE_TIER_RANK)
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if severity:
        qs = qs.filter(severity=severity)
    if category:
        qs = qs.filter(category=category)
    if tier:
        qs = qs.filter(account__tier=tier)
    if account:
        qs = qs.filter(account__name__icontains=account)
    if breached == "yes":
        qs = qs.filter(Q(ack_breached_at__isnull=False) | Q(resolve_breached_at__isnull=False)
                       | Q(status=IncidentStatus.OPEN, ack_due_at__lt=timezone.now())
                       | Q(status__in=ACTIVE_STATUSES, resolve_due_at__lt=timezone.now()))
    if assigned == "mine":
        qs = qs.filter(assignee_id=user.pk)
    elif assigned == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    return qs.order_by("severity_rank", "tier_rank", F("next_due").asc(nulls_last=True), "-opened_at", "-pk")


def incidents_in_order(pks) -> list[ServiceIncident]:
    """The incidents with these ids, in that order, with what a queue row shows (one query)."""
    pks = list(pks)
    by_pk = {i.pk: i for i in ServiceIncident.objects.filter(pk__in=pks).select_related("account", "assignee").only(
        "pk", "title", "category", "severity", "status", "opened_at", "ack_due_at", "resolve_due_at",
        "acknowledged_at", "resolved_at", "waiting_since", "account__name", "account__tier",
        "assignee__first_name", "assignee__last_name", "assignee__username", "assignee__email")}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def open_incidents(accounts_qs) -> QuerySet[ServiceIncident]:
    """Active incidents on the given accounts, gravest first, then key accounts, then the most urgent
    deadline (for dashboards and panels; the queue's order)."""
    return (ServiceIncident.objects.filter(account__in=accounts_qs, status__in=ACTIVE_STATUSES)
            .select_related("account").annotate(severity_rank=SEVERITY_RANK, next_due=NEXT_DUE, tier_rank=TIER_RANK)
            .order_by("severity_rank", "tier_rank", F("next_due").asc(nulls_last=True), "-opened_at"))


def escalations_for(user) -> QuerySet[ServiceIncident]:
    """Active incidents with a recorded SLA breach on accounts `user` runs or sponsors."""
    if not user.is_authenticated:
        return ServiceIncident.objects.none()
    return (ServiceIncident.objects
            .filter(Q(account__kam=user) | Q(account__sponsor=user), status__in=ACTIVE_STATUSES)
            .filter(Q(ack_breached_at__isnull=False) | Q(resolve_breached_at__isnull=False))
            .select_related("account")
            .annotate(severity_rank=SEVERITY_RANK, next_due=NEXT_DUE, tier_rank=TIER_RANK)
            .order_by("severity_rank", "tier_rank", F("next_due").asc(nulls_last=True), "resolve_due_at"))


# --- Sponsor visits --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SponsorVisitStatus:
    account: Account
    last_visit: datetime.datetime | None
    next_due: datetime.date
    overdue: bool

    @property
    def days_overdue(self) -> int:
        return max((timezone.localdate() - self.next_due).days, 0) if self.overdue else 0


def last_sponsor_visit_subquery():
    return Subquery(
        Touchpoint.objects.filter(account=OuterRef("pk"), kind=TouchpointKind.EXECUTIVE_VISIT)
        .order_by("-occurred_at").values("occurred_at")[:1]
    )


def sponsor_visit_status(accounts_qs, *, today: datetime.date | None = None,
                         cadence_days: int | None = None) -> list[SponsorVisitStatus]:
    """Per account: the last sponsor visit, when the next is due and whether it is overdue. A sponsor
    who never visited is due one cadence after the account was created. One query (plus the setting)."""
    today = today or timezone.localdate()
    if cadence_days is None:
        cadence_days = ProgrammeSettings.current().sponsor_visit_days
    cadence = datetime.timedelta(days=cadence_days)
    return [visit_status_from(account, account.last_sponsor_visit, today=today, cadence=cadence)
            for account in accounts_qs.annotate(last_sponsor_visit=last_sponsor_visit_subquery())]


def visit_status_from(account, last: datetime.datetime | None, *, today: datetime.date,
                      cadence: datetime.timedelta) -> SponsorVisitStatus:
    """The sponsor-visit status of `account` given its last visit (see `sponsor_visit_status`)."""
    start = timezone.localtime(last).date() if last else timezone.localtime(account.created_at).date()
    next_due = start + cadence
    return SponsorVisitStatus(account=account, last_visit=last, next_due=next_due, overdue=today > next_due)


# --- Feedback --------------------------------------------------------------------------------------
def latest_feedback(accounts_qs) -> QuerySet[Account]:
    """The accounts annotated with the latest client score and our latest partnership rating (and their
    dates): `feedback_score`, `feedback_on`, `rating_score`, `rating_on` (None when there is none)."""
    feedback = ClientFeedback.objects.filter(account=OuterRef("pk")).order_by("-received_on", "-pk")
    rating = PartnershipRating.objects.filter(account=OuterRef("pk")).order_by("-rated_on", "-pk")
    return accounts_qs.annotate(
        feedback_score=Subquery(feedback.values("score")[:1]),
        feedback_on=Subquery(feedback.values("received_on")[:1]),
        rating_score=Subquery(rating.values("score")[:1]),
        rating_on=Subquery(rating.values("rated_on")[:1]),
    )


def feedback_history(account: Account):
    return (ClientFeedback.objects.filter(account=account).select_related("contact", "recorded_by"),
            PartnershipRating.objects.filter(account=account).select_related("rated_by"))


# --- Timeline --------------------------------------------------------------------------------------
def timeline(account: Account, user, *, department: str = "", kind: str = "") -> QuerySet[Activity]:
    """The account's event stream, newest first, over the (account, -occurred_at) index. Commercial
    rows (plan content) are left out for people who may not read plans."""
    qs = Activity.objects.filter(account=account).select_related("actor", "department")
    if not user.has_perm("planning.view_plan", account):
        qs = qs.filter(commercial=False)
    if department:
        qs = qs.filter(department__code=department)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-occurred_at", "-id")


class _Coverage(TypedDict):
    events: int | None
    last: datetime.datetime | None


def department_coverage(account: Account, *, days: int = 90,
                        now=None) -> list["WithAnnotations[Department, _Coverage]"]:
    """Every department, annotated with how many events it had on the account in the last `days` days
    (`events`) and when the last was (`last`): one query, departments with none included, since the
    gaps are the point of the strip."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    recent = Activity.objects.filter(account=account, department=OuterRef("pk"), occurred_at__gte=since)
    return list(
        Department.objects.annotate(
            events=Subquery(recent.order_by().values("department").annotate(n=Count("*")).values("n"),
                            output_field=IntegerField()),
            last=Subquery(recent.order_by("-occurred_at").values("occurred_at")[:1]),
        ).order_by("order", "name")
    )


# --- Touchpoints -----------------------------------------------------------------------------------
def recent_touchpoints(account: Account, *, limit: int = 5) -> list[Touchpoint]:
    return list(Touchpoint.objects.filter(account=account).select_related("department", "created_by")
                .order_by("-occurred_at", "-pk")[:limit])


def accounts_for_picker(user, *, query: str = "", incidents: bool = False, limit: int = 15):
    """Accounts offered when logging: those the user may log on (or work incidents on), matching
    `query`, key accounts first."""
    qs = accounts_visible_to(user)
    if incidents:
        from kam.roles import LEAD, OPERATIONS, has_role

        if not has_role(user, LEAD, OPERATIONS):
            # Mirrors can_work_incident: the account's KAM or its team.
            qs = qs.filter(Q(kam_id=user.pk) | Q(team_members__user_id=user.pk)).distinct()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(tax_id__iexact=query))
    else:
        qs = qs.filter(Q(kam_id=user.pk) | Q(sponsor_id=user.pk) | Q(team_members__user_id=user.pk)).distinct()
    return list(qs.annotate(tier_rank=Case(When(tier=Tier.KEY, then=Value(0)), default=Value(1),
                                           output_field=IntegerField()))
                .order_by("tier_rank", "name")[:limit])


# --- Personal data (accounts.personal_data) ---------------------------------------------------------
def personal_texts(account) -> list[tuple]:
    """Where the account's touchpoints, incidents and feedback may name a client's person in free text:
    (rows, fields, history rows' filter)."""
    history = {"account_id": account.pk}
    return [
        (Touchpoint.objects.filter(account=account), ["summary", "follow_up_note"], history),
        (ServiceIncident.objects.filter(account=account), ["title", "description", "resolution"], history),
        (ClientFeedback.objects.filter(account=account), ["comment"], history),
        (PartnershipRating.objects.filter(account=account), ["comment"], history),
        # A survey answer's comment is also its feedback's; the answer keeps no history.
        (SurveyResponse.objects.filter(link__account=account), ["comment"], None),
    ]


def personal_data(person) -> list:
    """What touchpoints hold about one client contact: the touchpoints they took part in, the incidents
    they reported, the feedback they gave, and every text naming them."""
    from accounts.personal_data import Section, mentions

    contact = person.contact
    met = [{"when": t.occurred_at, "kind": t.get_kind_display(), "channel": t.get_channel_display(),
            "department": str(t.department), "summary": t.summary, "follow_up": t.follow_up_note}
           for t in Touchpoint.objects.filter(contacts=contact).select_related("department").order_by("occurred_at")]
    reported = [{"opened_at": i.opened_at, "title": i.title, "status": i.get_status_display(),
                 "description": i.description, "resolution": i.resolution}
                for i in ServiceIncident.objects.filter(contact=contact).order_by("opened_at")]
    feedback = [{"received_on": f.received_on, "score": f.score, "comment": f.comment}
                for f in ClientFeedback.objects.filter(contact=contact).order_by("received_on")]
    texts = [row for rows, fields, _history in personal_texts(contact.account)
             for row in mentions(person, rows, fields)]
    return [
        Section("touchpoints", _("Touchpoints they took part in"), met),
        Section("incidents", _("Incidents they reported"), reported),
        Section("feedback", _("Feedback they gave"), feedback),
        Section("touchpoint_texts", _("Touchpoint, incident and feedback texts mentioning them"), texts),
    ]


def sla_policy_for(tier: str, severity: str) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(tier=tier, severity=severity).first()
    if policy is None:  # the data migration seeds every pair; a deleted row must not block logging
        policy = SlaPolicy(tier=tier, severity=severity, ack_hours=24, resolve_hours=120)
    return policy


# --- Client survey ---------------------------------------------------------------------------------
MUTUALITY_QUARTERS = 6


def survey_link_resolve(token: str) -> SurveyLink | None:
    """The open survey link for `token`, or None for unknown, expired, revoked and answered alike (the
    page says the same for all of them, revealing nothing)."""
    if not token or len(token) > 100:
        return None
    link = (SurveyLink.objects.select_related("contact", "account")
            .filter(token_hash=token_hash(token)).first())
    if link is None or not link.is_open():
        return None
    return link


def survey_link_open_for(contact) -> SurveyLink | None:
    """The contact's open invitation, if any (there is at most one at a time)."""
    now = timezone.now()
    return (SurveyLink.objects.filter(contact=contact, revoked_at__isnull=True, answered_at__isnull=True,
                                      expires_at__gt=now).order_by("-created_at", "-pk").first())


def quarter_of(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def mutuality_series(account: Account, *, today: datetime.date | None = None,
                     quarters: int = MUTUALITY_QUARTERS) -> list[dict]:
    """The client's satisfaction against our team's rating of the partnership, quarter by quarter over
    the last `quarters` (oldest first): each quarter's averages and their gap (touchpoints.formulas.
    mutuality_gap); a quarter without one of the two has no gap. Two queries whatever the history."""
    today = today or timezone.localdate()
    first = quarter_of(today)
    for _i in range(quarters - 1):
        first = quarter_of(first - datetime.timedelta(days=1))
    theirs = {r["q"]: r["avg"] for r in ClientFeedback.objects.filter(account=account, received_on__gte=first)
              .annotate(q=TruncQuarter("received_on")).values("q").annotate(avg=Avg("score")).values("q", "avg")}
    ours = {r["q"]: r["avg"] for r in PartnershipRating.objects.filter(account=account, rated_on__gte=first)
            .annotate(q=TruncQuarter("rated_on")).values("q").annotate(avg=Avg("score")).values("q", "avg")}
    series = []
    q = first
    while q <= today:
        client, us = theirs.get(q), ours.get(q)
        client = None if client is None else Decimal(client).quantize(Decimal("0.1"))
        us = None if us is None else Decimal(us).quantize(Decimal("0.1"))
        label = _("%(year)d Q%(quarter)d") % {"year": q.year, "quarter": (q.month - 1) // 3 + 1}
        series.append({"quarter": q, "label": label, "client": client, "ours": us,
                       "gap": formulas.mutuality_gap(client, us)})
        q = quarter_of(q + datetime.timedelta(days=95))
    return series


def survey_panel(account: Account) -> dict:
    """What the account page shows of the survey: the quarterly series, the latest answers and the
    contacts who can be asked (with an e-mail, still at the client) and the invitations still open. Six
    queries."""
    responses = list(SurveyResponse.objects.filter(link__account=account).select_related("link__contact")
                     .order_by("-answered_at", "-pk")[:3])
    contacts = list(account.contacts.filter(left_at__isnull=True, erased_at__isnull=True).exclude(email="")
                    .order_by("name"))
    settings = ProgrammeSettings.current()
    open_links = list(SurveyLink.objects.filter(account=account, revoked_at__isnull=True, answered_at__isnull=True,
                                                expires_at__gt=timezone.now())
                      .select_related("contact").order_by("-created_at", "-pk")[:10])
    return {"series": mutuality_series(account), "responses": responses, "survey_contacts": contacts,
            "settings": settings, "open_links": open_links}


def survey_due_contacts(*, now: datetime.datetime, cadence_days: int) -> QuerySet:
    """The contacts of active key accounts the schedule should ask now: with an e-mail, still at the
    client, and not asked within the cadence (an invitation made in the period counts, answered or not)."""
    from accounts.models import Contact

    since = now - datetime.timedelta(days=cadence_days)
    recent = SurveyLink.objects.filter(contact=OuterRef("pk"), created_at__gte=since)
    return (Contact.objects.filter(account__tier=Tier.KEY, account__archived_at__isnull=True, left_at__isnull=True,
                                   erased_at__isnull=True).exclude(email="")
            .filter(~Exists(recent)).select_related("account").order_by("account_id", "pk"))


# --- Follow-ups ------------------------------------------------------------------------------------
def open_follow_ups() -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(follow_up=True, follow_up_closed_at__isnull=True,
                                     follow_up_owner__isnull=False, follow_up_due__isnull=False)


def follow_ups_of(user) -> QuerySet[Touchpoint]:
    """The open follow-ups a person owns, on accounts they see, soonest due first."""
    if not user.is_authenticated:
        return Touchpoint.objects.none()
    return (open_follow_ups().filter(follow_up_owner=user, account__in=accounts_visible_to(user))
            .select_related("account").order_by("follow_up_due", "pk"))


def follow_up_get_for_user(user, pk) -> Touchpoint:
    """A touchpoint whose follow-up the person may see (404 otherwise): on an account they see."""
    qs = Touchpoint.objects.filter(follow_up=True).select_related("account")
    if not user.is_authenticated:
        qs = qs.none()
    elif account_visibility_q(user) is not None:
        qs = qs.filter(account__in=accounts_visible_to(user, include_archived=True))
    return get_object_or_404(qs, pk=pk)


def follow_ups_due(*, today: datetime.date) -> QuerySet[Touchpoint]:
    """Open follow-ups due today or earlier, with their owner, for the daily reminder."""
    return (open_follow_ups().filter(follow_up_due__lte=today, follow_up_owner__is_active=True)
            .select_related("account", "follow_up_owner").order_by("follow_up_due", "pk"))


def business_calendar() -> sla.BusinessCalendar:
    """The programme's working time for business-hours SLA clocks, in the server's time zone."""
    programme = ProgrammeSettings.current()
    return sla.BusinessCalendar(
        work_days=frozenset(programme.work_days), start_hour=programme.work_start_hour,
        end_hour=programme.work_end_hour,
        holidays=frozenset(datetime.date.fromisoformat(d) for d in programme.holidays),
        tz=ZoneInfo(django_settings.TIME_ZONE))


def calendar_for(clock: str) -> sla.BusinessCalendar | None:
    """The calendar a deadline of this clock counts in (None: around the clock)."""
    return business_calendar() if clock == SlaClock.BUSINESS else None


def assignable_q(account: Account) -> Q:
    """Who may be given an incident on `account`: operations people, and the account's team members from
    the operations department."""
    from kam import departments
    from kam.roles import OPERATIONS

    return (Q(groups__name=OPERATIONS)
            | Q(account_memberships__account=account, account_memberships__department__code=departments.OPERATIONS))


def assignable_people(account: Account) -> list:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(assignable_q(account), is_active=True).distinct()
                .order_by("first_name", "last_name", "username"))


def is_assignable(account: Account, user_pk: int) -> bool:
    """Whether this person may be given an incident on `account`."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(assignable_q(account), pk=user_pk, is_active=True).exists()


@dataclass(frozen=True)
class SlaGridRow:
    tier: str
    tier_label: str
    policies: list[SlaPolicy]


def sla_grid() -> list[SlaGridRow]:
    """The SLA policies as the read-only page shows them: a row per tier (key accounts first), the
    gravest severity first in each (one query)."""
    order = {s: i for i, s in enumerate(reversed(Severity.values))}
    by_tier: dict[str, list[SlaPolicy]] = {t: [] for t in Tier.values}
    for policy in SlaPolicy.objects.all():
        by_tier.setdefault(policy.tier, []).append(policy)
    labels = dict(Tier.choices)
    return [SlaGridRow(tier, str(labels.get(tier, tier)), sorted(policies, key=lambda p: order.get(p.severity, 9)))
            for tier, policies in by_tier.items() if policies]
