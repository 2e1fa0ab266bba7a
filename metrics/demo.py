"""Demo data for metrics: a year of daily snapshots so every trend has history, then today's recompute.

The year is computed for real at anchor days (weekly on the small set, every four weeks on the large
one) from the other apps' demo data as it stood on each day, and the days in between are filled by
linear interpolation between neighbouring anchors: on PostgreSQL in one INSERT ... SELECT over
generate_series, elsewhere in Python (the small set only). Idempotent: a day already computed is left
alone; anchors are upserted and filled days inserted only where missing.
"""

import datetime

from django.db import connection, transaction
from django.db.models import DecimalField

from .models import AccountSnapshot
from .services import SNAPSHOT_FIELDS, recompute_metrics, snapshots_compute, snapshots_save

HISTORY_DAYS = 365
NUMERIC_FIELDS = [
    "revenue_12m", "revenue_prev_12m", "cost_of_goods_12m", "cts_recorded_12m", "cts_incidents_12m",
    "cts_touchpoints_12m", "cost_to_serve_12m", "contribution_12m", "yoy_growth", "clv", "clv_risk_adjusted",
    "retention_risk_adjusted", "attractiveness", "strength",
]
SCORE_FIELDS = ["health", "health_engagement", "health_service", "health_plan", "health_sponsor",
                "health_satisfaction", "health_commercial"]
CARRIED_FIELDS = [f for f in SNAPSHOT_FIELDS if f not in NUMERIC_FIELDS and f not in SCORE_FIELDS]


def anchor_days(today: datetime.date, step: int) -> list[datetime.date]:
    """Every `step` days back from today, and the first day of the year of history; today last."""
    back = set(range(step, HISTORY_DAYS, step)) | {HISTORY_DAYS}
    return sorted(today - datetime.timedelta(days=n) for n in back) + [today]


NOT_MEASURED_TAX_ID = "B9-NUEVA"


def _not_measured_yet(ctx) -> None:
    """A customer just imported and handed to a KAM, with nothing recorded yet: its health shows as "not
    measured" on the KAM's dashboard, never as a neutral number. Created here, after the other apps'
    seeds, so that no touchpoint, incident or financial record lands on it."""
    from accounts.demo import TAX_PREFIX
    from accounts.models import Account
    from kam.roles import KAM

    if not Account.objects.filter(tax_id__startswith=TAX_PREFIX).exclude(tax_id=NOT_MEASURED_TAX_ID).exists():
        return  # no demo portfolio to add it to
    Account.objects.get_or_create(tax_id=NOT_MEASURED_TAX_ID, defaults={
        "name": "Recién Importada Logística S.L.", "industry": "logistics", "kam": ctx.by_role(KAM)[0]})


def seed(ctx) -> None:
    _not_measured_yet(ctx)
    if AccountSnapshot.objects.filter(day=ctx.today).exists():
        # Today's figures and their year of history are there: a second run on the same day would
        # only log another recompute run.
        ctx.log("  metrics: snapshots for today already computed")
        return
    step = 28 if ctx.large else 7
    anchors = anchor_days(ctx.today, step)
    with transaction.atomic():  # one commit for the whole backfill, not one per day
        for day in anchors[:-1]:
            snapshots_save(snapshots_compute(day=day))
    result = recompute_metrics(day=ctx.today, trigger="demo")
    filled = fill_between_anchors(anchors)
    ctx.log(f"  metrics: {len(anchors)} computed days, {filled} interpolated snapshots, "
            f"today's recompute {result.seconds:.1f} s for {result.accounts} accounts")


def fill_between_anchors(anchors: list[datetime.date]) -> int:
    if connection.vendor == "postgresql":
        return _fill_sql(anchors)
    return _fill_python(anchors)


def _fill_sql(anchors) -> int:
    table = AccountSnapshot._meta.db_table
    lerp = []
    for f in NUMERIC_FIELDS:
        lerp.append(f"CASE WHEN a.{f} IS NULL OR a.n_{f} IS NULL THEN a.{f} "
                    f"ELSE a.{f} + (a.n_{f} - a.{f}) * f.frac END")
    for f in SCORE_FIELDS:
        lerp.append(f"CASE WHEN a.{f} IS NULL OR a.n_{f} IS NULL THEN a.{f} "
                    f"ELSE round(a.{f} + (a.n_{f} - a.{f}) * f.frac)::int END")
    leads = ", ".join(f"LEAD({f}) OVER w AS n_{f}" for f in NUMERIC_FIELDS + SCORE_FIELDS)
    columns = ["account_id", "day", *NUMERIC_FIELDS, *SCORE_FIELDS, *CARRIED_FIELDS]
    select = ", ".join(["a.account_id", "d::date", *lerp, *[f"a.{f}" for f in CARRIED_FIELDS]])
    sql = f"""
        WITH a AS (
            SELECT s.*, LEAD(day) OVER w AS next_day, {leads}
            FROM {table} s WHERE s.day = ANY(%s)
            WINDOW w AS (PARTITION BY account_id ORDER BY day)
        )
        INSERT INTO {table} ({", ".join(columns)})
        SELECT {select}
        FROM a
        CROSS JOIN LATERAL generate_series(a.day + 1, a.next_day - 1, interval '1 day') AS d
        CROSS JOIN LATERAL (SELECT (d::date - a.day)::numeric / (a.next_day - a.day) AS frac) AS f
        WHERE a.next_day IS NOT NULL AND a.next_day - a.day > 1
        ON CONFLICT (account_id, day) DO NOTHING
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [list(anchors)])
        return cursor.rowcount


def _fill_python(anchors) -> int:
    by_account: dict[int, list[AccountSnapshot]] = {}
    for s in AccountSnapshot.objects.filter(day__in=anchors).order_by("account_id", "day"):
        by_account.setdefault(s.account_id, []).append(s)
    rows = []
    for series in by_account.values():
        for a, b in zip(series, series[1:], strict=False):
            span = (b.day - a.day).days
            for i in range(1, span):
                frac = i / span
                row = AccountSnapshot(account_id=a.account_id, day=a.day + datetime.timedelta(days=i))
                for f in CARRIED_FIELDS:
                    setattr(row, f, getattr(a, f))
                for f in NUMERIC_FIELDS + SCORE_FIELDS:
                    x, y = getattr(a, f), getattr(b, f)
                    if x is None or y is None:
                        setattr(row, f, x)
                    elif f in SCORE_FIELDS:
                        setattr(row, f, round(x + (y - x) * frac))
                    else:
                        field = AccountSnapshot._meta.get_field(f)
                        assert isinstance(field, DecimalField)  # the interpolated figures are decimals
                        value = x + (y - x) * type(x)(str(frac))
                        setattr(row, f, round(value, field.decimal_places))
                rows.append(row)
    AccountSnapshot.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)
