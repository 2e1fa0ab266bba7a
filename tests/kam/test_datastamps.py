"""Table change stamps (kam/datastamps.py): every kind of write changes the stamp of the table it wrote,
after its commit and never for a rolled-back write; reads change nothing; without a cache nothing is
ever served under an old stamp."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, connections, transaction

from accounts.models import Account
from kam import datastamps
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = "accounts_account"


@pytest.mark.parametrize("sql,tables", [
    ('INSERT INTO "accounts_account" ("name") VALUES (%s)', ["accounts_account"]),
    ('  UPDATE "planning_commitment" SET "status" = %s', ["planning_commitment"]),
    ('DELETE FROM "touchpoints_touchpoint" WHERE id = 1', ["touchpoints_touchpoint"]),
    ("delete from metrics_accountsnapshot", ["metrics_accountsnapshot"]),
    ('TRUNCATE "accounts_account", "auth_user" RESTART IDENTITY CASCADE;', ["accounts_account", "auth_user"]),
    ('SELECT "accounts_account"."id" FROM "accounts_account" WHERE "name" = \'UPDATE "x"\'', []),
    ('WITH x AS (SELECT 1) SELECT * FROM x', []),
    ('UPDATE "django_session" SET "expire_date" = %s', []),
])
def test_written_tables_reads_the_statement(sql, tables):
    assert datastamps.written_tables(sql) == tables


def test_every_kind_of_write_changes_the_stamp_and_a_read_does_not():
    account = AccountFactory(name="Aceros del Norte S.A.")
    stamps = [datastamps.of(ACCOUNTS)]

    def changed():
        stamps.append(datastamps.of(ACCOUNTS))
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
    Account.objects.filter(name="Nueva S.L.").delete()
    assert changed()
    assert datastamps.of("planning_commitment") == datastamps.of("planning_commitment")


def test_a_stamp_lost_from_the_cache_never_comes_back_with_an_old_value():
    before = datastamps.of(ACCOUNTS)
    cache.clear()
    assert datastamps.of(ACCOUNTS) != before


def test_without_a_cache_every_read_gets_a_stamp_nothing_was_stored_under(monkeypatch):
    monkeypatch.setattr(cache, "get_many", lambda keys: {})
    monkeypatch.setattr(cache, "add", lambda *a, **k: False)
    assert datastamps.of(ACCOUNTS) != datastamps.of(ACCOUNTS)


@pytest.mark.django_db(transaction=True)
def test_the_watch_survives_an_execute_wrapper_block_that_opens_the_connection():
    """`execute_wrapper()` pops the last wrapper when it ends: ours must not be the one it pops."""
    seen = []
    connection.close()
    with connection.execute_wrapper(lambda execute, *args: seen.append(1) or execute(*args)):
        list(get_user_model().objects.all()[:1])
    assert seen
    assert sum(getattr(w, "datastamps", False) for w in connection.execute_wrappers) == 1
    before = datastamps.of(ACCOUNTS)
    AccountFactory()
    assert datastamps.of(ACCOUNTS) != before


@pytest.mark.django_db(transaction=True)
def test_in_production_a_write_counts_at_commit_and_a_rollback_counts_never(settings):
    settings.KAM_DATASTAMPS_IMMEDIATE = False
    before = datastamps.of(ACCOUNTS)
    with transaction.atomic():
        AccountFactory(name="Sin confirmar S.A.")
        # Another connection reading now sees neither the row nor a new stamp.
        assert datastamps.of(ACCOUNTS) == before
    committed = datastamps.of(ACCOUNTS)
    assert committed != before

    # Many writes to a table in one transaction wait for its commit as one bump.
    with transaction.atomic():
        for i in range(3):
            AccountFactory(name=f"Lote {i} S.A.")
        waiting = [f for _s, f, _r in connection.run_on_commit if getattr(f, "table", None) == ACCOUNTS]
        assert len(waiting) == 1
    assert datastamps.of(ACCOUNTS) != committed
    committed = datastamps.of(ACCOUNTS)

    with pytest.raises(RuntimeError), transaction.atomic():
        AccountFactory(name="Deshecha S.A.")
        raise RuntimeError("rolled back")
    assert datastamps.of(ACCOUNTS) == committed

    # A write in a savepoint that is rolled back, then another in the same transaction: the second
    # still counts when the transaction commits.
    with transaction.atomic():
        try:
            with transaction.atomic():
                AccountFactory(name="Deshecha 2 S.A.")
                raise RuntimeError
        except RuntimeError:
            pass
        assert datastamps.of(ACCOUNTS) == committed
        Account.objects.filter(name="Sin confirmar S.A.").update(region="Centro")
    assert datastamps.of(ACCOUNTS) != committed


@pytest.mark.django_db(transaction=True)
def test_connections_of_other_threads_are_watched_too(settings):
    settings.KAM_DATASTAMPS_IMMEDIATE = False
    before = datastamps.of(ACCOUNTS)

    def write():
        try:
            AccountFactory(name="Desde otro hilo S.A.")
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert Account.objects.filter(name="Desde otro hilo S.A.").exists()
    assert datastamps.of(ACCOUNTS) != before
