"""CSV and XLSX import of accounts, contacts and monthly financials, and the CSV export of the account list."""

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
    read_table,
)
from .run import COLUMNS, MAX_ROWS, run_import
from .values import Conventions, parse_date, propose_conventions

__all__ = [
    "COLUMNS",
    "EDITABLE_BY_IMPORT",
    "EXPORT_HEADER",
    "FIELD_SIZE_LIMIT",
    "FORMULA_PREFIXES",
    "MAX_ROWS",
    "AccountIndex",
    "Conventions",
    "FileError",
    "ImportAborted",
    "ImportResult",
    "RowError",
    "export_rows",
    "neutralise",
    "parse_date",
    "parse_month",
    "parse_number",
    "propose_conventions",
    "read_csv",
    "read_table",
    "run_import",
]
