"""CSV import of accounts, contacts and monthly financials, and the CSV export of the account list."""

# The formula-injection rule is shared with every export (kam.exports); still importable from here.
from kam.exports import FORMULA_PREFIXES, neutralise

from .accounts import EDITABLE_BY_IMPORT, EXPORT_HEADER, export_rows
from .reading import (
    FIELD_SIZE_LIMIT,
    AccountIndex,
    FileError,
    ImportAborted,
    ImportResult,
    RowError,
    parse_month,
    parse_number,
    read_csv,
)
from .run import COLUMNS, MAX_ROWS, run_import

__all__ = [
    "COLUMNS",
    "EDITABLE_BY_IMPORT",
    "EXPORT_HEADER",
    "FIELD_SIZE_LIMIT",
    "FORMULA_PREFIXES",
    "MAX_ROWS",
    "AccountIndex",
    "FileError",
    "ImportAborted",
    "ImportResult",
    "RowError",
    "export_rows",
    "neutralise",
    "parse_month",
    "parse_number",
    "read_csv",
    "run_import",
]
