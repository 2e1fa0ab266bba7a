"""The KAM's dashboard (its query budget is pinned by tests)."""


from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import Account
from agreements import selectors as agreement_selectors
from kam import selectors as kam_selectors
from kam.models import ProgrammeSettings
from planning import selectors as planning_selectors
from touchpoints import selectors as touchpoint_selectors

from .common import (
    _commitment_columns,
    _decorate,
    _incident_columns,
    _with_latest,
    key_account_gaps,
    latest_snapshot_day,
)

KAM_CHART_ACCOUNTS = 25

# The most urgent few; the incident queue has them all, with its filters.
KAM_INCIDENTS = 10
# Key stakeholders not contacted lately, longest silent first; "My work" lists them all.
KAM_STAKEHOLDERS = 10
# Framework agreements renewing within the expiring window (agreements.models.EXPIRING_WINDOW_DAYS).
KAM_AGREEMENTS = 20


def kam_dashboard(user, page_number=None, query="") -> dict:
    """The KAM's accounts, a page at a time (a KAM may run hundreds), with the chart over all of them.
    The chart and the pager read one light list of every account; the snapshot subqueries run only for
    the page's rows. `query` is the request's query string: the cached table's page links carry it."""
    day = latest_snapshot_day()
    mine = Account.objects.active().filter(kam=user)
    light = list(mine.order_by("name").values_list("pk", "name", "tier", "health_score"))
    page = Paginator([row[0] for row in light], kam_selectors.PAGE_SIZE).get_page(page_number)
    order = {pk: i for i, pk in enumerate(page.object_list)}
    # The table and the lists are read only when their cached HTML is missing (see the `*_key`s).
    accounts = SimpleLazyObject(lambda: _decorate(sorted(_with_latest(mine.filter(pk__in=list(order)), day),
                                                         key=lambda a: order[a.pk])))
    plans = SimpleLazyObject(lambda: _plans_needing_attention(mine))
    gaps = SimpleLazyObject(lambda: key_account_gaps(mine))
    commitments = SimpleLazyObject(lambda: _commitments_due(user))
    incidents = SimpleLazyObject(lambda: _open_incidents(mine, limit=KAM_INCIDENTS + 1))
    agreements = SimpleLazyObject(lambda: _agreements_expiring(mine))
    # Outside the cached lists: logging a touchpoint changes it, and no data stamp follows contacts.
    stakeholders = SimpleLazyObject(lambda: _stale_stakeholders(mine))
    # Key accounts first, weakest health first: what the KAM should look at; the table has them all.
    charted = sorted(light, key=lambda r: (r[2] != "key", r[3] is None, r[3] or 0, r[1]))[:KAM_CHART_ACCOUNTS]
    chart = {
        "type": "bar",
        "data": {"labels": [r[1] for r in charted],
                 "datasets": [{"label": str(_("Health")), "data": [r[3] for r in charted]}]},
        "options": {"indexAxis": "y", "scales": {"x": {"min": 0, "max": 100}}},
    }
    return {"day": day, "accounts": accounts, "page": page, "accounts_total": len(light),
            "charted": charted, "plans": plans, "commitments": commitments, "gaps": gaps,
            "agreements": agreements, "stakeholders": stakeholders,
            "agreements_window": agreement_selectors.EXPIRING_WINDOW_DAYS,
            "incidents": SimpleLazyObject(lambda: incidents[:KAM_INCIDENTS]),
            "more_incidents": SimpleLazyObject(lambda: len(incidents) > KAM_INCIDENTS),
            "health_chart": chart,
            # What the cached parts (kam/datastamps.py) show besides what they read themselves.
            "accounts_vary": (user.pk, query, day, page.number, len(light)),
            "lists_vary": (user.pk, timezone.localdate())}




def _plans_needing_attention(accounts_qs):
    return list(planning_selectors.plans_needing_attention(accounts_qs)[:50])


def _commitments_due(user):
    return list(_commitment_columns(planning_selectors.commitments_due(user=user, within_days=14))[:50])




def _stale_stakeholders(accounts_qs) -> dict:
    days = ProgrammeSettings.current().stakeholder_contact_days
    rows = list(account_selectors.stale_stakeholders(accounts_qs, days=days)[:KAM_STAKEHOLDERS + 1])
    return {"rows": rows[:KAM_STAKEHOLDERS], "more": len(rows) > KAM_STAKEHOLDERS, "days": days}


def _agreements_expiring(accounts_qs):
    return list(agreement_selectors.expiring(accounts_qs=accounts_qs)[:KAM_AGREEMENTS])


def _open_incidents(accounts_qs, limit=50):
    return list(_incident_columns(touchpoint_selectors.open_incidents(accounts_qs))[:limit])
