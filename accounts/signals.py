"""Hooks for the apps above accounts, which accounts must not import.

`financials_imported` is sent after a transaction that changed monthly financials has committed (a CSV
import or an entry on the account page), with ``account_ids`` (the accounts touched). Metrics connects
to it to recompute its figures.
"""

from django.dispatch import Signal

financials_imported = Signal()
