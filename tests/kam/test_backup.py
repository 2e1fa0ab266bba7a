"""Backups restore: `make backup` dumps the database with a manifest of what it holds, and `make
restore-check` restores the latest dump into a scratch database, compares it with the manifest and drops
it. Run for real against the test database (PostgreSQL, pg_dump and pg_restore on the machine)."""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Account, FinancialRecord, TierDecision
from kam import backup

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    # pg_dump reads what is committed: these tests commit, and the database is emptied after each.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("pg_dump") is None and not os.environ.get("CI"), reason="pg_dump is not installed"),
]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("backups are of PostgreSQL")


@pytest.fixture
def records(personas):
    TierDecision.objects.create(account=personas.account, from_tier="development", to_tier="key",
                                decided_by=personas.lead, reason="Estratégica")
    FinancialRecord.objects.create(account=personas.account, month=datetime.date(2026, 1, 1), revenue=1000)
    return personas


def _prefix() -> str:
    # Scratch databases are named after the one under test (kam_trace -> kam_trace_restore_<random>).
    return f"{connection.settings_dict['NAME'].removeprefix('test_')}_restore"


def _scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [_prefix() + "%"])
        return [r[0] for r in cursor.fetchall()]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_make_backup_then_make_restore_check(records, tmp_path):
    env = {**os.environ, "DATABASE_URL": _database_url(), "KAM_BACKUP_DIR": str(tmp_path), "DEBUG": "1"}
    # `-o venv-runtime`: the virtualenv is there already; do not let make reinstall it.
    result = subprocess.run(["make", "--no-print-directory", "-o", "venv-runtime", "backup", "restore-check",
                             f"RESTORE_ARGS=--scratch-prefix {_prefix()}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches its manifest" in result.stdout
    [dump] = backup.backups(tmp_path)
    manifest = json.loads(dump.with_suffix(".json").read_text())
    assert manifest["tables"]["accounts_account"] == Account.objects.count() == 2
    assert manifest["tables"]["accounts_tierdecision"] == 1
    assert "accounts.0007_personal_data_erasure" in manifest["migrations"]
    assert _scratch_databases() == []


def test_a_restore_that_differs_from_its_manifest_fails_and_drops_its_scratch_database(records, tmp_path):
    call_command("backup", dir=tmp_path, keep_days=14)
    [dump] = backup.backups(tmp_path)
    manifest_path = dump.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["accounts_account"] += 1
    manifest["checksums"]["accounts_tierdecision"] = "0" * 32
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError) as failed:
        call_command("restore_check", dir=tmp_path, scratch_prefix=_prefix())
    assert "accounts_account: 3 rows in the manifest, 2 restored" in str(failed.value)
    assert "accounts_tierdecision: the restored rows differ" in str(failed.value)
    assert _scratch_databases() == []


def test_a_damaged_dump_fails_and_drops_its_scratch_database(records, tmp_path):
    call_command("backup", dir=tmp_path, keep_days=14)
    [dump] = backup.backups(tmp_path)
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("restore_check", str(dump), scratch_prefix=_prefix())
    assert _scratch_databases() == []


def test_the_manifest_counts_what_the_dump_holds_while_people_keep_writing(records, tmp_path, monkeypatch):
    """A row committed between the count and pg_dump's start is in neither: both read one snapshot."""
    real_run = subprocess.run

    def run_after_a_write(args, **kwargs):
        if args[0] == "pg_dump":
            with psycopg.connect(_database_url().replace("postgres://", "postgresql://"), autocommit=True) as other:
                other.execute("INSERT INTO accounts_account (name, tax_id, industry, country, region, status, tier, "
                              "relationship_stage, created_at, updated_at, revenue_12m, pareto_class, quadrant, "
                              "version) VALUES ('Escrita durante la copia', 'B99999999', 'other', 'ES', '', 'active', "
                              "'standard', 'exploratory', now(), now(), 0, '', '', 1)")
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", run_after_a_write)
    path, manifest = backup.dump(directory=tmp_path, keep_days=14)
    monkeypatch.undo()
    assert Account.objects.count() == 3 and manifest["tables"]["accounts_account"] == 2
    report = backup.restore_check(dump_path=path, scratch_prefix=_prefix())
    assert report.ok, report.problems


def test_old_dumps_are_removed_and_the_newest_always_stays(tmp_path):
    now = datetime.datetime(2026, 11, 30, 3, 0, tzinfo=datetime.UTC)
    for days in (40, 20, 13, 1):
        stem = f"kam-{now - datetime.timedelta(days=days):%Y%m%dT%H%M%SZ}"
        (tmp_path / f"{stem}.dump").write_bytes(b"x")
        (tmp_path / f"{stem}.json").write_text("{}")
    backup.prune(directory=tmp_path, keep_days=14, now=now)
    assert [p.name for p in backup.backups(tmp_path)] == ["kam-20261117T030000Z.dump", "kam-20261129T030000Z.dump"]
    assert len(list(tmp_path.glob("*.json"))) == 2
    # Backups that stopped for weeks: the last one is never pruned.
    backup.prune(directory=tmp_path, keep_days=14, now=now + datetime.timedelta(days=60))
    assert [p.name for p in backup.backups(tmp_path)] == ["kam-20261129T030000Z.dump"]
