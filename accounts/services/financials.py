"""Financial figures, trailing revenue and Pareto classes."""
import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kam.errors import Invalid
from kam.models import ProgrammeSettings
from kam.validators import require_not_in_future

from .. import scoring, selectors
from ..models import (
    Account,
    FinancialRecord,
)
from .base import (
    ACCOUNT_ROWS_LOCK,
    advisory_lock,
    permission_require,
)

# --- Financials and Pareto -------------------------------------------------------------------------
REVENUE_RECOMPUTE_SQL = """
WITH rev AS (
    -- `basis` is what the classes rank by: revenue, or contribution (revenue − cost of goods − cost
    -- to serve, as recorded): the programme's choice (kam.models.ProgrammeSettings.pareto_basis).
    SELECT a.id, COALESCE(SUM(f.revenue), 0) AS revenue,
           CASE WHEN %s = 'contribution'
                THEN COALESCE(SUM(f.revenue - f.cost_of_goods - f.cost_to_serve), 0)
                ELSE COALESCE(SUM(f.revenue), 0) END AS basis
    FROM accounts_account a
    LEFT JOIN accounts_financialrecord f ON f.account_id = a.id AND f.month >= %s AND f.month < %s
    WHERE a.archived_at IS NULL
    GROUP BY a.id
), ranked AS (
    SELECT id, revenue, basis,
           SUM(CASE WHEN basis > 0 THEN basis ELSE 0 END) OVER () AS total,
           -- Running total through the account's peers, minus the peers: what lies strictly above.
           -- (A frame with EXCLUDE GROUP says the same but is recomputed row by row: quadratic in the
           -- size of a peer group, and every new account with no revenue yet joins the same group.)
           SUM(CASE WHEN basis > 0 THEN basis ELSE 0 END) OVER (ORDER BY basis DESC)
           - SUM(CASE WHEN basis > 0 THEN basis ELSE 0 END) OVER (PARTITION BY basis) AS above
    FROM rev
), classed AS (
    SELECT id, revenue, CASE
        WHEN basis <= 0 OR total <= 0 THEN 'C'
        WHEN above < %s * total THEN 'A'
        WHEN above < %s * total THEN 'B'
        ELSE 'C' END AS pareto_class
    FROM ranked
)
UPDATE accounts_account SET revenue_12m = classed.revenue, pareto_class = classed.pareto_class
FROM classed
WHERE accounts_account.id = classed.id
  -- Only the rows whose figures move: one month of one account rewrites that account (and those whose
  -- class it shifts), not the whole table, and takes no lock on the rest.
  AND (accounts_account.revenue_12m IS DISTINCT FROM classed.revenue
       OR accounts_account.pareto_class IS DISTINCT FROM classed.pareto_class)
"""


@transaction.atomic
def revenue_recompute(today: datetime.date | None = None) -> int:
    """Write every active account's trailing-12-month revenue and its Pareto class, ranked by revenue
    or by contribution as the programme chose; the number of account rows that changed (the others are
    not written).

    The rule is `accounts.scoring.pareto_classes` (share of revenue strictly above the account: < 80 % A,
    < 95 % B, else C; ties share a class; zero revenue is C), done with window functions: the running
    total through the account's peers minus the peers' own sum is what every account above it makes.
    Archived accounts leave the ranking (their class is blank). Takes ACCOUNT_ROWS_LOCK first: callers
    that lock an account row of their own take it before that row."""
    advisory_lock(ACCOUNT_ROWS_LOCK)
    start, end = selectors.trailing_window(today)
    basis = ProgrammeSettings.current().pareto_basis
    with connection.cursor() as cursor:
        cursor.execute(REVENUE_RECOMPUTE_SQL, [basis, start, end, scoring.PARETO_A_SHARE, scoring.PARETO_B_SHARE])
        changed = cursor.rowcount
    return changed + Account.objects.filter(archived_at__isnull=False).exclude(pareto_class="").update(pareto_class="")


FINANCIAL_FIGURES = ("revenue", "cost_of_goods", "cost_to_serve")


@transaction.atomic
def financial_records_save(*, actor: User, figures: dict[tuple[int, datetime.date], dict[str, Decimal]],
                           progress=None, digests: dict[tuple[int, datetime.date], int] | None = None
                           ) -> tuple[int, int]:
    """Enter or correct months of figures, {(account id, month): {"revenue": …, "cost_of_goods": …,
    "cost_to_serve": …}}, and recompute revenue and Pareto classes; (created, updated). The one way
    figures are written, by the form and by the import alike.

    A month whose figures are those already stored is not written (no history row); new and changed
    months are written set-based, a chunk at a time, calling `progress(done, total)` after each.
    `digests` are the import rows' (FinancialRecord.source_digest); figures written without one
    (by hand) lose theirs."""
    # Imported here: the imports package imports this module's package.
    from ..imports import writing

    account_ids = {account_id for account_id, _month in figures}
    accounts = Account.objects.in_bulk(account_ids)
    if len(accounts) != len(account_ids):
        raise Invalid(_("No account matches."))
    for account in accounts.values():
        permission_require(actor=actor, perm="accounts.change_financials", obj=account)
    advisory_lock(ACCOUNT_ROWS_LOCK)
    new, changed = [], []
    checked: set[datetime.date] = set()
    # Compared after the lock, which every writer of figures takes: what differs now is what to write.
    for (account_id, month), numbers, before in writing.with_stored(
            FinancialRecord, key=("account", "month"), fields=("id", *FINANCIAL_FIGURES),
            items=(((account_id, month.replace(day=1)), numbers) for (account_id, month), numbers in figures.items())):
        if month not in checked:
            require_not_in_future("month", month, _("Financials cannot be entered for a future month."))
            checked.add(month)
        values = tuple(numbers.get(name, Decimal(0)) for name in FINANCIAL_FIGURES)
        if any(v < 0 for v in values):
            raise Invalid(_("Financial figures cannot be negative."))
        digest = digests.get((account_id, month)) if digests else None
        if before is None:
            new.append(dict(zip(("account_id", "month", *FINANCIAL_FIGURES, "source_digest"),
                                (account_id, month, *values, digest), strict=True)))
        elif before[1:] != values:
            changed.append((before[0], *values, digest))
    writing.write_changes(FinancialRecord, fields=(*FINANCIAL_FIGURES, "source_digest"), new=new, changed=changed,
                          actor=actor, progress=progress, total=len(figures))
    created, updated = len(new), len(changed)
    if created or updated:
        revenue_recompute()
    return created, updated


@transaction.atomic
def financial_record_save(*, actor: User, account: Account, month: datetime.date, revenue: Decimal,
                          cost_of_goods: Decimal, cost_to_serve: Decimal) -> FinancialRecord:
    """One month of one account, entered or corrected by hand."""
    month = month.replace(day=1)
    financial_records_save(actor=actor, figures={(account.pk, month): {
        "revenue": revenue, "cost_of_goods": cost_of_goods, "cost_to_serve": cost_to_serve}})
    from ..signals import financials_imported

    transaction.on_commit(lambda: financials_imported.send(sender=FinancialRecord, account_ids=[account.pk]))
    return FinancialRecord.objects.get(account=account, month=month)
