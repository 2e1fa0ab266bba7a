"""The import section of `make bench`: 100,000 accounts and 1,000,000 monthly financial rows imported
into an empty database, then the same files imported again unchanged.

    python -m bench.run --imports-only        (or: make bench BENCH_ARGS=--imports-only)

The files are generated as CSV on disk, a row at a time; each is at most the import's MAX_ROWS rows
(accounts 50,000, financials 150,000) and under the upload limit (KAM_UPLOAD_MAX_BYTES; a file is cut
earlier if it would reach it, and the log says how large the largest is), so 100,000 accounts are two
files and 1,000,000 months seven (five years of months for 16,667 accounts). Every file goes through
`_import_file`, the job an upload makes (kept and checked, confirmed, imported; the check and the import
are timed apart), in a child process per kind and pass (first import, re-import), whose peak resident
memory is read from the kernel when it exits (os.wait4). The database (BENCH_IMPORT_DATABASE_URL,
default .../kam_bench_imports) is dropped and created again on each run. Metrics' recompute, which an
import asks for, is left in the outbox (a private Redis is the broker): it is the worker's job, not
the import's.
"""

import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import server

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kam_bench_imports"
# BENCH_IMPORT_SCALE (default 1) shrinks the data for a quick try; the targets are for the full size.
SCALE = float(os.environ.get("BENCH_IMPORT_SCALE") or 1)
ACCOUNTS = int(100_000 * SCALE)
FINANCIAL_ROWS = int(1_000_000 * SCALE)
MONTHS = 60
PASS_TIMEOUT_S = 1800  # one pass (all files of one kind or of a re-import): the section stays bounded

TARGET_ACCOUNT_ROWS_S = 2000
TARGET_FINANCIAL_ROWS_S = 10_000
TARGET_REIMPORT_SHARE = 0.20
TARGET_RSS_MB = 500

INDUSTRIES = ("mining", "steel", "chemicals", "food", "retail", "other")
STAGES = ("exploratory", "basic", "cooperative", "interdependent")
KAMS = 20


class _Outcome:
    """What `_import_file` hands back: the job's result counts and the time of each step."""

    def __init__(self, job, check_seconds: float, import_seconds: float):
        report = job.result or job.preview or {}
        self.ok = job.status == "done"
        self.file_error = report.get("file_error") or job.message
        self.errors = report.get("error_groups") or []
        self.rows = report.get("rows", 0)
        self.created, self.updated = report.get("created", 0), report.get("updated", 0)
        self.unchanged = report.get("unchanged", 0)
        self.check_seconds, self.import_seconds = check_seconds, import_seconds


