"""The metrics recompute at scale: N accounts with five years of monthly financials, generated in SQL,
then `recompute_metrics` timed in this process. Run by `make bench` after the pages, or alone:

    python -m bench.run --only recompute [--sizes 2000,20000,100000]

DATABASE_URL for this part defaults to .../kam_clv_bench (BENCH_RECOMPUTE_DATABASE_URL overrides it);
the database is emptied before each size. The generated base is shaped like a real one: about a third
of the accounts stopped buying a year ago (so the observed retention is measured on something), one in
twenty-five loses money, one in a hundred is a key account and one in twenty in development.
"""

import datetime
import os
import time

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kam_clv_bench"
DEFAULT_SIZES = (2_000, 20_000, 100_000)
TARGET_SECONDS_100K = 60.0
MONTHS = 60

INDUSTRIES = ("oil_gas", "steel", "mining", "retail", "food", "chemicals", "automotive", "utilities",
              "construction", "pharma", "logistics", "other")

ACCOUNTS_SQL = """
INSERT INTO accounts_account (name, tax_id, industry, country, region, status, tier, relationship_stage,
                              created_at, updated_at, revenue_12m, pareto_class, quadrant, version)
SELECT 'Bench account ' || g, '', (%(industries)s::text[])[1 + g %% %(n_industries)s], 'ES', '', 'active',
       CASE WHEN g %% 100 = 0 THEN 'key' WHEN g %% 20 = 0 THEN 'development' ELSE 'standard' END,
       'exploratory', now(), now(), 0, '', '', 1
FROM generate_series(1, %(n)s) AS g
"""

# Every account buys every month for five years, except those (id % 3 = 0) that stopped a year ago;
# one in twenty-five (id % 25 = 0) costs more to serve than it earns.
FINANCIALS_SQL = """
INSERT INTO accounts_financialrecord (account_id, month, revenue, cost_of_goods, cost_to_serve)
SELECT id, month, revenue, round(revenue * 0.6, 2), round(revenue * CASE WHEN id %% 25 = 0 THEN 0.7 ELSE 0.1 END, 2)
FROM (SELECT a.id, m.month::date AS month, round((200 + random() * (a.id %% 97 + 1) * 100)::numeric, 2) AS revenue
      FROM accounts_account AS a
      CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS m(month)
      WHERE NOT (a.id %% 3 = 0 AND m.month >= %(stopped)s::date)) AS generated
"""


def _months_back(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def generate(n: int, today: datetime.date) -> dict:
    """Empty the database's accounts (and everything hanging from them) and write `n` accounts with
    MONTHS months of financials up to last month. Returns the row counts and seconds taken."""
    from django.db import connection, transaction

    month0 = today.replace(day=1)
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_account, metrics_recomputerun CASCADE")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(ACCOUNTS_SQL, {"industries": list(INDUSTRIES), "n_industries": len(INDUSTRIES), "n": n})
        cursor.execute(FINANCIALS_SQL, {"first": _months_back(month0, MONTHS), "last": _months_back(month0, 1),
                                        "stopped": _months_back(month0, 12)})
        rows = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("ANALYZE accounts_financialrecord")
    return {"accounts": n, "financial_rows": rows, "seconds": round(time.monotonic() - t0, 1)}


def measure(sizes=DEFAULT_SIZES, database_url: str | None = None) -> list[dict]:
    """Generate each size and time one recompute of it; a list of {accounts, financial_rows, seconds,
    per_1000}."""
    from bench import server

    url = database_url or os.environ.get("BENCH_RECOMPUTE_DATABASE_URL") or DEFAULT_DB
    server.ensure_database(url)
    env = server.base_env(url)
    server.manage(env, "migrate", "--noinput", "-v0")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY",
                                             "ALLOWED_HOSTS", "KAM_SITE_URL")})
    import django

    django.setup()
    from django.utils import timezone

    from metrics.services import recompute_metrics

    today = timezone.localdate()
    results = []
    for n in sizes:
        made = generate(n, today)
        server.log(f"{n} accounts, {made['financial_rows']} monthly rows generated in {made['seconds']} s")
        t0 = time.monotonic()
        result = recompute_metrics(day=today, trigger="bench")
        seconds = time.monotonic() - t0
        results.append({"accounts": n, "financial_rows": made["financial_rows"], "seconds": round(seconds, 1),
                        "per_1000": round(seconds / n * 1000, 3), "snapshots": result.snapshots})
        server.log(f"recompute_metrics on {n} accounts: {seconds:.1f} s")
    return results


def table(results: list[dict]) -> str:
    head = f"{'accounts':>9} {'monthly rows':>13} {'seconds':>8} {'s / 1,000':>10}"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r['accounts']:>9,} {r['financial_rows']:>13,} {r['seconds']:>8.1f} {r['per_1000']:>10.3f}")
    big = [r for r in results if r["accounts"] >= 100_000]
    if big:
        ok = all(r["seconds"] <= TARGET_SECONDS_100K for r in big)
        lines.append(f"target: <= {TARGET_SECONDS_100K:.0f} s at 100,000 accounts: {'ok' if ok else 'MISSED'}")
    return "\n".join(lines)
