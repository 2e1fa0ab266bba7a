"""The pages at scale: every list page, the Pareto page and the three dashboards on the large demo set
(2,000 accounts) and on the same set plus 98,000 generated accounts, measured one after the other in the
same run. Target: each page's p50 at 100,000 accounts within 2x its p50 at 2,000, and the Pareto page
under 50 KB at both sizes.

    python -m bench.run --only scale [--requests 15] [--warmup 3]

Databases: BENCH_SCALE_DATABASE_URL (default .../kam_scale_2k) is prepared as the page benchmark prepares
its own (`server.prepare`: seeded with `seed_demo --size large` when empty); the large one is a copy of it
(`CREATE DATABASE ... TEMPLATE`, its name suffixed `_100k` in place of `_2k`, made afresh each run) with
98,000 accounts added in SQL: one in five with five years of monthly financials, one in a hundred a key
account, one in two thousand of those assigned to the demo KAMs and sponsors so their dashboards grow.
`recompute_metrics` runs on both before measuring. Figures go to bench/results/scale.json.
"""

import datetime
import json
import os
import time
import urllib.parse
from datetime import UTC

from bench import server

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kam_scale_2k"
ADDED = 98_000
MAX_RATIO = 2.0
MAX_PARETO_BYTES = 50 * 1024
MONTHS = 60
# The pages whose work could grow with the number of accounts (the account's own pages do not).
PAGES = ("account list", "portfolio", "pareto", "incident queue", "notifications",
         "dashboard kam", "dashboard sponsor", "dashboard program")

INDUSTRIES = ("oil_gas", "steel", "mining", "retail", "food", "chemicals", "automotive", "utilities",
              "construction", "pharma", "logistics", "other")

ACCOUNTS_SQL = """
INSERT INTO accounts_account (name, tax_id, customer_number, industry, country, region, status, tier,
                              relationship_stage, kam_id, sponsor_id, created_at, updated_at, revenue_12m,
                              pareto_class, quadrant, version)
SELECT 'Scale account ' || g, '', '', (%(industries)s::text[])[1 + g %% 12], 'ES', '', 'active',
       CASE WHEN g %% 100 = 0 THEN 'key' WHEN g %% 20 = 0 THEN 'development' ELSE 'standard' END,
       'exploratory',
       CASE WHEN g %% 2000 = 0 THEN (%(kams)s::bigint[])[1 + (g / 2000) %% cardinality(%(kams)s::bigint[])] END,
       CASE WHEN g %% 2000 = 0 THEN (%(sponsors)s::bigint[])[1 + (g / 2000) %% cardinality(%(sponsors)s::bigint[])]
       END,
       now(), now(), 0, '', '', 1
FROM generate_series(1, %(n)s) AS g
"""

FINANCIALS_SQL = """
INSERT INTO accounts_financialrecord (account_id, month, revenue, cost_of_goods, cost_to_serve)
SELECT id, month, revenue, round(revenue * 0.6, 2), round(revenue * 0.1, 2)
FROM (SELECT a.id, m.month::date AS month, round((200 + random() * (a.id %% 97 + 1) * 100)::numeric, 2) AS revenue
      FROM accounts_account AS a
      CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS m(month)
      WHERE a.id > %(after)s AND a.id %% 5 = 0) AS generated
"""


