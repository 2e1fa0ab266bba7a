"""The site's one cache for computed data: parts of pages (and values) kept until a table they read is
written. docs/caching.md describes the scheme; in short:

- Every table has a stamp in the shared cache, a random token replaced whenever the table is written.
  An execute wrapper on every database connection sees each statement: a statement that writes bumps
  the stamp of every table it names, once when it runs and again once its transaction commits.
- A cached part records what it depends on itself. While it is computed, the same wrapper reads the
  stamp of each table a query names, before the query runs, and the part is stored with those stamps.
  It is served only while every one of them is unchanged. Nobody lists a part's tables by hand.

Why this cannot serve stale data (through Django's connections, in any process that shares the cache):
a part's stamps are read before the data they cover, and a write bumps after its commit, so a part
computed from data older than a commit always carries a stamp older than that commit's bump. The bump at
the write itself is what keeps the test suite, whose transactions are never committed, on this same path;
in production it also stops parts from being stored under the stamps of a write about to commit.

Naming is deliberately coarse: a statement that writes is taken to write every application table it
names (a subquery's tables included: a needless bump costs a miss, a missed one stale data), and a
statement that writes but names no application table (DDL, CALL, DO) bumps every part at once. Writes made
outside the application (psql by hand) are not seen: parts are also dropped after `LIFETIME`. Tokens are
random, not counters, so a stamp lost from the cache can never come back with a value a part was stored
under; when the cache cannot be read a part is computed and not stored.
"""

import contextlib
import contextvars
import hashlib
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.utils import timezone
from django.utils.translation import get_language

# How long a part may outlive a write made outside the application.
LIFETIME = 15 * 60
_STAMP = "datastamp:"
_PART = "datapart:"
# Stands for "any table": bumped by a write that names no application table, read by every part.
EVERYTHING = "*"
# Written on almost every request and read by no part: not worth a cache write each time.
_IGNORED = frozenset({"django_session"})

_TOKENS = re.compile(r"""
      --[^\n]*                                  # comment
    | /\*.*?\*/                                 # block comment
    | [Ee]'(?:[^'\\]|\\.|'')*'                  # escape string
    | '(?:[^']|'')*'                            # string
    | \$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?\$(?P=tag)?\$   # dollar-quoted string
    | "(?P<quoted>(?:[^"]|"")*)"                # quoted identifier: case kept
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)         # keyword or identifier: folded to lower case
""", re.VERBOSE | re.DOTALL)
# A cheap first look: a statement without any of these words cannot write.
_MAYBE_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|CREATE|ALTER|DROP|CALL|DO|REFRESH)\b",
                          re.IGNORECASE)
_WRITE_WORDS = frozenset({"insert", "update", "delete", "merge", "truncate", "copy", "create", "alter", "drop",
                          "refresh"})
# Words after which UPDATE/DELETE is not a write: row locks (FOR [NO KEY] UPDATE), an upsert's own
# update (ON CONFLICT DO UPDATE, the INSERT already counts) and foreign-key actions in DDL (ON DELETE).
_NOT_A_WRITE_AFTER = frozenset({"for", "key", "do", "on"})
_FIRST_WORD_WRITES = frozenset({"call", "do"})

_known: frozenset[str] | None = None


def _tables() -> frozenset[str]:
    """Every table of the installed models (their many-to-many tables and history tables included)."""
    global _known
    if _known is None:
        _known = frozenset(m._meta.db_table for m in apps.get_models(include_auto_created=True))
    return _known


def statement_tables(sql: str) -> tuple[bool, set[str]]:
    """(whether the statement writes, the application tables it names). A write that names none returns
    {EVERYTHING}. Comments, strings and dollar-quoted bodies are skipped; schema-qualified and quoted
    names, WITH ... data-modifying statements, MERGE, COPY and TRUNCATE lists are all read the same way."""
    known = _tables()
    names: set[str] = set()
    writes = False
    previous = ""
    first = True
    for match in _TOKENS.finditer(sql):
        quoted, word = match.group("quoted"), match.group("word")
        if quoted is not None:
            name = quoted.replace('""', '"')
        elif word is not None:
            name = word.lower()
            if name in _WRITE_WORDS and previous not in _NOT_A_WRITE_AFTER:
                writes = True
            elif first and name in _FIRST_WORD_WRITES:
                writes = True
            previous = name
        else:
            continue
        first = False
        if name in known:
            names.add(name)
    names -= _IGNORED
    if writes and not names:
        lowered = sql.lower()
        # Only sessions: nothing cached reads them.
        return (False, set()) if any(t in lowered for t in _IGNORED) else (True, {EVERYTHING})
    return writes, names


def written_tables(sql: str) -> set[str]:
    """The tables a statement writes, as far as a part's stamps are concerned (empty for a read)."""
    if not _MAYBE_WRITE.search(sql):
        return set()
    writes, names = statement_tables(sql)
    return names if writes else set()


