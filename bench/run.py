"""`make bench`: response times and SQL queries of every main page on the large data set, with the cache
warm and cold (emptied before each sample: `cold p50`; needs redis-server).

    python -m bench.run [--requests 50] [--warmup 5] [--reseed] [--no-imports | --imports-only]
                        [--only recompute | --only scale] [--sizes 2000,20000]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kam_bench_large) is seeded with
`seed_demo --size large` when it holds no large set. Each page is requested by the role that uses it,
through gunicorn with DEBUG off, sequentially (one request at a time: this measures the page, the load
test measures the server). Times are wall-clock at the client on the loopback interface. The SQL count
comes from the X-Query-Count header (kam/middleware.py, enabled only here).

Then the import section (bench/imports.py: 100,000 accounts and 1,000,000 monthly figures imported and
imported again, on a database of its own); `--imports-only` runs it alone.
Then the recompute at scale (bench/recompute.py): 2,000 / 20,000 / 100,000 accounts with five years of
monthly financials on a database of its own. `--only recompute` runs that part alone; `--only` with a
page's name leaves it out.
`--only scale` (bench/scale.py, not part of the whole run: it seeds and copies databases of its own)
measures the list pages, the Pareto page and the dashboards at 2,000 and at 100,000 accounts in one run
(15 requests after 3 warm-up by default): each within 2x, the Pareto page under 50 KB.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench import imports, scale, server
from bench import recompute as recompute_scale

TARGET_P50_MS = 30.0
TARGET_P95_MS = 100.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct % of the sample at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def measure_page(client: server.Client, url: str, n: int, warmup: int, clear_cache=None) -> dict:
    """Warm figures (the cache filled by the warm-up), then, given `clear_cache`, the same number of
    cold samples, the cache emptied before each: what the cache buys on this page."""
    for _ in range(warmup):
        status, _h, _b = client.request("GET", url)
        if status != 200:
            return {"status": status}
    times, queries, statuses = [], [], set()
    for _ in range(n):
        t0 = time.perf_counter()
        status, headers, _body = client.request("GET", url)
        times.append((time.perf_counter() - t0) * 1000)
        statuses.add(status)
        if "x-query-count" in headers:
            queries.append(int(headers["x-query-count"]))
    result = {
        "status": max(statuses),
        "requests": n,
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "queries": max(queries) if queries else None,
        "queries_min": min(queries) if queries else None,
    }
    result["meets_target"] = result["p50_ms"] <= TARGET_P50_MS and result["p95_ms"] <= TARGET_P95_MS
    if clear_cache is not None:
        cold = []
        for _ in range(n):
            clear_cache()
            t0 = time.perf_counter()
            client.request("GET", url)
            cold.append((time.perf_counter() - t0) * 1000)
        result["cold_p50_ms"] = round(percentile(cold, 50), 1)
    return result


def cache_clearer(cache_url: str | None):
    """Empties the servers' cache (the Redis database they keep it in); None without Redis, whose
    local-memory cache lives inside the server processes."""
    if not cache_url:
        return None
    import redis

    client = redis.Redis.from_url(cache_url)
    return client.flushdb


def time_recompute(env: dict) -> dict:
    t0 = time.monotonic()
    proc = server.manage(env, "recompute_metrics", check=False, capture=True)
    seconds = round(time.monotonic() - t0, 1)
    if proc.returncode != 0:
        server.log(f"recompute_metrics failed:\n{proc.stderr[-2000:]}")
    return {"seconds": seconds, "ok": proc.returncode == 0}


def table(rows: list[dict]) -> str:
    head = (f"{'page':<20} {'user':<16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} "
            f"{'cold p50':>8}  target")
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("missing"):
            lines.append(f"{r['name']:<20} {r['user'] or '':<16} {'missing':>8}")
        elif r.get("status") != 200:
            lines.append(f"{r['name']:<20} {r['user']:<16} {'HTTP ' + str(r.get('status')):>8}")
        else:
            q = r["queries"] if r["queries"] is not None else "?"
            mark = "ok" if r["meets_target"] else "MISSED"
            cold = f"{r['cold_p50_ms']:.1f}" if r.get("cold_p50_ms") is not None else "-"
            lines.append(f"{r['name']:<20} {r['user']:<16} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                         f"{r['max_ms']:>8.1f} {q:>8} {cold:>8}  {mark}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=None, help="per page (50; 15 with --only scale)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up requests (5; 3 with --only scale)")
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed it again")
    parser.add_argument("--no-recompute", action="store_true", help="skip timing recompute_metrics")
    parser.add_argument("--only", metavar="TEXT", action="append",
                        help="measure only the pages whose name contains TEXT (repeatable)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache samples")
    parser.add_argument("--prepare-only", action="store_true", help="create, migrate and seed, then stop")
    parser.add_argument("--imports-only", action="store_true",
                        help="run only the import section (bench/imports.py), on its own database")
    parser.add_argument("--no-imports", action="store_true", help="skip the import section")
    parser.add_argument("--sizes", default=",".join(str(n) for n in recompute_scale.DEFAULT_SIZES),
                        help="account counts of the recompute at scale, comma-separated")
    args = parser.parse_args(argv)
    if args.imports_only:
        return run_imports_section()
    if args.only == ["recompute"]:
        return _recompute_at_scale(args.sizes)
    if args.only == ["scale"]:
        return scale.run(args.requests or 15, 3 if args.warmup is None else args.warmup)
    args.requests = args.requests or 50
    args.warmup = 5 if args.warmup is None else args.warmup

    database_url = os.environ.get("DATABASE_URL") or server.DEFAULT_DB
    env = server.prepare(database_url, reseed=args.reseed)
    if args.prepare_only:
        return 0
    found = server.targets(env)
    server.log(f"{found['accounts']} accounts ({found['key_accounts']} key); measuring {args.requests} "
               f"requests per page after {args.warmup} warm-up requests")

    rows = []
    with server.private_redis() as redis_url:
        extra = {"KAM_QUERY_COUNT_HEADER": "1"}
        if redis_url:
            extra.update({"REDIS_URL": f"{redis_url}/0", "REDIS_CACHE_URL": f"{redis_url}/1"})
        clear_cache = None if args.no_cold else cache_clearer(redis_url and f"{redis_url}/1")
        with server.gunicorn(env, workers=2, extra_env=extra) as port:
            clients: dict[str, server.Client] = {}
            pages = [p for p in found["pages"] if not args.only or any(t in p["name"] for t in args.only)]
            for page in pages:
                row = {"name": page["name"], "user": page["user"], "url": page["url"]}
                if not page["url"]:
                    row["missing"] = True
                    rows.append(row)
                    continue
                client = clients.get(page["user"])
                if client is None:
                    client = server.Client(port)
                    if not client.login(page["user"], found["password"]):
                        raise SystemExit(f"could not sign in as {page['user']}")
                    clients[page["user"]] = client
                row.update(measure_page(client, page["url"], args.requests, args.warmup, clear_cache))
                if row.get("status") == 404:
                    row["missing"] = True
                rows.append(row)
                print(f"  {page['name']:<20} done", flush=True)

    recompute = None
    if found["has_recompute_metrics"] and not args.no_recompute:
        server.log("timing recompute_metrics on the large data set")
        recompute = time_recompute(env)

    # The import section is the whole run's, not a partial one's (--only); it drops its own database.
    imports_figures = None
    if not (args.only or args.no_imports):
        with server.private_redis() as redis_url:
            imports_figures = imports.run(redis_url)

    load = os.getloadavg()
    print()
    print(table(rows))
    print(f"\nload average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs")
    if recompute:
        print(f"\nrecompute_metrics: {recompute['seconds']} s ({'ok' if recompute['ok'] else 'FAILED'})")
    elif not found["has_recompute_metrics"]:
        print("\nrecompute_metrics: missing")
    if imports_figures:
        print("\n" + imports.describe(imports_figures))
    measured = [r for r in rows if not r.get("missing") and r.get("status") == 200]
    missed = [r["name"] for r in measured if not r["meets_target"]]
    errors = [r["name"] for r in rows if not r.get("missing") and r.get("status") != 200]
    print(f"\ntargets: p50 <= {TARGET_P50_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms; "
          f"{len(measured) - len(missed)}/{len(measured)} pages meet them"
          + (f"; missed: {', '.join(missed)}" if missed else "")
          + (f"; errors: {', '.join(errors)}" if errors else ""))

    server.RESULTS.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=server.ROOT, text=True,
                            capture_output=True).stdout.strip()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in load],
                    "python": platform.python_version(), "platform": platform.platform()},
        "data": {"accounts": found["accounts"], "key_accounts": found["key_accounts"]},
        "requests_per_page": args.requests,
        "warmup": args.warmup,
        "targets_ms": {"p50": TARGET_P50_MS, "p95": TARGET_P95_MS},
        "pages": rows,
        "recompute_metrics": recompute,
        "imports": imports_figures,
    }
    # A partial run (--only) must not pass for the whole benchmark's figures.
    out = server.RESULTS / ("partial.json" if args.only else "latest.json")
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    server.log(f"written {out.relative_to(server.ROOT)}")
    if not args.only and _recompute_at_scale(args.sizes):
        return 1
    return 1 if errors else 0


def run_imports_section() -> int:
    """The import section alone: figures printed and written to bench/results/imports.json."""
    with server.private_redis() as redis_url:
        figures = imports.run(redis_url)
    load = os.getloadavg()
    print()
    print(imports.describe(figures))
    print(f"\nload average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs")
    server.RESULTS.mkdir(parents=True, exist_ok=True)
    out = server.RESULTS / "imports.json"
    out.write_text(json.dumps({"when": datetime.now(UTC).isoformat(timespec="seconds"),
                               "load_average": [round(x, 2) for x in load], **figures}, indent=2))
    server.log(f"written {out.relative_to(server.ROOT)}")
    return 0 if all(figures["meets"].values()) else 1
def _recompute_at_scale(sizes: str) -> int:
    """Time recompute_metrics at each size (bench/recompute.py) in a process of its own (it sets Django up
    on its own database); writes bench/results/recompute.json."""
    proc = subprocess.run([sys.executable, "-c", f"import sys; from bench.run import recompute_child; "
                                                 f"sys.exit(recompute_child({sizes!r}))"], cwd=server.ROOT)
    return proc.returncode


def recompute_child(sizes: str) -> int:
    results = recompute_scale.measure([int(n) for n in sizes.split(",") if n.strip()])
    load = os.getloadavg()
    print()
    print(recompute_scale.table(results))
    print(f"load average: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs")
    server.RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in load]},
              "recompute": results}
    (server.RESULTS / "recompute.json").write_text(json.dumps(report, indent=2))
    slow = [r for r in results if r["accounts"] >= 100_000 and r["seconds"] > recompute_scale.TARGET_SECONDS_100K]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
