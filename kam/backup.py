"""Backups of the PostgreSQL database, and the proof that one restores.

`dump` writes `kam-<UTC time>.dump` (pg_dump's custom format) and beside it `kam-<UTC time>.json`, a
manifest of what the dump holds: every table's row count, a checksum of the tables that are the
programme's records (decisions, agreements, sign-offs, figures, erasures) and the migrations applied.
Both are read from one snapshot: pg_dump is handed the snapshot of the transaction that counted
(`--snapshot`), so the counts are exactly the dump's even while people keep working. Dumps older than
the retention period are removed after each successful one.

`restore_check` restores a dump into a scratch database (created empty, dropped afterwards whatever
happens), then compares it with the manifest: the row counts and checksums, the migrations, the
triggers that keep records from being deleted (kam/records.py), and every id sequence being past its
table's highest id (else the first insert after a restore would collide).
"""

import datetime
import json
import os
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import connection
from psycopg import sql

# The programme's records: their content, not only their number, must come back.
CHECKSUMMED = ("accounts_tierdecision", "accounts_assessment", "accounts_erasurerecord", "accounts_financialrecord",
               "planning_signoff", "planning_agreedversion")
KEPT_TRIGGERS = ("accounts_tierdecision_kept", "accounts_assessment_kept", "accounts_assessmentscore_kept",
                 "accounts_erasurerecord_kept", "planning_signoff_kept", "planning_agreedversion_kept")
NAME = re.compile(r"^kam-(\d{8}T\d{6}Z)\.dump$")
# Row text must be rendered alike when the dump is made and when it is checked.
SESSION = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1"
TIMEOUT = 6 * 3600


class BackupError(Exception):
    pass


@dataclass
class Report:
    dump: Path
    scratch: str
    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _settings() -> dict:
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        raise BackupError("Backups are made of PostgreSQL; on the embedded SQLite default copy db.sqlite3 instead.")
    return {"dbname": s["NAME"], "user": s.get("USER") or "", "password": s.get("PASSWORD") or "",
            "host": s.get("HOST") or "", "port": str(s.get("PORT") or "")}


def _env(target: dict, dbname: str | None = None) -> dict:
    """libpq's variables for pg_dump and pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    for key, name in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if target[key]:
            env[name] = target[key]
    env["PGDATABASE"] = dbname or target["dbname"]
    return env


def _connect(target: dict, dbname: str | None = None, **kwargs) -> psycopg.Connection:
    params = {k: v for k, v in target.items() if v and k != "dbname"}
    return psycopg.connect(dbname=dbname or target["dbname"], **params, **kwargs)


def _tables(cur) -> list[str]:
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name")
    return [r[0] for r in cur.fetchall()]


def _inventory(cur) -> dict:
    """What the database holds, as the manifest records it and the check compares it."""
    cur.execute(SESSION)
    tables = _tables(cur)
    counts = {}
    for table in tables:
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cur.fetchone()[0]
    checksums = {}
    for table in CHECKSUMMED:
        if table in counts:
            cur.execute(sql.SQL("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')) FROM {} t")
                        .format(sql.Identifier(table)))
            checksums[table] = cur.fetchone()[0]
    migrations = []
    if "django_migrations" in counts:
        cur.execute("SELECT app || '.' || name FROM django_migrations ORDER BY app, name")
        migrations = [r[0] for r in cur.fetchall()]
    return {"tables": counts, "checksums": checksums, "migrations": migrations}


def dump(*, directory: Path, keep_days: int, now: datetime.datetime | None = None) -> tuple[Path, dict]:
    """Dump the database into `directory`; returns the dump's path and its manifest."""
    target = _settings()
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    stem = f"kam-{now:%Y%m%dT%H%M%SZ}"
    path, manifest_path = directory / f"{stem}.dump", directory / f"{stem}.json"
    partial = directory / f".{stem}.dump.partial"
    with _connect(target) as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        row = cur.fetchone()
        assert row is not None  # a SELECT without FROM returns one row
        snapshot, server = row
        inventory = _inventory(cur)
        # The snapshot lives as long as this transaction: pg_dump runs while it is open.
        result = subprocess.run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(partial)],
                                env=_env(target), capture_output=True, text=True, timeout=TIMEOUT)
        conn.rollback()
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    manifest = {"created_at": now.isoformat(), "database": target["dbname"], "server_version": server,
                "dump": path.name, "size": partial.stat().st_size, **inventory}
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    partial.rename(path)  # the dump appears whole, after its manifest, or not at all
    prune(directory=directory, keep_days=keep_days, now=now)
    return path, manifest


