"""Events and notices stored as a kind plus parameters, put into words when they are read.

Text composed when an event happens is in the writer's language (and nightly jobs have none, so they
wrote English): a Spanish reader of an English-speaking colleague's change read English. So the
account stream (`accounts.Activity`) and notifications (`kam.Notification`) store a message kind and
its parameters, and each reader gets the text in their own language, with dates in their formats and
choices by their labels. The text stored beside them is the fallback for rows written before kinds
existed (or whose kind is no longer registered).

Each app registers its kinds in its own `messages.py`, imported by its `AppConfig.ready`, so every
kind is known wherever a row is read. Parameters are JSON: names as written, ids, codes of choices
(`Choice`), ISO dates (`DATE`, `DATETIME`), English source texts translated when read (`TEXT`) and
lists of other messages (`MESSAGES` joined with "; ", `PARTS` with " · "), lists of
source texts (`TEXTS`) and of a model's fields (`Fields`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

DATE = "date"
DATETIME = "datetime"
TEXT = "text"
TEXTS = "texts"  # a list of TEXT, joined with ", "
MESSAGES = "messages"  # joined with "; "
PARTS = "parts"  # joined with " · "
_JOINS = {MESSAGES: "; ", PARTS: " · "}


@dataclass(frozen=True)
class Choice:
    """A parameter holding the code of a model field's choice, shown by its label."""

    model: str  # "app_label.Model"
    field: str
    lower: bool = False  # inside a sentence ("a high incident")


@dataclass(frozen=True)
class Fields:
    """A parameter holding names of a model's fields, shown by their labels, joined with ", "."""

    model: str


@dataclass(frozen=True)
class Message:
    text: Any  # a lazily translated template with named placeholders
    body: Any = None  # a notice's body, with the same parameters
    types: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, Message] = {}


def register(kind: str, text, /, *, body=None, **types) -> str:
    """Register a kind (dotted, its app first: ``touchpoints.incident_opened``); returns the kind."""
    _REGISTRY[kind] = Message(text=text, body=body, types=types)
    return kind


def is_registered(kind: str) -> bool:
    return kind in _REGISTRY


def encode(kind: str, params: dict) -> dict:
    """The parameters as stored. An unregistered kind is a programming error and raises KeyError."""
    message = _REGISTRY[kind]
    return {name: _encode(message.types.get(name), value) for name, value in params.items()}


def _encode(kind_of, value):
    if kind_of in _JOINS:
        return [[k, encode(k, p)] for k, p in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if kind_of == TEXTS or isinstance(kind_of, Fields):
        return [str(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # a model instance: its name as it is now


def render(kind: str, params: dict | None, *, part: str = "text") -> str | None:
    """The kind's text (or `part="body"`) in the active language; None when the kind or its
    parameters cannot be read, so the caller shows the stored text instead."""
    message = _REGISTRY.get(kind)
    if message is None:
        return None
    template = message.text if part == "text" else message.body
    if template is None:
        return ""
    try:
        values = {name: _value(message.types.get(name), value) for name, value in (params or {}).items()}
        return str(template) % values
    except (KeyError, ValueError, TypeError, LookupError):
        return None


def _value(kind_of, value):
    if value is None:
        return ""
    if kind_of == DATE:
        return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if kind_of == DATETIME:
        moment = datetime.datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if kind_of == TEXT:
        return gettext(value) if value else ""
    if kind_of in _JOINS:
        return _JOINS[kind_of].join(filter(None, (render(k, p) for k, p in value)))
    if kind_of == TEXTS:
        return ", ".join(gettext(v) for v in value)
    if isinstance(kind_of, Fields):
        model = apps.get_model(kind_of.model)
        return ", ".join(str(model._meta.get_field(name).verbose_name) for name in value)
    if isinstance(kind_of, Choice):
        model = apps.get_model(kind_of.model)
        label = str(dict(model._meta.get_field(kind_of.field).flatchoices).get(value, value))
        return label.lower() if kind_of.lower else label
    return value


def event_fields(kind: str, params: dict | None = None) -> dict:
    """The columns of an `accounts.Activity` row for this event (for writers that create rows in bulk):
    the kind, its stored parameters and the summary in the programme's language."""
    stored = encode(kind, params or {})
    with translation.override(settings.LANGUAGE_CODE):
        summary = render(kind, stored) or ""
    return {"message": kind, "params": stored, "summary": summary[:300]}


def text_or(kind: str, params: dict | None, stored: str, *, part: str = "text") -> str:
    """What a reader sees: the kind in their language, else the text stored when it was written."""
    if kind:
        rendered = render(kind, params, part=part)
        if rendered is not None:
            return rendered
    return stored
