"""Change stamps per database table, for caching rendered parts of pages without ever serving them
after the data they show has changed.

Every statement that writes a table (INSERT, UPDATE, DELETE, TRUNCATE) through Django's database
connections is seen by an execute wrapper; once the write is committed, the table's stamp in the cache is
replaced by a fresh random token. A cached part keyed on the stamps of the tables it reads therefore
misses as soon as any of them changes, whoever wrote it and however: model saves, `QuerySet.update()`,
bulk inserts, raw SQL, Celery jobs in another process (the stamps live in the shared cache). A rolled
back write changes nothing and bumps nothing (Django drops the transaction's on-commit callbacks).

Tokens are random rather than counters so that a stamp lost from the cache (eviction, restart) can never
come back with a value an old cached part was stored under. When the cache cannot be read, `of()` returns
a token nobody stored under: the part is rebuilt, never served stale. What this cannot see is a write made
outside the application (psql by hand); cached parts expire after `FRAGMENT_SECONDS` for that case and
for writes made while the cache was unreachable.
"""

import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.utils import timezone
from django.utils.translation import get_language

from .lifetimes import FRAGMENT_SECONDS  # noqa: F401 (the cached parts' lifetime, read from here)

_PREFIX = "datastamp:"
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([A-Za-z0-9_]+)"?',
                    re.IGNORECASE)
# Tables no cached part reads, written on almost every request: not worth a cache write each time.
_IGNORED = frozenset({"django_session"})


def written_tables(sql: str) -> list[str]:
    """The tables a statement writes ([] for a read). TRUNCATE may name several."""
    match = _WRITE.match(sql)
    if not match:
        return []
    if sql.lstrip()[:8].upper() == "TRUNCATE":
        head = sql.split(";", 1)[0]
        names = re.findall(r'"([A-Za-z0-9_]+)"', head) or [match.group(1)]
        return [n for n in names if n not in _IGNORED]
    table = match.group(1)
    return [] if table in _IGNORED else [table]


def bump(*tables: str) -> None:
    """New stamps for these tables now (the write has been committed)."""
    cache.set_many({_PREFIX + t: secrets.token_hex(6) for t in tables}, None)


def of(*tables: str) -> str:
    """The current stamps of `tables` as one string for a cache key."""
    keys = [_PREFIX + t for t in tables]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, secrets.token_hex(6), None)
        found.update(cache.get_many(missing))
        if any(k not in found for k in keys):
            # The cache is away: a key no part was stored under.
            return "x" + secrets.token_hex(8)
    return ".".join(found[k] for k in keys)


def fragment_key(name: str, *tables: str, vary=()) -> tuple:
    """`{% cache %}` arguments for a part named `name` showing `tables`: the stamps, today's date (parts
    that say "overdue" change at midnight), the language and whatever else the caller varies on."""
    return (name, of(*tables), timezone.localdate().isoformat(), get_language(), *vary)


class _PendingBump:
    """The on-commit callback of one table's first write in a transaction."""

    __slots__ = ("table",)

    def __init__(self, table):
        self.table = table

    def __call__(self):
        bump(self.table)


def _watch(connection):
    # The tables whose bump already waits for this transaction's commit. Django replaces its list of
    # on-commit callbacks whenever it may have dropped some (commit, rollback, savepoint rollback), so
    # the list's identity says whether what we registered is still there, without scanning it.
    pending = {"hooks": None, "tables": set()}

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        tables = written_tables(sql)
        if tables:
            # Most of the test suite's transactions are never committed (each test is rolled back), so
            # there a write also counts at once.
            if not connection.in_atomic_block or settings.KAM_DATASTAMPS_IMMEDIATE:
                bump(*tables)
            if connection.in_atomic_block:
                if pending["hooks"] is not connection.run_on_commit:
                    pending["hooks"], pending["tables"] = connection.run_on_commit, set()
                for table in tables:
                    if table not in pending["tables"]:
                        pending["tables"].add(table)
                        connection.on_commit(_PendingBump(table))
        return result

    wrapper.datastamps = True
    return wrapper


def _install(connection, **_kwargs):
    if not any(getattr(w, "datastamps", False) for w in connection.execute_wrappers):
        # First, not last: `connection.execute_wrapper()` blocks pop the last wrapper when they end, and a
        # connection opened inside one of them would otherwise lose ours instead.
        connection.execute_wrappers.insert(0, _watch(connection))


def install() -> None:
    """Watch every connection, those open now and those opened later (called from the app's ready())."""
    connection_created.connect(_install, dispatch_uid="kam-datastamps")
    for alias in connections:
        _install(connections[alias])
