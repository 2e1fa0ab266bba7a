"""The rows of the account list's and the financials' downloads (written by `kam.exports`).

Both use the import's column names, so a download can be edited and imported back. Querysets are read
with `.iterator()` and their joins applied: a fixed number of queries whatever the number of rows.
"""

from collections.abc import Iterator

from django.db.models import QuerySet

from kam.exports import ROW_CHUNK, Sheet

from .models import FinancialRecord

ACCOUNT_COLUMNS = ["name", "tax_id", "customer_number", "industry", "country", "region", "status", "tier",
                   "relationship_stage", "kam_email", "sponsor_email", "parent_tax_id", "revenue_12m", "pareto_class",
                   "attractiveness", "strength", "quadrant", "health_score"]
FINANCIAL_COLUMNS = ["account_tax_id", "account_name", "account_country", "month", "revenue", "cost_of_goods",
                     "cost_to_serve", "account_customer_number"]


def _account_rows(queryset: QuerySet) -> Iterator[list]:
    for a in queryset.select_related("kam", "sponsor", "parent").iterator(chunk_size=ROW_CHUNK):
        yield [a.name, a.tax_id, a.customer_number, a.industry, a.country, a.region, a.status, a.tier,
               a.relationship_stage,
               a.kam.email if a.kam else "", a.sponsor.email if a.sponsor else "",
               a.parent.tax_id if a.parent else "",
               a.revenue_12m if getattr(a, "commercial", False) else None,
               a.pareto_class, a.attractiveness, a.strength, a.quadrant, a.health_score]


def account_sheet(queryset: QuerySet, title: str) -> Sheet:
    """The account list as filtered (`queryset` annotated by `selectors.with_commercial`): the 12-month
    revenue is blank on the rows whose figures the reader may not see."""
    return Sheet(title, ACCOUNT_COLUMNS, _account_rows(queryset))


def financial_records(accounts: QuerySet) -> QuerySet[FinancialRecord]:
    """The months of `accounts` (annotated by `selectors.with_commercial`) whose figures the reader
    may see, by account then month."""
    readable = accounts.filter(commercial=True).order_by().values("pk")
    return (FinancialRecord.objects.filter(account__in=readable)
            .order_by("account__name", "account_id", "month"))


def _financial_rows(records: QuerySet) -> Iterator[list]:
    records = records.select_related("account").only(
        "month", "revenue", "cost_of_goods", "cost_to_serve", "account__name", "account__tax_id",
        "account__customer_number",
        "account__country")
    for r in records.iterator(chunk_size=ROW_CHUNK):
        yield [r.account.tax_id, r.account.name, r.account.country, r.month, r.revenue, r.cost_of_goods,
               r.cost_to_serve, r.account.customer_number]


def financial_sheet(records: QuerySet, title: str) -> Sheet:
    """One row per account and month (`records` already scoped to what the reader may see)."""
    return Sheet(title, FINANCIAL_COLUMNS, _financial_rows(records))
