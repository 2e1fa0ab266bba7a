"""Shared builders of the charter's tests: moments in the programme's time zone, accounts created on a
given day, promises."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account
from charter.models import Promise
from tests.factories import AccountFactory, department
from tests.touchpoints.factories import IncidentFactory

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)


def at(y, m, d, h=0, mi=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(y, m, d, h, mi))


def account(tier="key", created=datetime.date(2025, 1, 1), **kwargs) -> Account:
    a = AccountFactory(tier=tier, **kwargs)
    Account.objects.filter(pk=a.pk).update(created_at=at(created.year, created.month, created.day, 9))
    a.refresh_from_db()
    return a


def promise(measure, target, code="operations", tiers=("key",), text="") -> Promise:
    return Promise.objects.create(department=department(code), measure=measure, target=Decimal(target),
                                  tiers=list(tiers), text=text or f"{measure} {code}")


def incident(acc, due, resolved=None, opened=None, acked=None):
    """An incident whose resolve deadline is `due` (opened two days before unless said otherwise)."""
    opened = opened or due - datetime.timedelta(hours=48)
    return IncidentFactory(account=acc, opened_at=opened, ack_due_at=opened + datetime.timedelta(hours=4),
                           resolve_due_at=due, resolved_at=resolved, acknowledged_at=acked,
                           status="resolved" if resolved else "open")
