"""Writes of the charter: the programme lead writes and revises the promises."""

from django.db import transaction
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Forbidden, Invalid, clean

from .models import Promise
from .selectors import CHARTER_DEPARTMENTS

PROMISE_FIELDS = ("department", "text", "measure", "target", "tiers", "active", "order")


def _require_lead(actor) -> None:
    if actor is None or not actor.has_perm("charter.edit_charter"):
        raise Forbidden(_("Only the programme lead writes the service charter."))


def _check(data: dict) -> None:
    unknown = set(data) - set(PROMISE_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not edited here")
    department = data.get("department")
    if department is not None and department.code not in CHARTER_DEPARTMENTS:
        raise Invalid(_("The charter holds the promises of the serving departments."),
                      errors={"department": [_("Choose one of the charter's departments.")]})


@transaction.atomic
def promise_create(*, actor, data: dict) -> Promise:
    """Add a promise to the charter (the programme lead's)."""
    _require_lead(actor)
    _check(data)
    promise = Promise(**data)
    clean(promise)
    promise._history_user = actor
    promise.save()
    return promise


@transaction.atomic
def promise_update(*, actor, promise: Promise, expected_version, data: dict) -> Promise:
    """Revise a promise from the version the lead saw; its history keeps every earlier wording and
    target. Withdrawing it (`active` False) keeps it out of the compliance from then on."""
    _require_lead(actor)
    _check(data)
    locked = versioning.claim(Promise.objects.all(), promise.pk, expected_version, PROMISE_FIELDS)
    for name, value in data.items():
        setattr(locked, name, value)
    clean(locked)
    versioning.bump(locked)
    locked._history_user = actor
    locked.save()
    return locked
