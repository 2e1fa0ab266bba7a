"""A client contact's personal data across the apps: what the export gathers and the erasure scrubs.

A contact is named in rows of every app: by key (a touchpoint with them, the feedback they gave, a
share link addressed to them) and in free text (an activity's summary, "agreed by", a review's
attendees, a client comment). Accounts cannot import the apps above it, so each of them registers a
`Source` here (in its AppConfig.ready): what it holds about a person, and how to scrub it. The lead's
export (`accounts.selectors.contact_personal_data`) and erasure (`accounts.services.contact_erase`)
call every registered source.

Mentions in free text are found by the person's names (every name the contact has had, from its
history) and e-mail addresses, whole words, whatever the case, within their account's rows. A text
naming them only by first name, a nickname or a misspelling is not found; the export lists what was.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Model, Q, QuerySet

# Shorter names would match inside ordinary words too often to be scrubbed blindly.
MIN_TERM = 3


@dataclass(frozen=True)
class Person:
    contact: Any  # accounts.Contact
    terms: tuple[str, ...]

    @classmethod
    def of(cls, contact) -> "Person":
        names = {contact.name, contact.email}
        for name, email in contact.history.values_list("name", "email"):
            names.update((name, email))
        terms = sorted({t.strip() for t in names if t and len(t.strip()) >= MIN_TERM}, key=len, reverse=True)
        return cls(contact=contact, terms=tuple(terms))

    @property
    def marker(self) -> str:
        """What replaces them: the same pseudonym everywhere, the contact's id only."""
        return f"[erased #{self.contact.pk}]"

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        if not self.terms:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in self.terms) + r")(?!\w)", re.IGNORECASE)

    def mentioned_in(self, text) -> bool:
        pattern = self._pattern
        return bool(pattern and isinstance(text, str) and pattern.search(text))

    def scrub(self, value):
        """`value` with every mention replaced by the marker; JSON-like values are walked."""
        pattern = self._pattern
        if pattern is None:
            return value
        if isinstance(value, str):
            return pattern.sub(self.marker, value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value

    def q(self, *fields: str) -> Q:
        """A superset, for the database, of the rows whose `fields` mention them (checked in Python)."""
        q = Q(pk__in=[])
        for field in fields:
            for term in self.terms:
                q |= Q(**{f"{field}__icontains": term})
        return q


@dataclass(frozen=True)
class Section:
    """One part of the export: a title and rows of plain values (strings, numbers, dates)."""

    key: str
    title: str
    rows: list[dict]


@dataclass(frozen=True)
class Source:
    key: str
    export: Callable[[Person], list[Section]]
    # Scrubs what the app holds about the person; returns the number of rows changed per kind.
    erase: Callable[[Person], dict[str, int]]


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    _SOURCES[source.key] = source


def sources() -> list[Source]:
    return list(_SOURCES.values())


# --- Helpers the sources share ---------------------------------------------------------------------

def with_history(queryset: QuerySet, history_filter: dict | None = None) -> list[QuerySet]:
    """`queryset`, and the same rows' history when the model keeps one (`history_filter` selects them
    in the history table, whose foreign keys are plain ids without joins to the live rows)."""
    model = queryset.model
    sets = [queryset]
    if hasattr(model, "history") and history_filter is not None:
        sets.append(model.history.model.objects.filter(**history_filter))
    return sets


def mentions(person: Person, queryset: QuerySet, fields: Iterable[str]) -> list[dict]:
    """The texts in `queryset`'s `fields` that mention the person: one row per text."""
    fields = tuple(fields)
    model = queryset.model
    found = []
    for row in queryset.filter(person.q(*fields)).values("pk", *fields).order_by("pk"):
        for field in fields:
            if person.mentioned_in(row[field]):
                found.append({"record": str(model._meta.verbose_name), "id": row["pk"], "field": field,
                              "text": row[field]})
    return found


def scrub(person: Person, querysets: Iterable[QuerySet], fields: Iterable[str], *, search: bool = True,
          replace: dict | None = None) -> int:
    """Replace the person's mentions in `fields` of each queryset's rows (live and historical), without
    creating history of the scrub itself: the erasure log records it. `search=False` scrubs every row of
    the queryset (rows tied to the person by key); `replace` sets fields outright on those rows."""
    fields = tuple(fields)
    replace = replace or {}
    changed = 0
    for queryset in querysets:
        rows = queryset.filter(person.q(*fields)) if search and fields else queryset
        pending: list[Model] = []
        for obj in rows.only("pk", *fields, *replace):
            dirty = False
            for field in fields:
                old = getattr(obj, field)
                new = person.scrub(old)
                if new != old:
                    setattr(obj, field, new)
                    dirty = True
            for field, value in replace.items():
                if getattr(obj, field) != value:
                    setattr(obj, field, value)
                    dirty = True
            if dirty:
                pending.append(obj)
        if pending:
            queryset.model._base_manager.bulk_update(pending, [*fields, *replace], batch_size=500)
        changed += len(pending)
    return changed
