"""`make load`: 50 simulated users for 60 s against gunicorn on the large data set (locust, headless).

    python -m bench.load [--users 50] [--spawn-rate 10] [--time 60] [--workers 2]

Bounded in time and users, loopback only. Prints requests/s, p95 and the error count per request
type and overall, and writes bench/results/load.json. Exit status 1 when any request failed.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import server

MAX_USERS = 500
MAX_SECONDS = 600


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= MAX_USERS and 1 <= args.time <= MAX_SECONDS):
        parser.error(f"users must be 1..{MAX_USERS} and time 1..{MAX_SECONDS} s")

    database_url = os.environ.get("DATABASE_URL") or server.DEFAULT_DB
    env = server.prepare(database_url)
    found = server.targets(env)
    found["sessions"] = server.sessions(env)

    with tempfile.TemporaryDirectory(prefix="kam-load-") as tmp:
        targets_file = Path(tmp) / "targets.json"
        targets_file.write_text(json.dumps(found))
        prefix = Path(tmp) / "load"
        with server.private_redis() as redis_url:
            extra = {}
            if redis_url:
                extra.update({"REDIS_URL": f"{redis_url}/0", "REDIS_CACHE_URL": f"{redis_url}/1"})
            with server.gunicorn(env, workers=args.workers, extra_env=extra) as port:
                server.log(f"locust: {args.users} users for {args.time} s against 127.0.0.1:{port}")
                locust_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
                locust_env.update({"KAM_BENCH_TARGETS": str(targets_file), "PYTHONPATH": str(server.ROOT)})
                cmd = [str(Path(server.PY).parent / "locust"), "-f", str(server.ROOT / "bench" / "locustfile.py"),
                       "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                       "--run-time", f"{args.time}s", "--host", f"http://127.0.0.1:{port}",
                       "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
                       "--loglevel", "WARNING"]
                proc = subprocess.run(cmd, cwd=server.ROOT, env=locust_env, timeout=args.time + 120,
                                      capture_output=True, text=True)
                if "Traceback" in proc.stderr:  # a user's own code failed: show it, it is not a server error
                    print(proc.stderr[-4000:])
                if proc.returncode not in (0, 1):  # 1: some requests failed, reported below
                    print(proc.stdout[-3000:], proc.stderr[-3000:])
                    raise SystemExit(f"locust exited with {proc.returncode}")
        rows = read_stats(prefix)
        failures = read_failures(prefix)

    total = next(r for r in rows if r["Name"] == "Aggregated")
    head = f"{'request':<34} {'count':>7} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>8}"
    print()
    print(head)
    print("-" * len(head))
    for r in rows:
        if r["Name"] == "Aggregated":
            continue
        label = f"{r['Type']} {r['Name']}"[:34]
        print(f"{label:<34} {r['Request Count']:>7} {r['Failure Count']:>7} {float(r['Requests/s']):>7.1f} "
              f"{r['50%']:>7} {r['95%']:>7} {float(r['Max Response Time']):>8.0f}")
    print("-" * len(head))
    print(f"{'all':<34} {total['Request Count']:>7} {total['Failure Count']:>7} "
          f"{float(total['Requests/s']):>7.1f} {total['50%']:>7} {total['95%']:>7} "
          f"{float(total['Max Response Time']):>8.0f}")
    errors = int(total["Failure Count"])
    print(f"\n{args.users} users, {args.time} s: {float(total['Requests/s']):.1f} requests/s, "
          f"p95 {total['95%']} ms, {errors} errors")
    for f in failures[:20]:
        print(f"  error: {f['Method']} {f['Name']}: {f['Error']} (x{f['Occurrences']})")

    server.RESULTS.mkdir(parents=True, exist_ok=True)
    (server.RESULTS / "load.json").write_text(json.dumps({
        "users": args.users, "seconds": args.time, "workers": args.workers,
        "requests": int(total["Request Count"]), "errors": errors,
        "requests_per_s": round(float(total["Requests/s"]), 1), "p50_ms": total["50%"], "p95_ms": total["95%"],
        "by_request": rows, "failures": failures,
    }, indent=2))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
