"""Set-based writes of an import: what is stored is compared with what the file says, unchanged rows
are not written, and changed or new rows are written a chunk at a time with one history row each.

On PostgreSQL a chunk goes into a temporary table by COPY and is written with `UPDATE … FROM` and
`INSERT … SELECT`, the history rows in the same statement; elsewhere (the embedded SQLite) the same
rows are written with the ORM's bulk statements. django-simple-history's own bulk helpers build a
`CASE WHEN` per row in Python, which is what made a re-import take minutes.

History rows are copied from the stored row after the write, so they hold exactly what was saved.
Nothing here checks permissions or takes locks: the callers (the planners' `write`, the services) do.
"""

import datetime
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, JSONField, Model
from django.utils import timezone

# Rows per chunk: one progress step, one COPY and a handful of statements.
CHUNK = 5000
# Ids per `IN (…)` list on backends without arrays (SQLite allows 32,766 parameters; stay well below).
ID_BATCH = 900

Progress = Callable[[int, int], Any] | None


class Plan:
    """What a planner returns: `write(actor, progress=None)` writes the planned rows in the caller's
    transaction and returns the ids of the accounts it changed.

    A planner called with `count=True` (the check) puts on the result how many rows are new, changed
    and unchanged; an import leaves that to the write, which counts what it does, so the file is not
    compared with what is stored twice."""

    def __init__(self, write: Callable[..., set[int]], payload: Callable[[], bytes] | None = None):
        self.write = write
        # The planned rows as bytes, for a planner whose plan the import may take from its check.
        self.payload = payload

    def __call__(self, actor, progress: Progress = None) -> set[int]:
        return self.write(actor, progress)


def chunks(items: Sequence, size: int | None = None) -> Iterable[Sequence]:
    size = size or CHUNK
    for i in range(0, len(items), size):
        yield items[i:i + size]


@functools.cache
def field(model: type[Model], name: str) -> Field:
    """A concrete field of `model` by name (a typed `_meta.get_field`)."""
    found = model._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def attname(model: type[Model], name: str) -> str:
    return field(model, name).attname


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def tracked_columns(model: type[Model]) -> list[str]:
    """The columns the model's history copies from its table (the history's own columns excepted)."""
    history = model.history.model  # type: ignore[attr-defined]
    return [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]


def _history_insert_head(model: type[Model]) -> tuple[str, str]:
    history = model.history.model  # type: ignore[attr-defined]
    columns = ", ".join(_qn(c) for c in tracked_columns(model))
    head = (f"INSERT INTO {_qn(history._meta.db_table)} ({columns}, history_date, history_type, "
            f"history_user_id, history_change_reason)")
    return head, columns


def history_copy(model: type[Model], ids: Sequence[int], *, history_type: str, actor,
                 when: datetime.datetime) -> None:
    """One history row for each of `ids` ("+" created, "~" changed), copied from the row as stored now."""
    if not ids:
        return
    head, columns = _history_insert_head(model)
    select = f"SELECT {columns}, %s, %s, %s, NULL FROM {_qn(model._meta.db_table)}"
    user_id = getattr(actor, "pk", None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for part in chunks(ids, 50_000):
                cursor.execute(f"{head} {select} WHERE id = ANY(%s)", [when, history_type, user_id, list(part)])
            return
        for part in chunks(ids, ID_BATCH):
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"{head} {select} WHERE id IN ({marks})", [when, history_type, user_id, *part])


def stored_values(model: type[Model], *, key: Sequence[str], fields: Sequence[str], filter_field: str,
                  filter_values: Iterable) -> dict[tuple, tuple]:
    """{key values: field values} of the rows whose `filter_field` is one of `filter_values`, read in
    batches (a query per few thousand values, whatever the size of the file)."""
    values = sorted(set(filter_values))
    out: dict[tuple, tuple] = {}
    width = len(key)
    if connection.vendor == "postgresql":
        # Read raw: the driver's own types (date, Decimal) are what the ORM would give, without the
        # per-value conversions that cost more than the query on a million rows.
        columns = ", ".join(_qn(field(model, n).column) for n in (*key, *fields))
        sql = (f"SELECT {columns} FROM {_qn(model._meta.db_table)} "
               f"WHERE {_qn(field(model, filter_field).column)} = ANY(%s)")
        with connection.cursor() as cursor:
            for part in chunks(values, 50_000):
                cursor.execute(sql, [list(part)])
                for row in cursor.fetchall():
                    out[row[:width]] = row[width:]
        return out
    for part in chunks(values, ID_BATCH):
        rows = model._default_manager.filter(**{f"{filter_field}__in": part}).values_list(*key, *fields)
        for row in rows.iterator(chunk_size=10_000):
            out[row[:width]] = row[width:]
    return out