def backups(directory: Path) -> list[Path]:
    """The directory's complete dumps (with their manifest), oldest first."""
    found = [p for p in directory.glob("kam-*.dump") if NAME.match(p.name) and p.with_suffix(".json").exists()]
    return sorted(found, key=lambda p: p.name)


def prune(*, directory: Path, keep_days: int, now: datetime.datetime) -> list[Path]:
    """Remove the dumps (and manifests) older than `keep_days`; the newest one always stays."""
    cutoff = now - datetime.timedelta(days=keep_days)
    removed = []
    for path in backups(directory)[:-1]:
        stamp = NAME.match(path.name)
        assert stamp is not None  # backups() lists only the names that match
        taken = datetime.datetime.strptime(stamp.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
        if taken < cutoff:
            path.unlink()
            path.with_suffix(".json").unlink(missing_ok=True)
            removed.append(path)
    return removed


def restore_check(*, dump_path: Path, scratch_prefix: str | None = None) -> Report:
    """Restore `dump_path` into a new scratch database, compare it with its manifest, drop it."""
    target = _settings()
    manifest_path = dump_path.with_suffix(".json")
    if not manifest_path.exists():
        raise BackupError(f"{manifest_path.name} is missing: the dump cannot be checked without its manifest.")
    manifest = json.loads(manifest_path.read_text())
    prefix = scratch_prefix or f"{target['dbname']}_restore_check"
    scratch = f"{prefix}_{secrets.token_hex(4)}"[:63]
    report = Report(dump=dump_path, scratch=scratch)
    with _connect(target, "postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
        try:
            result = subprocess.run(
                ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
                 "--dbname", scratch, str(dump_path)],
                env=_env(target, scratch), capture_output=True, text=True, timeout=TIMEOUT)
            if result.returncode != 0:
                report.problems.append(f"pg_restore failed: {result.stderr.strip()[:2000]}")
                return report
            with _connect(target, scratch) as conn, conn.cursor() as cur:
                _compare(cur, manifest, report)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
    return report


def _compare(cur, manifest: dict, report: Report) -> None:
    restored = _inventory(cur)
    expected = manifest["tables"]
    report.tables, report.rows = len(restored["tables"]), sum(restored["tables"].values())
    for table in sorted(set(expected) | set(restored["tables"])):
        want, got = expected.get(table), restored["tables"].get(table)
        if want != got:
            report.problems.append(f"{table}: {want} rows in the manifest, {got} restored")
    for table, checksum in manifest["checksums"].items():
        if restored["checksums"].get(table) != checksum:
            report.problems.append(f"{table}: the restored rows differ from the dumped ones (checksum)")
    if restored["migrations"] != manifest["migrations"]:
        report.problems.append("the restored migrations differ from the manifest's")
    cur.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    triggers = {r[0] for r in cur.fetchall()}
    missing = [t for t in KEPT_TRIGGERS if t.rsplit("_kept", 1)[0] in expected and t not in triggers]
    if missing:
        report.problems.append(f"records would be deletable after a restore: no trigger {', '.join(missing)}")
    for table, column, sequence in _sequences(cur):
        cur.execute(sql.SQL("SELECT coalesce(max({}), 0) FROM {}").format(sql.Identifier(column),
                                                                          sql.Identifier(table)))
        highest = cur.fetchone()[0]
        cur.execute(sql.SQL("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {}").format(
            sql.SQL(sequence)))
        if cur.fetchone()[0] < highest:
            report.problems.append(f"{table}.{column}: its sequence is behind the highest id {highest}")
    behind = _migrations_not_in(restored["migrations"])
    if behind:
        report.notes.append(f"{len(behind)} migrations of this code are not applied in the backup (migrate after "
                            f"restoring): {', '.join(behind[:5])}{'…' if len(behind) > 5 else ''}")


def _sequences(cur) -> list[tuple[str, str, str]]:
    cur.execute("""
        SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name)
        FROM information_schema.columns c
        WHERE c.table_schema = 'public'
          AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL
        ORDER BY 1, 2""")
    return cur.fetchall()


def _migrations_not_in(applied: list[str]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    return sorted(known - set(applied))