def bump(*tables: str) -> None:
    """New stamps for these tables now."""
    cache.set_many({_STAMP + t: secrets.token_hex(8) for t in tables}, None)


def stamps(tables: Iterable[str]) -> dict[str, str] | None:
    """The current stamp of each table (created for a table that has none yet); None if the cache
    cannot be read."""
    keys = {_STAMP + t: t for t in tables}
    _read_since_bump().update(keys.values())
    found = cache.get_many(list(keys))
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, secrets.token_hex(8), None)
        found.update(cache.get_many(missing))
        if any(k not in found for k in keys):
            return None
    return {keys[k]: v for k, v in found.items()}


# --- recording what a part reads ------------------------------------------------------------------------
class _Reads:
    """The stamps of the tables read so far by the part being computed; `broken` once a stamp could not
    be read (the part is then not stored)."""

    __slots__ = ("stamps", "broken")

    def __init__(self):
        self.stamps: dict[str, str] = {}
        self.broken = False

    def add(self, tables: Iterable[str]) -> None:
        new = [t for t in tables if t not in self.stamps]
        if new:
            found = stamps(new)
            if found is None:
                self.broken = True
            else:
                self.stamps.update(found)

    def merge(self, other: dict[str, str]) -> None:
        # The earlier stamp of a table stays: it is the one that covers everything read since.
        for table, token in other.items():
            self.stamps.setdefault(table, token)


_recording: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("datastamps_recording", default=None)


@contextlib.contextmanager
def recording():
    """Record the stamps of every table read inside the block (nested blocks add to their parents)."""
    reads = _Reads()
    reads.add([EVERYTHING])
    outer = _recording.get()
    token = _recording.set(reads)
    try:
        yield reads
    finally:
        _recording.reset(token)
        if outer is not None:
            outer.merge(reads.stamps)
            outer.broken |= reads.broken


def part_key(name: str, vary: Iterable[Any] = ()) -> str:
    """The part's cache key: its name, what the caller varies it on, the language and today's date (parts
    that say "overdue" change at midnight)."""
    parts = (tuple(vary), get_language(), timezone.localdate().isoformat())
    return _PART + name + ":" + hashlib.sha1(repr(parts).encode()).hexdigest()


def cached(name: str, compute: Callable[[], Any], vary: Iterable[Any] = ()) -> Any:
    """`compute()`, served from the cache while no table it read has been written since. `vary` names
    what else the value depends on (the person, the query string...): never data read before the call."""
    key = part_key(name, vary)
    entry = cache.get(key)
    if entry is not None:
        recorded, value = entry
        if stamps(recorded) == recorded:
            outer = _recording.get()
            if outer is not None:
                outer.merge(recorded)
            return value
    with recording() as reads:
        value = compute()
    if not reads.broken:
        cache.set(key, (reads.stamps, value), LIFETIME)
    return value


# --- seeing every statement --------------------------------------------------------------------------
class _PendingBump:
    """The on-commit bump of the tables one transaction wrote."""

    __slots__ = ("tables",)

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self):
        bump(*self.tables)


def _watch(connection):
    def wrapper(execute, sql, params, many, context):
        reads = _recording.get()
        if not _MAYBE_WRITE.search(sql):
            if reads is not None:
                # Stamps first, data second: see the module's docstring.
                reads.add(statement_tables(sql)[1])
            return execute(sql, params, many, context)
        writes, tables = statement_tables(sql)
        if not writes:
            if reads is not None:
                reads.add(tables)
            return execute(sql, params, many, context)
        result = execute(sql, params, many, context)
        _written(connection, tables)
        return result

    wrapper.datastamps = True  # type: ignore[attr-defined]  # marks our wrapper in the connection's list
    return wrapper


# Tables whose stamp this thread has read since it last bumped them: a table written again in the same
# transaction needs a new immediate bump only if a part may have been stored under its stamp meanwhile
# (other processes cannot see the uncommitted data; the bump at commit covers them).
_local = threading.local()


def _read_since_bump() -> set[str]:
    seen = getattr(_local, "read", None)
    if seen is None:
        seen = _local.read = set()
    return seen


def _written(connection, tables: set[str]) -> None:
    if not connection.in_atomic_block:
        bump(*tables)
        return
    # One pending bump per transaction, found among the on-commit callbacks: Django drops it with a
    # rolled-back savepoint, and then the next write registers a new one.
    pending = next((f for _sids, f, _robust in reversed(connection.run_on_commit)
                    if isinstance(f, _PendingBump)), None)
    if pending is None:
        pending = _PendingBump()
        connection.on_commit(pending)
    read = _read_since_bump()
    now = {t for t in tables if t not in pending.tables or t in read}
    pending.tables |= tables
    if now:
        read -= now
        bump(*now)


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
