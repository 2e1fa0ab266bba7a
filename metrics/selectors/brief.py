"""The account brief: one page to read before meeting the client. Every section is one query on the
account's own rows, so the page costs the same whatever the account holds (pinned by a test)."""

import datetime
import re

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.text import Truncator

from accounts import health
from accounts import selectors as account_selectors
from accounts.filters import HEALTH_BANDS
from accounts.models import Account, Contact
from agreements import selectors as agreement_selectors
from kam.models import ProgrammeSettings
from planning import selectors as planning_selectors
from planning.models import AgreedVersion, CommitmentStatus, Party
from touchpoints.models import ACTIVE_STATUSES, ServiceIncident, Severity, Touchpoint

from ..models import AccountSnapshot

# Open incidents listed; the incident queue has the rest.
BRIEF_INCIDENTS = 10
# Commitments due within this many days (and all overdue or missed ones) of the current plan.
BRIEF_COMMITMENT_DAYS = 28
BRIEF_COMMITMENTS = 12
BRIEF_STAKEHOLDERS = 10
BRIEF_AGREEMENTS = 5
# The vision is a reminder of what was agreed, not the plan: one paragraph of at most this many words.
BRIEF_VISION_WORDS = 80

SEVERITY_RANK = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.HIGH, then=Value(1)),
    When(severity=Severity.MEDIUM, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def stale_contact_days() -> int:
    """Days without contact after which a key stakeholder is listed: the programme's setting, the same
    the relationship map, the KAM dashboard and My work flag by."""
    return ProgrammeSettings.current().stakeholder_contact_days


def vision_paragraph(text: str, words: int = BRIEF_VISION_WORDS) -> str:
    """The vision as one paragraph: line breaks and repeated spaces folded, cut after `words` words."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    return Truncator(flat).words(words, truncate=" …")


def health_change(snapshots: list[AccountSnapshot]) -> dict:
    """The latest health, its band and its change against the snapshot before it (`snapshots`: the
    latest first). `delta` is None when either score is missing."""
    latest = snapshots[0] if snapshots else None
    previous = snapshots[1] if len(snapshots) > 1 else None
    score = latest.health if latest else None
    before = previous.health if previous else None
    band = health.health_band(score)
    return {
        "score": score, "band": band, "band_label": dict(HEALTH_BANDS).get(band, ""),
        "day": latest.day if latest else None, "previous": before,
        "previous_day": previous.day if previous else None,
        "delta": None if score is None or before is None else score - before,
    }


def brief_incidents(account: Account) -> list[ServiceIncident]:
    """Active incidents, the most severe first, then the oldest; one more than shown, to say so."""
    return list(ServiceIncident.objects.filter(account=account, status__in=ACTIVE_STATUSES)
                .annotate(severity_rank=SEVERITY_RANK).select_related("assignee")
                .only("pk", "title", "severity", "status", "opened_at", "ack_breached_at", "resolve_breached_at",
                      "assignee__first_name", "assignee__last_name", "assignee__username")
                .order_by("severity_rank", "opened_at", "pk")[:BRIEF_INCIDENTS + 1])


def brief_commitments(plan, *, today: datetime.date) -> list:
    """The plan's open or at-risk commitments due within BRIEF_COMMITMENT_DAYS or overdue, and those
    marked missed; soonest first, `overdue` set on each."""
    if plan is None:
        return []
    horizon = today + datetime.timedelta(days=BRIEF_COMMITMENT_DAYS)
    rows = list(plan.commitments.filter(
        Q(status__in=planning_selectors.OPEN_COMMITMENT, due_date__lte=horizon) | Q(status=CommitmentStatus.MISSED))
        .select_related("department", "owner", "contact").order_by("due_date", "pk")[:BRIEF_COMMITMENTS + 1])
    for c in rows:
        c.overdue = c.status == CommitmentStatus.MISSED or c.is_overdue(today)
    return rows


def last_touchpoints_by_department(account: Account) -> list[Touchpoint]:
    """The most recent touchpoint of each department on the account, in the departments' order."""
    latest = (Touchpoint.objects.filter(account=account, department=OuterRef("department"))
              .order_by("-occurred_at", "-pk").values("pk")[:1])
    return list(Touchpoint.objects.filter(account=account, pk=Subquery(latest)).select_related("department")
                .order_by("department__order", "department__name"))


def stale_stakeholders(account: Account, *, today: datetime.date, days: int) -> list[Contact]:
    """The account's key stakeholders not contacted lately (`accounts.selectors.stale_stakeholders`, the
    programme's one rule), one more than the brief lists, to tell whether there are more."""
    return list(account_selectors.stale_stakeholders(Account.objects.filter(pk=account.pk), today=today,
                                                     days=days)[:BRIEF_STAKEHOLDERS + 1])


def latest_agreed_vision(account: Account) -> dict | None:
    """The vision of the latest plan the client agreed to, as they agreed it (AgreedVersion)."""
    agreed = (AgreedVersion.objects.filter(plan__account=account).select_related("plan")
              .order_by("-agreed_at", "-pk").first())
    if agreed is None:
        return None
    text = vision_paragraph((agreed.content.get("text") or {}).get("vision_statement", ""))
    return {"text": text, "agreed_at": agreed.agreed_at, "plan": agreed.plan}


def account_brief(user, account: Account) -> dict:
    """Everything the brief shows of `account` to `user`, who may see it (the view's getter said so).
    The plan's sections need `planning.view_plan`, the agreements `agreements.view_agreement`."""
    today = timezone.localdate()
    reads_plan = user.has_perm("planning.view_plan", account)
    reads_agreements = user.has_perm("agreements.view_agreement", account)
    incidents = brief_incidents(account)
    plan = planning_selectors.current_plan(account) if reads_plan else None
    commitments = brief_commitments(plan, today=today)
    stale_days = stale_contact_days()
    stakeholders = stale_stakeholders(account, today=today, days=stale_days)
    agreements = (list(agreement_selectors.expiring(accounts_qs=Account.objects.filter(pk=account.pk),
                                                    today=today)[:BRIEF_AGREEMENTS + 1])
                  if reads_agreements else [])
    snapshots = list(AccountSnapshot.objects.filter(account=account).order_by("-day")
                     .only("day", "health")[:2])
    return {
        "account": account, "today": today,
        "incidents": incidents[:BRIEF_INCIDENTS], "more_incidents": len(incidents) > BRIEF_INCIDENTS,
        "reads_plan": reads_plan, "plan": plan,
        "ours": [c for c in commitments[:BRIEF_COMMITMENTS] if c.party == Party.US],
        "theirs": [c for c in commitments[:BRIEF_COMMITMENTS] if c.party == Party.CLIENT],
        "more_commitments": len(commitments) > BRIEF_COMMITMENTS, "commitment_days": BRIEF_COMMITMENT_DAYS,
        "touchpoints": last_touchpoints_by_department(account),
        "health": health_change(snapshots),
        "stakeholders": stakeholders[:BRIEF_STAKEHOLDERS],
        "more_stakeholders": len(stakeholders) > BRIEF_STAKEHOLDERS, "stale_days": stale_days,
        "vision": latest_agreed_vision(account) if reads_plan else None,
        "reads_agreements": reads_agreements,
        "agreements": agreements[:BRIEF_AGREEMENTS], "more_agreements": len(agreements) > BRIEF_AGREEMENTS,
        "agreements_window": agreement_selectors.EXPIRING_WINDOW_DAYS,
    }