def stored_pairs(model: type[Model], *, columns: tuple[str, str], where: dict[str, Sequence]) -> set[tuple[int, int]]:
    """The integer pairs that the rows of `model` hold in `columns` (both set), among the rows whose
    each `where` column is one of its values. On PostgreSQL the server sends each column as one text:
    150,000 pairs arrive in a few tens of milliseconds, where 150,000 result rows cost most of a second."""
    if not all(where.values()):
        return set()
    first, second = (_qn(field(model, n).column) for n in columns)
    if connection.vendor == "postgresql":
        conditions = " AND ".join(f"{_qn(field(model, n).column)} = ANY(%s)" for n in where)
        # One aggregate node feeds both aggregates the same rows in the same order.
        sql = (f"SELECT string_agg({first}::text, ','), string_agg({second}::text, ',') "
               f"FROM {_qn(model._meta.db_table)} WHERE {first} IS NOT NULL AND {second} IS NOT NULL AND {conditions}")
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(values) for values in where.values()])
            firsts, seconds = cursor.fetchone()
        if not firsts:
            return set()
        return set(zip(map(int, firsts.split(",")), map(int, seconds.split(",")), strict=True))
    rows = model._default_manager.filter(**{f"{n}__in": list(v) for n, v in where.items()}).exclude(
        **{f"{columns[0]}__isnull": True}).exclude(**{f"{columns[1]}__isnull": True})
    return set(rows.values_list(*columns).iterator(chunk_size=10_000))


def with_stored(model: type[Model], *, key: Sequence[str], fields: Sequence[str],
                items: Iterable[tuple[tuple, Any]], batch: int = 500) -> Iterator[tuple[tuple, Any, tuple | None]]:
    """Each (key values, payload) of `items` with the stored values of `fields` for that key (None when
    there is no such row), read for `batch` distinct first-key values at a time (500 accounts, some 30,000 months):
    a million rows are compared without holding a million stored rows. Items in any order are right;
    items grouped by their first key value (a file sorted by account) are read once."""
    pending: list[tuple[tuple, Any]] = []
    firsts: set = set()
    for item in items:
        if item[0][0] not in firsts and len(firsts) >= batch:
            yield from _joined(model, key, fields, pending, firsts)
            pending, firsts = [], set()
        firsts.add(item[0][0])
        pending.append(item)
    if pending:
        yield from _joined(model, key, fields, pending, firsts)


def _joined(model, key, fields, pending, firsts) -> Iterator[tuple[tuple, Any, tuple | None]]:
    stored = stored_values(model, key=key, fields=fields, filter_field=key[0], filter_values=firsts)
    for k, payload in pending:
        yield k, payload, stored.get(k)