def _import_file(actor, kind: str, path: Path) -> _Outcome:
    """One file through the job an upload makes: kept and checked (the preview), confirmed, then run.
    Both steps run here, in line, through the same services a worker calls (a worker is not part of the
    measure); the conventions are the generated files' own (decimal point, year-month-day)."""
    from django.conf import settings

    from accounts.models import ImportJob
    from accounts.services import import_job_confirm, import_job_create, import_job_preview, import_job_run
    from accounts.services.imports import preview_ok

    # On the embedded default a job would start in a thread: here it runs in line instead.
    settings.KAM_BACKGROUND_THREADS = False
    data = path.read_bytes()
    t0 = time.perf_counter()
    job = import_job_create(actor=actor, kind=kind, filename=path.name, data=data, decimal=".", dates="ymd")
    del data
    job = import_job_preview(job_id=job.pk)  # a no-op if the job was already checked in line
    t1 = time.perf_counter()
    if job.status != "previewed" or not preview_ok(job.preview):
        return _Outcome(job, t1 - t0, 0.0)
    import_job_confirm(actor=actor, job=job)
    job = import_job_run(job_id=job.pk)
    t2 = time.perf_counter()
    ImportJob.objects.filter(pk=job.pk).update(data=b"")
    return _Outcome(ImportJob.objects.get(pk=job.pk), t1 - t0, t2 - t1)


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    out = []
    for back in range(MONTHS, 0, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(datetime.date(y, m + 1, 1))
    return out


# Room left under the upload limit when a file is cut: more than one row (accounts) or one account's
# months (financials) can take.
ROW_ROOM = {"accounts": 1024, "financials": MONTHS * 128}


def generate(directory: Path, max_rows: dict[str, int], max_bytes: int) -> dict[str, list[Path]]:
    """The CSV files, written row by row (nothing held in memory). A file ends at the import's row
    bound or, like an upload, before it reaches the upload limit (max_bytes), whichever comes first."""
    files: dict[str, list[Path]] = {"accounts": [], "financials": []}
    per_file = max_rows["accounts"]
    i = 0
    while i < ACCOUNTS:
        path = directory / f"accounts_{len(files['accounts']) + 1}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(["name", "tax_id", "country", "industry", "region", "status", "relationship_stage",
                        "kam_email", "parent_tax_id"])
            start = i
            while i < min(ACCOUNTS, start + per_file) and f.tell() < max_bytes - ROW_ROOM["accounts"]:
                # Every 25th account belongs to the group headed by the account before its block.
                parent = f"B{(i - i % 25):08d}" if i % 25 and i % 5 == 0 else ""
                w.writerow([f"Cliente {i} S.L.", f"B{i:08d}", "ES" if i % 7 else "PT", INDUSTRIES[i % 6],
                            f"Región {i % 17}", "active", STAGES[i % 4],
                            f"kam{i % KAMS}@bench.example" if i % 3 == 0 else "", parent])
                i += 1
        files["accounts"].append(path)
    months = _months(datetime.date.today())
    accounts_with_figures = -(-FINANCIAL_ROWS // MONTHS)
    per_file = max_rows["financials"] // MONTHS * MONTHS  # an account's months stay in one file
    written, index = 0, 0
    while written < FINANCIAL_ROWS:
        index += 1
        path = directory / f"financials_{index}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(["account_tax_id", "month", "revenue", "cost_of_goods", "cost_to_serve"])
            in_file = 0
            while in_file < per_file and written < FINANCIAL_ROWS:
                account = written // MONTHS
                month = months[written % MONTHS]
                if account >= accounts_with_figures:
                    break
                if written % MONTHS == 0 and f.tell() >= max_bytes - ROW_ROOM["financials"]:
                    break  # the next account's months would take the file past the upload limit
                revenue = 1000 + (account * 37 + month.month * 11) % 90_000
                w.writerow([f"B{account * (ACCOUNTS // accounts_with_figures):08d}", month.strftime("%Y-%m"),
                            f"{revenue}.{account % 100:02d}", f"{revenue * 6 // 10}.50", f"{revenue // 20}"])
                written += 1
                in_file += 1
        files["financials"].append(path)
    return files


def _child_main(directory: str, passes: str) -> None:
    """In the child: import the files of `passes` ("accounts", "financials", "again_accounts" or
    "again_financials") and print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    import django

    django.setup()
    if passes == "max_rows":
        from django.conf import settings

        from accounts.imports import MAX_ROWS

        print(json.dumps({"max_rows": dict(MAX_ROWS), "max_bytes": settings.KAM_UPLOAD_MAX_BYTES}))
        return
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.models import Account, FinancialRecord
    from kam.roles import KAM

    User = get_user_model()
    actor, _new = User.objects.get_or_create(username="bench-lead", defaults={"is_superuser": True,
                                                                               "is_staff": True})
    group, _new = Group.objects.get_or_create(name=KAM)
    for i in range(KAMS):
        kam, _new = User.objects.get_or_create(username=f"bench-kam{i}", defaults={"email": f"kam{i}@bench.example"})
        kam.groups.add(group)
    kinds = [passes.removeprefix("again_")]
    out: dict = {"files": []}
    history_before = Account.history.count() + FinancialRecord.history.count()
    for kind in kinds:
        for path in sorted(Path(directory).glob(f"{kind}_*.csv"), key=lambda p: int(p.stem.split("_")[1])):
            t0 = time.perf_counter()
            result = _import_file(actor, kind, path)
            seconds = time.perf_counter() - t0
            if not result.ok:
                raise SystemExit(f"{path.name}: {result.file_error or result.errors[:3]}")
            out["files"].append({"file": path.name, "kind": kind, "rows": result.rows, "seconds": round(seconds, 2),
                                 "check_seconds": round(result.check_seconds, 2),
                                 "import_seconds": round(result.import_seconds, 2),
                                 "bytes": path.stat().st_size,
                                 "created": result.created, "updated": result.updated,
                                 "unchanged": result.unchanged})
            print(f"  {path.name}: {result.rows} rows, check {result.check_seconds:.1f} s, import "
                  f"{result.import_seconds:.1f} s", file=sys.stderr, flush=True)
    out["history_rows_written"] = Account.history.count() + FinancialRecord.history.count() - history_before
    print(json.dumps(out))


def _run_pass(env: dict, directory: Path, passes: str) -> dict:
    proc = subprocess.Popen([server.PY, "-m", "bench.imports", str(directory), passes], cwd=server.ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + PASS_TIMEOUT_S
    # Reaped with wait4, which gives this child's own resource usage (its peak resident set among it).
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    while pid == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid == 0:
        proc.kill()
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        raise SystemExit(f"import pass {passes} ran past {PASS_TIMEOUT_S} s: stopped")
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stdout is not None
    output = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"import pass {passes} failed")
    report = json.loads(output.strip().splitlines()[-1])
    report["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    report["seconds"] = round(sum(f["seconds"] for f in report["files"]), 1)
    report["check_seconds"] = round(sum(f["check_seconds"] for f in report["files"]), 1)
    report["import_seconds"] = round(sum(f["import_seconds"] for f in report["files"]), 1)
    report["rows"] = sum(f["rows"] for f in report["files"])
    return report


def _limits(env: dict) -> dict:
    """The import's row bounds and the upload limit, as the application sets them."""
    out = subprocess.run([server.PY, "-m", "bench.imports", "-", "max_rows"], cwd=server.ROOT, env=env, check=True,
                         text=True, capture_output=True).stdout
    return json.loads(out)


def run(redis_url: str | None) -> dict:
    """Generate, import, import again; the figures and whether each target is met."""
    database_url = os.environ.get("BENCH_IMPORT_DATABASE_URL") or DEFAULT_DB
    server.ensure_database(database_url, reseed=True)
    env = server.base_env(database_url)
    if redis_url:
        env["REDIS_URL"] = f"{redis_url}/0"
    server.log("imports: migrating a fresh database")
    server.manage(env, "migrate", "--noinput", capture=True)
    with tempfile.TemporaryDirectory(prefix="kam-bench-imports-") as tmp:
        directory = Path(tmp)
        t0 = time.monotonic()
        limits = _limits(env)
        files = generate(directory, limits["max_rows"], limits["max_bytes"])
        sizes = {kind: max(p.stat().st_size for p in paths) for kind, paths in files.items()}
        server.log(f"imports: generated {len(files['accounts'])} account and {len(files['financials'])} financial "
                   f"files in {time.monotonic() - t0:.0f} s (largest {sizes['accounts'] / 1e6:.1f} and "
                   f"{sizes['financials'] / 1e6:.1f} MB; each under the "
                   f"{limits['max_bytes'] // (1024 * 1024)} MB upload limit)")
        passes = {}
        # One process per kind and pass, as each import is one job: its peak memory is its own.
        for name in ("accounts", "financials", "again_accounts", "again_financials"):
            server.log(f"imports: pass {name}")
            passes[name] = _run_pass(env, directory, name)
    accounts, financials = passes["accounts"], passes["financials"]
    again = {"seconds": passes["again_accounts"]["seconds"] + passes["again_financials"]["seconds"],
             "check_seconds": passes["again_accounts"]["check_seconds"] + passes["again_financials"]["check_seconds"],
             "import_seconds": (passes["again_accounts"]["import_seconds"]
                                + passes["again_financials"]["import_seconds"]),
             "history_rows_written": sum(passes[p]["history_rows_written"] for p in ("again_accounts",
                                                                                   "again_financials")),
             "files": passes["again_accounts"]["files"] + passes["again_financials"]["files"]}
    first_seconds = accounts["seconds"] + financials["seconds"]
    peak = max(p["peak_rss_mb"] for p in passes.values())
    figures = {
        "accounts": {"rows": accounts["rows"], "seconds": accounts["seconds"], "files": len(accounts["files"]),
                     "check_seconds": accounts["check_seconds"], "import_seconds": accounts["import_seconds"],
                     "rows_per_s": round(accounts["rows"] / accounts["seconds"])},
        "financials": {"rows": financials["rows"], "seconds": financials["seconds"], "files": len(financials["files"]),
                       "check_seconds": financials["check_seconds"], "import_seconds": financials["import_seconds"],
                       "rows_per_s": round(financials["rows"] / financials["seconds"])},
        "reimport": {"seconds": again["seconds"], "share_of_first": round(again["seconds"] / first_seconds, 3),
                     "check_seconds": round(again["check_seconds"], 1),
                     "import_seconds": round(again["import_seconds"], 1),
                     "history_rows": again["history_rows_written"],
                     "unchanged_rows": sum(f["unchanged"] for f in again["files"])},
        "peak_rss_mb": peak,
        "passes": passes,
    }
    figures["meets"] = {
        "accounts_rows_per_s": figures["accounts"]["rows_per_s"] >= TARGET_ACCOUNT_ROWS_S,
        "financials_rows_per_s": figures["financials"]["rows_per_s"] >= TARGET_FINANCIAL_ROWS_S,
        "reimport_share": figures["reimport"]["share_of_first"] <= TARGET_REIMPORT_SHARE,
        "reimport_history_rows": figures["reimport"]["history_rows"] == 0,
        "peak_rss": peak <= TARGET_RSS_MB,
    }
    return figures


def describe(figures: dict) -> str:
    def mark(key):
        return "ok" if figures["meets"][key] else "MISSED"

    a, f, r = figures["accounts"], figures["financials"], figures["reimport"]
    return "\n".join([
        "each file is a job: uploaded and checked (preview), then confirmed and imported; times are both steps",
        f"import accounts:   {a['rows']:>9} rows in {a['seconds']:>7.1f} s = {a['rows_per_s']:>6} rows/s "
        f"(target >= {TARGET_ACCOUNT_ROWS_S}) {mark('accounts_rows_per_s')}; {a['files']} files, check "
        f"{a['check_seconds']:.1f} s + import {a['import_seconds']:.1f} s",
        f"import financials: {f['rows']:>9} rows in {f['seconds']:>7.1f} s = {f['rows_per_s']:>6} rows/s "
        f"(target >= {TARGET_FINANCIAL_ROWS_S}) {mark('financials_rows_per_s')}; {f['files']} files, check "
        f"{f['check_seconds']:.1f} s + import {f['import_seconds']:.1f} s",
        f"re-import unchanged: {r['seconds']:.1f} s (check {r['check_seconds']:.1f} s + import "
        f"{r['import_seconds']:.1f} s) = {r['share_of_first']:.0%} of the first import "
        f"(target <= {TARGET_REIMPORT_SHARE:.0%}) {mark('reimport_share')}; {r['history_rows']} history rows "
        f"(target 0) {mark('reimport_history_rows')}",
        f"peak RSS of the importing process: {figures['peak_rss_mb']:.0f} MB (target <= {TARGET_RSS_MB}) "
        f"{mark('peak_rss')}",
    ])


if __name__ == "__main__":
    _child_main(sys.argv[1], sys.argv[2])
