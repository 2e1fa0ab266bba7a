"""What the platform measures on each KAM's accounts, for coaching: how many key accounts run on a current
plan and how many the client agreed, the commitments we kept on time, and where the health and the CLV
of their accounts are heading. The measures are the programme review's own (metrics.portfolio_measures);
only the health average, which that module does not measure, is read here.

Every KAM is measured the same way over the same period; the page shows each person beside the
programme's figure, never a ranking."""

import datetime
from collections import defaultdict

from django.utils import timezone

from accounts.models import Account, Tier
from metrics import portfolio_measures
from metrics.models import AccountSnapshot
from metrics.selectors import TREND_DAYS, latest_snapshot_day, trend

from . import formulas, selectors

# Commitments are counted over the last year: long enough to hold several per account.
COMMITMENT_DAYS = 365


def _health(account_ids_by_person: dict[int, set[int]], day, before) -> dict[int, tuple]:
    """The average health of each person's accounts on `day` and on the latest snapshot day at least
    TREND_DAYS earlier (`before`). One query."""
    if day is None:
        return {}
    kam_of = {a: p for p, ids in account_ids_by_person.items() for a in ids}
    days = [d for d in (day, before) if d is not None]
    rows = (AccountSnapshot.objects.filter(account_id__in=list(kam_of), day__in=days, health__isnull=False)
            .order_by().values_list("account_id", "day", "health"))
    sums: dict[tuple[int, object], list] = defaultdict(list)
    for account_id, on, health in rows:
        sums[(kam_of[account_id], on)].append(health)

    def avg(values):
        return formulas.one_decimal(sum(values) / len(values)) if values else None

    return {p: (avg(sums.get((p, day), [])), avg(sums.get((p, before), []))) for p in account_ids_by_person}


def _previous_day(day):
    """The latest snapshot day at least TREND_DAYS before `day`: the trend arrows' comparison point."""
    if day is None:
        return None
    return (AccountSnapshot.objects.filter(day__lte=day - datetime.timedelta(days=TREND_DAYS))
            .order_by("-day").values_list("day", flat=True).first())


def measures_for(people, today: datetime.date | None = None) -> dict[int, dict]:
    """Each person's measures. Three queries, then metrics.portfolio_measures' few per person (KAMs are
    a handful; the accounts they run can be thousands, which costs nothing more)."""
    today = today or timezone.localdate()
    rows = Account.objects.active().filter(kam__in=[p.pk for p in people]).values_list("pk", "kam_id", "tier")
    every: dict[int, set[int]] = {p.pk: set() for p in people}
    key: dict[int, set[int]] = {p.pk: set() for p in people}
    for pk, kam_id, tier in rows:
        every[kam_id].add(pk)
        if tier == Tier.KEY:
            key[kam_id].add(pk)
    day = latest_snapshot_day()
    before = _previous_day(day)
    health = _health(every, day, before)
    out = {}
    for p in people:
        plans = portfolio_measures.plan_coverage(account_ids=key[p.pk], end=today)
        kept = portfolio_measures.commitments_on_time(
            account_ids=every[p.pk], start=today - datetime.timedelta(days=COMMITMENT_DAYS), end=today)["us"]
        value_now = portfolio_measures.value(account_ids=every[p.pk], end=day) if day else None
        value_before = portfolio_measures.value(account_ids=every[p.pk], end=before) if before else None
        clv_now = value_now["clv_mean"] if value_now else None
        clv_before = value_before["clv_mean"] if value_before else None
        health_now, health_before = health.get(p.pk, (None, None))
        out[p.pk] = {
            "accounts": len(every[p.pk]), "key_accounts": len(key[p.pk]), "plans": plans, "commitments": kept,
            "health": health_now, "health_before": health_before, "health_trend": trend(health_now, health_before),
            "clv_mean": clv_now, "clv_before": clv_before, "clv_trend": trend(clv_now, clv_before),
        }
    return out


def comparison_page() -> dict:
    """Every KAM's measures side by side with the programme's (all KAMs' accounts together)."""
    people = list(selectors.kam_people())
    measures = measures_for(people)
    total = _programme(measures)
    return {"rows": [{"person": p, **measures[p.pk]} for p in people], "programme": total,
            "day": latest_snapshot_day(), "commitment_days": COMMITMENT_DAYS, "trend_days": TREND_DAYS}


def _programme(measures: dict[int, dict]) -> dict:
    """The programme's figures as the sum of the people's counts (the same rules, added up)."""
    key = sum(m["plans"]["accounts"] for m in measures.values())
    with_plan = sum(m["plans"]["with_plan"] for m in measures.values())
    agreed = sum(m["plans"]["agreed"] for m in measures.values())
    due = sum(m["commitments"]["due"] for m in measures.values())
    kept = sum(m["commitments"]["kept"] for m in measures.values())
    return {"key_accounts": key, "coverage": portfolio_measures.share(with_plan, key),
            "agreed_share": portfolio_measures.share(agreed, key), "due": due, "kept": kept,
            "kept_share": portfolio_measures.share(kept, due)}
