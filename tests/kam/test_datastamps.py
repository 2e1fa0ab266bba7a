"""The cache's stamps (kam/datastamps.py): every form of write changes the stamp of every table it
writes, at the write and again at its commit (the production path, tested here with real commits),
never less; a cached value records the tables it read and is served only while none has changed."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, connections, transaction

from accounts.models import Account
from accounts.services import REVENUE_RECOMPUTE_SQL
from kam import datastamps
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = "accounts_account"
EVERYTHING = datastamps.EVERYTHING


def stamp(table=ACCOUNTS):
    return datastamps.stamps([table])[table]


@pytest.mark.parametrize("sql,tables", [
    ('INSERT INTO "accounts_account" ("name") VALUES (%s) RETURNING "accounts_account"."id"', {ACCOUNTS}),
    ('  UPDATE "planning_commitment" SET "status" = %s', {"planning_commitment"}),
    ('DELETE FROM "touchpoints_touchpoint" WHERE id = 1', {"touchpoints_touchpoint"}),
    ("delete from metrics_accountsnapshot", {"metrics_accountsnapshot"}),
    ('TRUNCATE "accounts_account", auth_user RESTART IDENTITY CASCADE;', {ACCOUNTS, "auth_user"}),
    # The one raw write of the code base: a data-modifying statement after WITH.
    (REVENUE_RECOMPUTE_SQL, {ACCOUNTS, "accounts_financialrecord"}),
    ("WITH gone AS (DELETE FROM accounts_contact WHERE id = 1 RETURNING id) SELECT count(*) FROM gone",
     {"accounts_contact"}),
    ("UPDATE public.accounts_account SET name = 'x'", {ACCOUNTS}),
    ('UPDATE "public"."accounts_account" SET "name" = %s', {ACCOUNTS}),
    ("UPDATE ONLY accounts_account SET name = %s", {ACCOUNTS}),
    ("DELETE FROM ONLY public.accounts_account", {ACCOUNTS}),
    ("/* from a script */ -- by hand\n update accounts_account set region = ''", {ACCOUNTS}),
    ("MERGE INTO accounts_account a USING (VALUES (1)) v(id) ON a.id = v.id WHEN MATCHED THEN DELETE",
     {ACCOUNTS}),
    ("COPY accounts_account (name) FROM STDIN", {ACCOUNTS}),
    ('INSERT INTO "auth_user_groups" ("user_id", "group_id") VALUES (%s, %s) ON CONFLICT DO NOTHING',
     {"auth_user_groups"}),
    ("INSERT INTO accounts_account (id, name) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = 'y'",
     {ACCOUNTS}),
    # A write the wrapper cannot name a table of bumps everything.
    ("CALL archive_everything()", {EVERYTHING}),
    ('UPDATE "Accounts_Account" SET name = %s', {EVERYTHING}),
    ("CREATE TABLE scratch (id int)", {EVERYTHING}),
    # Sessions are written on every request and read by nothing cached.
    ('UPDATE "django_session" SET "expire_date" = %s', set()),
    # Reads.
    ('SELECT "accounts_account"."updated_at" FROM "accounts_account" WHERE "name" = \'UPDATE "x"\'', set()),
    ('SELECT "accounts_account"."id" FROM "accounts_account" WHERE "id" = %s FOR UPDATE', set()),
    ("SELECT id FROM accounts_account FOR NO KEY UPDATE OF accounts_account", set()),
    ("WITH x AS (SELECT 1) SELECT * FROM x", set()),
    ("SELECT $$DELETE FROM accounts_account$$", set()),
])
def test_every_form_of_write_is_read_with_the_tables_it_writes(sql, tables):
    assert datastamps.written_tables(sql) == tables


def test_a_read_names_the_tables_it_reads_schema_qualified_or_not():
    writes, tables = datastamps.statement_tables(
        'SELECT * FROM public.accounts_account a JOIN "metrics_accountsnapshot" s ON s.account_id = a.id '
        "WHERE a.name = 'planning_commitment'")
    assert not writes and tables == {ACCOUNTS, "metrics_accountsnapshot"}


def test_every_kind_of_write_changes_the_stamp_and_a_read_does_not():
    account = AccountFactory(name="Aceros del Norte S.A.")
    stamps = [stamp()]

    def changed():
        stamps.append(stamp())
        return stamps[-1] != stamps[-2]

    list(Account.objects.all())
    assert not changed()
    account.name = "Aceros del Sur S.A."
    account.save()
    assert changed()
    Account.objects.filter(pk=account.pk).update(region="Norte")
    assert changed()
    Account.objects.bulk_create([Account(name="Nueva S.L.", tax_id="B00000001")])
    assert changed()
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "accounts_account" SET "region" = %s', ["Sur"])
    assert changed()
    with connection.cursor() as cursor:
        cursor.execute(REVENUE_RECOMPUTE_SQL, ["revenue", "2025-01-01", "2026-01-01", 0.8, 0.95])
    assert changed()
    Account.objects.filter(name="Nueva S.L.").delete()
    assert changed()
    assert stamp("planning_commitment") == stamp("planning_commitment")


def test_a_stamp_lost_from_the_cache_never_comes_back_with_an_old_value():
    before = stamp()
    cache.clear()
    assert stamp() != before


def test_a_cached_value_records_what_it_read_and_follows_it():
    AccountFactory(name="Aceros del Norte S.A.")
    calls = []

    def names():
        calls.append(1)
        return sorted(Account.objects.values_list("name", flat=True))

    assert datastamps.cached("names", names) == ["Aceros del Norte S.A."]
    assert datastamps.cached("names", names) == ["Aceros del Norte S.A."]
    assert len(calls) == 1
    recorded, _value = cache.get(datastamps.part_key("names"))
    assert set(recorded) == {ACCOUNTS, EVERYTHING}

    # A table it did not read changes nothing; a write to the one it read, in any form, is seen.
    get_user_model().objects.create(username="otra")
    assert datastamps.cached("names", names) == ["Aceros del Norte S.A."] and len(calls) == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE public.accounts_account SET name = 'Aceros del Sur S.A.'")
    assert datastamps.cached("names", names) == ["Aceros del Sur S.A."] and len(calls) == 2
    # A write naming no table of ours may have written anything.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE scratch (id int)")
    datastamps.cached("names", names)
    assert len(calls) == 3


def test_a_value_cached_inside_another_passes_its_tables_on_even_when_served_from_the_cache():
    AccountFactory(name="Aceros del Norte S.A.")

    def inner():
        return list(Account.objects.values_list("name", flat=True))

    datastamps.cached("inner", inner)
    outer_calls = []

    def outer():
        outer_calls.append(1)
        return datastamps.cached("inner", inner)  # a hit: no query runs here

    datastamps.cached("outer", outer)
    recorded, _value = cache.get(datastamps.part_key("outer"))
    assert ACCOUNTS in recorded
    Account.objects.update(name="Otro nombre S.A.")
    assert datastamps.cached("outer", outer) == ["Otro nombre S.A."] and len(outer_calls) == 2


def test_without_a_cache_a_value_is_computed_every_time_and_never_stored(monkeypatch):
    monkeypatch.setattr(cache, "get_many", lambda keys: {})
    monkeypatch.setattr(cache, "add", lambda *a, **k: False)
    calls = []
    for _ in range(2):
        datastamps.cached("names", lambda: calls.append(1) or list(Account.objects.all()))
    assert len(calls) == 2


def test_a_value_cached_between_two_writes_of_one_transaction_is_dropped_by_the_second():
    """Within one transaction (a request's, or a test's, never committed) a part may be stored after a
    write: the next write to the same table must bump again."""
    account = AccountFactory(name="Primero S.A.")

    def names():
        return list(Account.objects.values_list("name", flat=True))

    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(name="Segundo S.A.")
        assert datastamps.cached("names", names) == ["Segundo S.A."]
        Account.objects.filter(pk=account.pk).update(name="Tercero S.A.")
        assert datastamps.cached("names", names) == ["Tercero S.A."]


@pytest.mark.django_db(transaction=True)
def test_the_watch_survives_an_execute_wrapper_block_that_opens_the_connection():
    """`execute_wrapper()` pops the last wrapper when it ends: ours must not be the one it pops."""
    seen = []
    connection.close()
    with connection.execute_wrapper(lambda execute, *args: seen.append(1) or execute(*args)):
        list(get_user_model().objects.all()[:1])
    assert seen
    assert sum(getattr(w, "datastamps", False) for w in connection.execute_wrappers) == 1
    before = stamp()
    AccountFactory()
    assert stamp() != before


@pytest.mark.django_db(transaction=True)
def test_a_write_counts_again_at_its_commit_and_a_rollback_adds_nothing():
    """The production path, with real commits: a part stored while a write is not yet committed (another
    process read the stamp after the write's own bump, and the data before the commit) must miss once
    the write commits."""
    with transaction.atomic():
        AccountFactory(name="Sin confirmar S.A.")
        during = stamp()
    committed = stamp()
    assert committed != during

    # Many writes to a table in one transaction: one bump at commit, whatever their number.
    with transaction.atomic():
        for i in range(3):
            AccountFactory(name=f"Lote {i} S.A.")
        waiting = [f for _s, f, _r in connection.run_on_commit if isinstance(f, datastamps._PendingBump)]
        assert len(waiting) == 1 and ACCOUNTS in waiting[0].tables
        during = stamp()
    assert stamp() != during
    committed = stamp()

    with pytest.raises(RuntimeError), transaction.atomic():
        AccountFactory(name="Deshecha S.A.")
        during = stamp()
        raise RuntimeError("rolled back")
    assert stamp() == during

    # A write in a savepoint that is rolled back, then another in the same transaction: the second
    # still counts when the transaction commits.
    with transaction.atomic():
        try:
            with transaction.atomic():
                AccountFactory(name="Deshecha 2 S.A.")
                raise RuntimeError
        except RuntimeError:
            pass
        Account.objects.filter(name="Sin confirmar S.A.").update(region="Centro")
        during = stamp()
    assert stamp() != during


@pytest.mark.django_db(transaction=True)
def test_the_raw_revenue_recompute_counts_at_commit():
    from accounts.services import revenue_recompute

    AccountFactory(name="Aceros del Norte S.A.")
    with transaction.atomic():
        revenue_recompute()
        during = stamp()
    assert stamp() != during


@pytest.mark.django_db(transaction=True)
def test_connections_of_other_threads_are_watched_too():
    before = stamp()

    def write():
        try:
            AccountFactory(name="Desde otro hilo S.A.")
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert Account.objects.filter(name="Desde otro hilo S.A.").exists()
    assert stamp() != before
