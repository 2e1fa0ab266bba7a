"""Reads of the Pareto (ABC) analysis, on revenue or on contribution (re-exported by accounts.selectors).

The method ranks accounts by their contribution to sales *and* profit; the programme chooses which of
the two its classes follow (`ProgrammeSettings.pareto_basis`, applied by the revenue recompute and the
metrics snapshots alike), and the Pareto page can show either ranking. Contribution here is the one
finance records: revenue − cost of goods − recorded cost to serve over the last twelve complete months.
"""

from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce, RowNumber

from kam import datastamps
from kam.models import ParetoBasis, ProgrammeSettings

from .models import Account, FinancialRecord, Tier

BASES = tuple(ParetoBasis.values)
# The curve sent to the page: at most this many points, however many accounts (the whole curve of
# 100,000 accounts would be most of a megabyte of JSON), and at most this many key accounts marked.
CURVE_POINTS = 400
KEY_MARKS = 200
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


def pareto_basis(requested: str | None = None) -> str:
    """The basis asked for if it is one, else the programme's."""
    return requested if requested in BASES else ProgrammeSettings.current().pareto_basis


def _contribution_12m():
    from .selectors import trailing_window

    start, end = trailing_window()
    per_account = (FinancialRecord.objects.filter(account=OuterRef("pk"), month__gte=start, month__lt=end)
                   .values("account").annotate(c=Sum(F("revenue") - F("cost_of_goods") - F("cost_to_serve")))
                   .values("c"))
    return Coalesce(Subquery(per_account, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


def pareto_rows(user=None, basis: str = ParetoBasis.REVENUE) -> QuerySet:
    """Active accounts ranked by 12-month revenue or contribution (`basis`), each with its `value`, `rank`
    and `cumulative` value over the *whole* portfolio (window functions over every active account;
    negative contributions add nothing, as on the curve). For a user who reads the figures of only some
    accounts the rows are narrowed after ranking (a window-level flag, so SQL filters it in an outer
    query), and a KAM sees where their accounts stand in the company-wide ranking."""
    from .selectors import commercial_visibility_q

    value = F("revenue_12m") if basis == ParetoBasis.REVENUE else _contribution_12m()
    rows = Account.objects.active().select_related("kam").annotate(value=value)
    positive = Case(When(value__gt=0, then=F("value")), default=Value(Decimal(0)), output_field=MONEY)
    order = [F("value").desc(), F("pk").asc()]
    rows = (rows.annotate(rank=Window(RowNumber(), order_by=order),
                          cumulative=Window(Sum(positive), order_by=order, frame=RowRange(start=None, end=0)))
            .order_by("-value", "pk"))
    # The rows are figures: narrowed to the accounts whose commercial data the user reads.
    q = commercial_visibility_q(user) if user is not None else None
    if q is not None:
        flag = Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
        rows = rows.annotate(visible=Window(Max(flag), partition_by=[F("pk")])).filter(visible=1)
    return rows


def pareto_summary(basis: str = ParetoBasis.REVENUE) -> dict:
    """Class counts and value by class, and the curve as cumulative shares (%, two decimals) by rank
    with the ranks of key accounts, on `basis`. The curve runs over every active account, so it is
    cached until the accounts (or their financials) are written (kam/datastamps.py)."""
    return datastamps.cached("pareto-summary", lambda: _pareto_summary_compute(basis), vary=(basis,))


def _pareto_summary_compute(basis: str) -> dict:
    if basis == ParetoBasis.REVENUE:
        ranked = list(Account.objects.active().order_by("-revenue_12m", "pk")
                      .values_list("revenue_12m", "tier", "pareto_class"))
    else:
        ranked = list(Account.objects.active().annotate(value=_contribution_12m()).order_by("-value", "pk")
                      .values_list("value", "tier", "pareto_class"))
    by_class: dict[str, dict] = {}
    total = Decimal(0)
    losing, lost = 0, Decimal(0)
    for value, tier, pareto_class in ranked:
        row = by_class.setdefault(pareto_class, {"pareto_class": pareto_class, "n": 0, "revenue": Decimal(0),
                                                 "key": 0})
        row["n"] += 1
        row["revenue"] += value
        row["key"] += tier == Tier.KEY
        if value > 0:
            total += value
        elif value < 0:
            losing += 1
            lost += value
    total_f = float(total)
    shares, key_ranks = [], []
    running = 0.0
    for i, (value, tier, _cls) in enumerate(ranked):
        if value > 0:
            running += float(value)
        shares.append(round(running / total_f * 100, 2) if total_f else 0.0)
        if tier == Tier.KEY:
            key_ranks.append(i)
    ranks = thin(list(range(len(shares))), CURVE_POINTS)
    keys = thin(key_ranks, KEY_MARKS)
    return {"by_class": by_class, "shares": [shares[i] for i in ranks], "ranks": ranks, "key_ranks": keys,
            "key_shares": [shares[i] for i in keys], "key_total": len(key_ranks), "total": total,
            "count": len(ranked), "losing": losing, "lost": lost}


def thin(indexes: list[int], limit: int) -> list[int]:
    """At most `limit` of `indexes`, evenly spaced, always with the first and the last (the curve's ends)."""
    if len(indexes) <= limit:
        return indexes
    step = (len(indexes) - 1) / (limit - 1)
    return [indexes[round(i * step)] for i in range(limit)]