def _months_back(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def large_url(small_url: str) -> str:
    parts = urllib.parse.urlsplit(small_url)
    name = parts.path.lstrip("/")
    large = name[:-3] + "_100k" if name.endswith("_2k") else name + "_100k"
    return parts._replace(path="/" + large).geturl()


def copy_and_grow(small_url: str, url: str, users: dict) -> dict:
    """The large database: a fresh copy of the small one with ADDED generated accounts; `users` are the
    demo usernames by role (bench/targets.py)."""
    import psycopg

    conn, small = server._psql_admin(small_url)
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    t0 = time.monotonic()
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{small}"')
    server.log(f"copied {small} to {name} in {time.monotonic() - t0:.0f} s")
    month0 = datetime.date.today().replace(day=1)
    with psycopg.connect(url) as db:
        def ids(role):
            return [r[0] for r in db.execute("SELECT id FROM auth_user WHERE username = ANY(%s) ORDER BY id",
                                             [users.get(role, [])]).fetchall()]
        after = db.execute("SELECT coalesce(max(id), 0) FROM accounts_account").fetchone()[0]
        db.execute("SELECT setseed(0.42)")
        db.execute(ACCOUNTS_SQL, {"industries": list(INDUSTRIES), "n": ADDED, "kams": ids("KAM"),
                                  "sponsors": ids("Executive sponsor")})
        cur = db.execute(FINANCIALS_SQL, {"first": _months_back(month0, MONTHS), "last": _months_back(month0, 1),
                                          "after": after})
        rows = cur.rowcount
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    seconds = round(time.monotonic() - t0, 1)
    server.log(f"{ADDED} accounts and {rows} monthly rows added in {seconds} s")
    return {"added_accounts": ADDED, "added_financial_rows": rows, "seconds": seconds}


def _vacuum(url: str) -> None:
    # The recompute rewrites every account: without this the scans wade through dead rows.
    import psycopg

    # The checkpoint writes the generation's dirty pages now rather than during the first pages measured.
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
        db.execute("CHECKPOINT")


def recompute(env: dict) -> float:
    t0 = time.monotonic()
    server.manage(env, "recompute_metrics", capture=True)
    return round(time.monotonic() - t0, 1)


def measure(env: dict, requests: int, warmup: int) -> dict:
    """p50 and size of each page on the database `env` points at, through gunicorn and a private Redis."""
    from bench.run import measure_page

    found = server.targets(env)
    pages = [p for p in found["pages"] if p["name"] in PAGES and p["url"]]
    out: dict = {"accounts": found["accounts"], "key_accounts": found["key_accounts"], "pages": {}}
    with server.private_redis() as redis_url:
        extra = {"KAM_QUERY_COUNT_HEADER": "1"}
        if redis_url:
            extra.update({"REDIS_URL": f"{redis_url}/0", "REDIS_CACHE_URL": f"{redis_url}/1"})
        with server.gunicorn(env, workers=2, extra_env=extra) as port:
            clients: dict[str, server.Client] = {}
            for page in pages:
                client = clients.get(page["user"])
                if client is None:
                    client = clients[page["user"]] = server.Client(port)
                    if not client.login(page["user"], found["password"]):
                        raise SystemExit(f"could not sign in as {page['user']}")
                row = measure_page(client, page["url"], requests, warmup)
                _s, _h, body = client.request("GET", page["url"])
                row["bytes"] = len(body)
                row.update(user=page["user"], url=page["url"])
                out["pages"][page["name"]] = row
                server.log(f"  {page['name']:<18} p50 {row.get('p50_ms')} ms, {len(body)} bytes")
    return out


def compare(small: dict, large: dict) -> list[dict]:
    rows = []
    for name in PAGES:
        a, b = small["pages"].get(name), large["pages"].get(name)
        if not a or not b or a.get("status") != 200 or b.get("status") != 200:
            rows.append({"page": name, "missing": True})
            continue
        ratio = round(b["p50_ms"] / a["p50_ms"], 2) if a["p50_ms"] else None
        row = {"page": name, "p50_2k_ms": a["p50_ms"], "p50_100k_ms": b["p50_ms"], "ratio": ratio,
               "queries_2k": a.get("queries"), "queries_100k": b.get("queries"),
               "bytes_2k": a["bytes"], "bytes_100k": b["bytes"],
               "meets": ratio is not None and ratio <= MAX_RATIO}
        if name == "pareto":
            row["meets"] = row["meets"] and max(a["bytes"], b["bytes"]) < MAX_PARETO_BYTES
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    head = f"{'page':<18} {'p50 2k':>8} {'p50 100k':>9} {'ratio':>6} {'bytes 2k':>9} {'bytes 100k':>10}  target"
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("missing"):
            lines.append(f"{r['page']:<18} {'missing':>8}")
            continue
        lines.append(f"{r['page']:<18} {r['p50_2k_ms']:>8.1f} {r['p50_100k_ms']:>9.1f} {r['ratio']:>6.2f} "
                     f"{r['bytes_2k']:>9} {r['bytes_100k']:>10}  {'ok' if r['meets'] else 'MISSED'}")
    return "\n".join(lines)


def run(requests: int = 15, warmup: int = 3) -> int:
    t0 = time.monotonic()
    small_url = os.environ.get("BENCH_SCALE_DATABASE_URL") or DEFAULT_DB
    url = large_url(small_url)
    small_env = server.prepare(small_url)
    server.log(f"recompute_metrics on the 2,000-account set: {recompute(small_env)} s")
    _vacuum(small_url)
    grown = copy_and_grow(small_url, url, server.targets(small_env)["users"])
    large_env = server.base_env(url)
    grown["recompute_seconds"] = recompute(large_env)
    server.log(f"recompute_metrics on the 100,000-account set: {grown['recompute_seconds']} s")
    _vacuum(url)
    server.log(f"measuring {requests} requests per page after {warmup} warm-up requests, 2k then 100k")
    small = measure(small_env, requests, warmup)
    large = measure(large_env, requests, warmup)
    rows = compare(small, large)
    seconds = round(time.monotonic() - t0)
    load = os.getloadavg()
    print()
    print(table(rows))
    print(f"\n{small['accounts']:,} and {large['accounts']:,} accounts; target: p50 at most {MAX_RATIO:.0f}x, "
          f"Pareto page under {MAX_PARETO_BYTES // 1024} KB; {seconds} s in all; load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs")
    server.RESULTS.mkdir(parents=True, exist_ok=True)
    out = server.RESULTS / "scale.json"
    out.write_text(json.dumps({
        "when": datetime.datetime.now(UTC).isoformat(timespec="seconds"), "seconds": seconds,
        "load_average": [round(x, 2) for x in load], "requests_per_page": requests, "warmup": warmup,
        "generated": grown, "pages": rows, "small": small, "large": large}, indent=2))
    server.log(f"written {out.relative_to(server.ROOT)}")
    return 0 if all(r.get("meets") for r in rows) else 1