def insert_rows(model: type[Model], rows: Sequence[dict]) -> list[int]:
    """Insert `rows` ({attribute name: value}; the model's defaults for the rest) and return their ids,
    in order. On PostgreSQL the ids are drawn from the table's sequence and the rows copied in (COPY):
    building a model instance per row costs more than the database's work."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=500)
        return [obj.pk for obj in objs]
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default() for f in fields}
    table = _qn(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, pk.column, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
    names = [f.attname for f in fields]
    # COPY takes JSON columns as their text.
    json_names = {f.attname for f in fields if isinstance(f, JSONField)}
    _pg_copy(table, [pk, *fields], ([pk_value, *(json.dumps(row.get(name, defaults[name])) if name in json_names
                                                 else row.get(name, defaults[name]) for name in names)]
                                    for pk_value, row in zip(ids, rows, strict=True)), analyze=False)
    return ids


def _pg_temp_table(model: type[Model], name: str, fields: Sequence) -> str:
    """A temporary table with the columns of `fields` (model fields), emptied, for this transaction."""
    # Named by its columns too: the same transaction may write other columns of the same model.
    digest = hashlib.md5(",".join(str(f.column) for f in fields).encode(), usedforsecurity=False).hexdigest()[:8]
    table = _qn(f"import_{name}_{digest}")
    columns = ", ".join(f"{_qn(f.column)} {f.rel_db_type(connection) if f.primary_key else f.db_type(connection)}"
                        for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {table}")
    return table


def _pg_copy(table: str, fields: Sequence, rows: Iterable[Sequence], *, analyze: bool = True) -> None:
    columns = ", ".join(_qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if analyze:
            # Statistics for the join that follows: without them the planner may scan the whole table.
            cursor.execute(f"ANALYZE {table}")


def update_rows(model: type[Model], objs: Sequence[Model], field_names: Sequence[str]) -> None:
    """Write `field_names` of `objs` (rows that exist and are known to change) by primary key."""
    if not objs:
        return
    fields = [field(model, n) for n in field_names]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, list(field_names), batch_size=500)
        return
    pk = model._meta.pk
    assert pk is not None
    table = _pg_temp_table(model, f"update_{model._meta.db_table}", [pk, *fields])
    _pg_copy(table, [pk, *fields], ([obj.pk, *(f.get_db_prep_save(getattr(obj, f.attname), connection)
                                                for f in fields)] for obj in objs))
    assignments = ", ".join(f"{_qn(f.column)} = t.{_qn(f.column)}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_qn(model._meta.db_table)} AS m SET {assignments} FROM {table} AS t "
                       f"WHERE m.{_qn(pk.column)} = t.{_qn(pk.column)}")


def write_changes(model: type[Model], *, fields: Sequence[str], new: Sequence[dict], changed: Sequence[Sequence],
                  actor, progress: Progress = None, total: int | None = None) -> None:
    """Insert the `new` rows ({attribute name: value}) and update the `changed` ones ((id, value of
    each of `fields`…)), a chunk at a time, each with its history row ("+" or "~", by `actor`);
    `progress(done, total)` after each chunk. The caller has compared them with what is stored, under
    the lock that its writers share; an update that finds the row already equal writes nothing."""
    when = timezone.now()
    total = len(new) + len(changed) if total is None else total
    done = 0
    for part in chunks(new):
        history_copy(model, insert_rows(model, part), history_type="+", actor=actor, when=when)
        done += len(part)
        if progress is not None:
            progress(done, total)
    for part in chunks(changed):
        _update_by_id(model, fields, part, actor, when)
        done += len(part)
        if progress is not None:
            progress(done, total)
    if progress is not None and done < total:
        progress(total, total)  # the rest was left as it was


def _update_by_id(model, field_names, rows, actor, when) -> None:
    if connection.vendor != "postgresql":
        names = [attname(model, n) for n in field_names]
        objs = [model(pk=row[0], **dict(zip(names, row[1:], strict=True))) for row in rows]
        model._default_manager.bulk_update(objs, list(field_names), batch_size=500)
        history_copy(model, [row[0] for row in rows], history_type="~", actor=actor, when=when)
        return
    pk = model._meta.pk
    fields = [field(model, n) for n in field_names]
    table = _pg_temp_table(model, f"update_{model._meta.db_table}", [pk, *fields])
    _pg_copy(table, [pk, *fields], rows)
    head, columns = _history_insert_head(model)
    stored = ", ".join(f"m.{_qn(f.column)}" for f in fields)
    given = ", ".join(f"t.{_qn(f.column)}" for f in fields)
    assignments = ", ".join(f"{_qn(f.column)} = t.{_qn(f.column)}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS (UPDATE {_qn(model._meta.db_table)} AS m SET {assignments} FROM {table} AS t "
            f"WHERE m.{_qn(pk.column)} = t.{_qn(pk.column)} AND ({stored}) IS DISTINCT FROM ({given}) "
            f"RETURNING m.*) {head} SELECT {columns}, %s, '~', %s, NULL FROM changed",
            [when, getattr(actor, "pk", None)])
