"""The attachable models and how to decide, for each, whose object it is and who may read or change it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.functional import Promise


@dataclass(frozen=True)
class Attachable:
    model: Any  # a model class
    key: str  # in URLs: the model's name
    label: Promise | str
    account_of: Callable[[Any], Any]
    may_read: Callable[[Any, Any], bool]
    may_change: Callable[[Any, Any], bool]
    # The related objects `account_of` follows, fetched with the object (one query instead of several).
    select_related: tuple[str, ...] = ()
    # The object's page (where its files are listed); its get_absolute_url() when not given.
    url_of: Callable[[Any], str] | None = None

    def url(self, obj) -> str:
        return self.url_of(obj) if self.url_of is not None else obj.get_absolute_url()

    def get(self, pk):
        """The object, or 404."""
        try:
            return self.model._default_manager.select_related(*self.select_related).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc

    def readable(self, user, obj) -> bool:
        account = self.account_of(obj)
        return bool(user.is_authenticated and user.has_perm("accounts.view_account", account)
                    and self.may_read(user, obj))

    def changeable(self, user, obj) -> bool:
        return self.readable(user, obj) and bool(self.may_change(user, obj))


_ENTRIES: dict[str, Attachable] = {}


def register(model, *, account_of: Callable[[Any], Any], may_read: Callable[[Any, Any], bool],
             may_change: Callable[[Any, Any], bool], label: Promise | str,
             select_related: tuple[str, ...] = (), url_of: Callable[[Any], str] | None = None) -> Attachable:
    """Declare `model` attachable: `account_of(obj)` is the account it belongs to, `may_read(user, obj)`
    and `may_change(user, obj)` say who may see its files and who may add or remove them (asked after
    the account's own access), `label` names it to people ("plan"); `url_of(obj)` is the object's page
(default: its get_absolute_url) and `select_related` what `account_of` follows. Registering the same model again
    replaces its entry (a test or a reload)."""
    entry = Attachable(model=model, key=model._meta.model_name, label=label, account_of=account_of,
                       may_read=may_read, may_change=may_change, select_related=select_related,
                       url_of=url_of)
    existing = _ENTRIES.get(entry.key)
    if existing is not None and existing.model is not model:
        raise ValueError(f"two attachable models are called {entry.key}")
    _ENTRIES[entry.key] = entry
    return entry


def registered() -> list[Attachable]:
    return list(_ENTRIES.values())


def entry_by_key(key: str) -> Attachable:
    """The entry for a URL's model name, or 404."""
    entry = _ENTRIES.get(key)
    if entry is None:
        raise Http404
    return entry


def entry_for(obj) -> Attachable:
    """The entry of `obj`'s model (LookupError if it is not attachable: a programming error)."""
    entry = _ENTRIES.get(obj._meta.model_name)
    if entry is None or not isinstance(obj, entry.model):
        raise LookupError(f"{obj._meta.label} is not registered as attachable")
    return entry
