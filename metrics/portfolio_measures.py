"""How a set of accounts was run over a period: plain set-based measures, one query or two each, whatever
the number of accounts. The programme review measures its key accounts against the rest with them; any
page comparing groups of accounts (a KAM's, a sponsor's) can call them with its own ids.

Every share is a Decimal between 0 and 1 (None when there is nothing to measure), every count an int, so
a caller may freeze the result as JSON after `jsonable`.

The rules are the recompute's own, bounded by the period instead of a rolling window: a commitment is
kept when it is done and was delivered on or before its due date (metrics.services.aggregates); a
sponsor visit is within cadence when the next one is not yet due (touchpoints.selectors.visit_status_from);
an agreed plan is one agreed with the client whose period covers the day (planning.selectors.
agreed_plans_in_force); satisfaction is the client's latest score and mutuality its gap with our own
latest rating of the partnership (the two inputs of formulas.satisfaction_score)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Avg, Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from accounts.models import Account
from kam.models import ProgrammeSettings
from planning import selectors as planning_selectors
from planning.models import AccountPlan, Commitment, CommitmentStatus, Party, PlanStatus
from touchpoints import selectors as touchpoint_selectors
from touchpoints.models import ClientFeedback, PartnershipRating, Touchpoint, TouchpointKind

from .models import AccountSnapshot

SHARE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole, to four places; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES)


def _mean(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(SCORE_PLACES)


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def plan_coverage(*, account_ids: Iterable[int], end: datetime.date) -> dict:
    """Of the accounts, how many had a plan in force on `end` (not closed, its period covering the day) and
    how many of those the client had agreed. Shares are over all the accounts. One query."""
    ids = set(account_ids)
    in_force = AccountPlan.objects.filter(account=OuterRef("pk"), period_start__lte=end, period_end__gte=end)
    agreed = planning_selectors.agreed_plans_in_force(today=end).filter(account=OuterRef("pk"))
    row = Account.objects.filter(pk__in=ids).aggregate(
        n=Count("pk"), current=Count("pk", filter=Exists(in_force.exclude(status=PlanStatus.CLOSED))),
        agreed=Count("pk", filter=Exists(agreed)))
    return {"accounts": row["n"], "with_plan": row["current"], "agreed": row["agreed"],
            "coverage": share(row["current"], row["n"]), "agreed_share": share(row["agreed"], row["n"])}


def commitments_on_time(*, account_ids: Iterable[int], start: datetime.date, end: datetime.date) -> dict:
    """Commitments of the accounts' plans falling due in [start, end], by party ("us", "client"): how many
    were due, how many were delivered on time (done, delivered on or before the due date, and by `end`),
    and the share. One query."""
    kept = Q(status=CommitmentStatus.DONE, delivered_on__lte=F("due_date")) & Q(delivered_on__lte=end)
    rows = (Commitment.objects.filter(plan__account_id__in=set(account_ids), due_date__gte=start, due_date__lte=end)
            .values("party").annotate(due=Count("pk"), kept=Count("pk", filter=kept)).order_by())
    by_party = {r["party"]: r for r in rows}
    out = {}
    for party in (Party.US, Party.CLIENT):
        r = by_party.get(party, {"due": 0, "kept": 0})
        out[str(party.value)] = {"due": r["due"], "kept": r["kept"], "share": share(r["kept"], r["due"])}
    return out


def sponsor_visits_in_cadence(*, account_ids: Iterable[int], end: datetime.date,
                              cadence_days: int | None = None) -> dict:
    """Of the accounts with an executive sponsor, how many were not overdue a sponsor visit on `end`
    (the last visit up to that day, the programme's cadence; one never visited is due a cadence after
    the account was created). One query (two without `cadence_days`)."""
    if cadence_days is None:
        cadence_days = ProgrammeSettings.current().sponsor_visit_days
    last = Subquery(Touchpoint.objects.filter(account=OuterRef("pk"), kind=TouchpointKind.EXECUTIVE_VISIT,
                                              occurred_at__lt=_end_of(end))
                    .order_by("-occurred_at").values("occurred_at")[:1])
    accounts = (Account.objects.filter(pk__in=set(account_ids), sponsor__isnull=False)
                .annotate(last_visit=last).only("pk", "created_at"))
    cadence = datetime.timedelta(days=cadence_days)
    statuses = [touchpoint_selectors.visit_status_from(a, a.last_visit, today=end, cadence=cadence)
                for a in accounts]
    within = sum(1 for s in statuses if not s.overdue)
    return {"with_sponsor": len(statuses), "within": within, "share": share(within, len(statuses))}


def satisfaction(*, account_ids: Iterable[int], end: datetime.date) -> dict:
    """The client's latest feedback score (0–10) up to `end`, averaged over the accounts that gave one;
    and mutuality: over the accounts with both a client score and our own latest rating of the
    partnership, the two averages and the mean gap (client − us; negative: we think better of the
    relationship than the client does). `mutuality` is None when no account has both. One query."""
    feedback = Subquery(ClientFeedback.objects.filter(account=OuterRef("pk"), received_on__lte=end)
                        .order_by("-received_on", "-pk").values("score")[:1], output_field=IntegerField())
    rating = Subquery(PartnershipRating.objects.filter(account=OuterRef("pk"), rated_on__lte=end)
                      .order_by("-rated_on", "-pk").values("score")[:1], output_field=IntegerField())
    rows = list(Account.objects.filter(pk__in=set(account_ids))
                .annotate(client=feedback, ours=rating).values_list("client", "ours"))
    scores = [c for c, _o in rows if c is not None]
    both = [(c, o) for c, o in rows if c is not None and o is not None]
    mutuality = None
    if both:
        n = Decimal(len(both))
        mutuality = {"accounts": len(both),
                     "client": _mean(sum(Decimal(c) for c, _o in both) / n),
                     "ours": _mean(sum(Decimal(o) for _c, o in both) / n),
                     "gap": _mean(sum(Decimal(c - o) for c, o in both) / n)}
    return {"rated": len(scores), "score": _mean(sum(Decimal(s) for s in scores) / len(scores)) if scores else None,
            "mutuality": mutuality}


def value(*, account_ids: Iterable[int], end: datetime.date) -> dict:
    """Contribution (12 months) and CLV of the accounts, from the latest snapshot day on or before `end`
    (the recompute's figures, metrics.formulas.contribution and clv): totals and means per account
    measured. Two queries."""
    ids = set(account_ids)
    day = AccountSnapshot.objects.filter(day__lte=end).aggregate(d=Max("day"))["d"]
    empty = {"day": day, "measured": 0, "contribution": None, "contribution_mean": None, "clv": None,
             "clv_mean": None, "clv_measured": 0}
    if day is None or not ids:
        return empty
    row = AccountSnapshot.objects.filter(day=day, account_id__in=ids).aggregate(
        n=Count("pk"), contribution_sum=Sum("contribution_12m"), contribution_avg=Avg("contribution_12m"),
        clv_sum=Sum("clv"), clv_avg=Avg("clv"), clv_n=Count("clv"))
    if not row["n"]:
        return empty
    return {"day": day, "measured": row["n"], "contribution": row["contribution_sum"],
            "contribution_mean": _mean(row["contribution_avg"]), "clv": row["clv_sum"],
            "clv_mean": _mean(row["clv_avg"]), "clv_measured": row["clv_n"]}


def portfolio_measures(*, account_ids: Iterable[int], start: datetime.date, end: datetime.date,
                       cadence_days: int | None = None) -> dict:
    """Every measure above for one set of accounts over [start, end] (dates, both included). A fixed
    number of queries (eight) whatever the number of accounts."""
    ids = set(account_ids)
    return {
        "accounts": len(ids),
        "plans": plan_coverage(account_ids=ids, end=end),
        "commitments": commitments_on_time(account_ids=ids, start=start, end=end),
        "sponsor_visits": sponsor_visits_in_cadence(account_ids=ids, end=end, cadence_days=cadence_days),
        "satisfaction": satisfaction(account_ids=ids, end=end),
        "value": value(account_ids=ids, end=end),
    }


def jsonable(measures):
    """The measures as JSON can hold them (Decimals and dates as text), to freeze them into a record."""
    if isinstance(measures, dict):
        return {k: jsonable(v) for k, v in measures.items()}
    if isinstance(measures, list | tuple):
        return [jsonable(v) for v in measures]
    if isinstance(measures, Decimal | datetime.date):
        return str(measures) if isinstance(measures, Decimal) else measures.isoformat()
    return measures
