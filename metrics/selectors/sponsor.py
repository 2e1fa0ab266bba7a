"""The executive sponsor's dashboard (its query budget is pinned by tests)."""

import datetime

from django.core.paginator import Paginator
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from kam import selectors as kam_selectors
from planning import selectors as planning_selectors
from touchpoints import selectors as touchpoint_selectors

from ..models import AccountSnapshot
from .common import (
    _commitment_columns,
    _decorate,
    _incident_columns,
    _with_latest,
    latest_snapshot_day,
)

SPONSOR_CHART_ACCOUNTS = 12
HISTORY_WEEKS = 52


def history_days(day: datetime.date | None, weeks: int = HISTORY_WEEKS) -> list[datetime.date]:
    """Weekly sample points ending on `day`: a year of history in 53 points per account."""
    if day is None:
        return []
    return [day - datetime.timedelta(weeks=w) for w in range(weeks, -1, -1)]




def sponsor_dashboard(user, page_number=None, query="") -> dict:
    """Like the KAM's: the table a page at a time, the charts over the largest accounts of all."""
    day = latest_snapshot_day()
    mine = Account.objects.active().filter(sponsor=user)
    light = [{"pk": pk, "name": name} for pk, name in mine.order_by("-revenue_12m", "name").values_list("pk", "name")]
    page = Paginator([row["pk"] for row in light], kam_selectors.PAGE_SIZE).get_page(page_number)
    order = {pk: i for i, pk in enumerate(page.object_list)}

    def page_accounts():
        accounts = _decorate(sorted(_with_latest(mine.filter(pk__in=list(order)).select_related("kam"), day),
                                    key=lambda a: order[a.pk]))
        visits = _sponsor_visits(mine.filter(pk__in=list(order)).only("created_at"))
        for a in accounts:
            a.visit = visits.get(a.pk)
        return accounts

    charted = light[:SPONSOR_CHART_ACCOUNTS]
    history = SponsorHistory(charted, day)
    # The table and the lists are read only when their cached HTML is missing (see the `*_key`s).
    return {
        "day": day, "page": page, "accounts_total": len(light), "charted": charted,
        # `history` reads the snapshots only when its cached part misses; the charted accounts and their
        # names were read here, so the part varies on them.
        "history_vary": (day, *((a["pk"], a["name"]) for a in charted)),
        "history": history,
        "accounts": SimpleLazyObject(page_accounts),
        "escalations": SimpleLazyObject(lambda: _escalations(user)),
        "at_risk": SimpleLazyObject(lambda: _commitments_at_risk(mine)),
        "feedback": SimpleLazyObject(lambda: _latest_feedback(mine)),
        "accounts_vary": (user.pk, query, day, page.number, len(light)), "lists_vary": (user.pk,),
    }


def _num(value):
    return None if value is None else float(value)


class SponsorHistory:
    """A year of weekly health and CLV of the charted accounts, as two line charts and a table. Each part
    is built on first use, so a page whose cached fragment hits never reads the snapshots."""

    def __init__(self, charted: list[dict], day: datetime.date | None):
        self.charted = charted
        self.days = history_days(day)
        self.table_days = self.days[::4]

    @cached_property
    def _series(self) -> dict:
        series: dict[int, dict[datetime.date, tuple]] = {}
        rows = (AccountSnapshot.objects.filter(account__in=[a["pk"] for a in self.charted], day__in=self.days)
                .order_by().values_list("account_id", "day", "health", "clv"))
        for pk, d, health, clv in rows:
            series.setdefault(pk, {})[d] = (health, clv)
        return series

    def _point(self, pk, d) -> tuple:
        return self._series.get(pk, {}).get(d, (None, None))

    def _chart(self, index: int, title, y_max=None) -> dict:
        datasets = [{"label": a["name"], "data": [_num(self._point(a["pk"], d)[index]) for d in self.days]}
                    for a in self.charted]
        options = {"scales": {"y": {"min": 0, "max": y_max}}} if y_max else {}
        return {"type": "line", "data": {"labels": [d.isoformat() for d in self.days], "datasets": datasets},
                "options": options, "title": str(title)}

    @cached_property
    def health_chart(self) -> dict:
        return self._chart(0, _("Health"), y_max=100)

    @cached_property
    def clv_chart(self) -> dict:
        return self._chart(1, _("CLV"))

    @cached_property
    def table(self) -> list[dict]:
        return [{"account": a, "points": [self._point(a["pk"], d) for d in self.table_days]}
                for a in self.charted]


def _sponsor_visits(accounts_qs) -> dict:
    """{account pk: {"last": datetime|None, "next_due": date|None, "overdue": bool}}."""
    return {row.account.pk: {"last": row.last_visit, "next_due": row.next_due, "overdue": row.overdue}
            for row in touchpoint_selectors.sponsor_visit_status(accounts_qs)}


def _escalations(user):
    return list(_incident_columns(touchpoint_selectors.escalations_for(user))[:20])


def _commitments_at_risk(accounts_qs):
    return list(_commitment_columns(planning_selectors.commitments_at_risk(accounts_qs))[:20])


def _latest_feedback(accounts_qs):
    """Accounts with their latest client score and our own rating, most recent feedback first."""
    return list(touchpoint_selectors.latest_feedback(accounts_qs.order_by().only("name"))
                .filter(feedback_score__isnull=False)  # type: ignore[misc]  # annotated by latest_feedback
                .order_by("-feedback_on", "name")[:20])
