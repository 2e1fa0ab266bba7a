"""Reading the first sheet of an Excel workbook (.xlsx) row by row, into the shape the CSV reader gives.

An .xlsx file is a zip archive: its size on disk says nothing of what it expands to (a few kilobytes may
declare gigabytes). The archive's directory is read first and the file is refused when its entries or
their declared size pass the bounds below; a member that expands past its declared size fails the zip
reader's own check, so the declared sizes bound the work. Then openpyxl streams the sheet (read-only
mode) and reading stops at the first row past the import's limit.
"""

import datetime
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .values import Cell

# A workbook of 150,000 rows of six columns expands to about 40 MB of XML; four times that is room for
# styles and shared strings, and a bound on a bomb's work.
MAX_UNCOMPRESSED_BYTES = 160 * 1024 * 1024
MAX_ENTRIES = 500


def check_archive(data: bytes, error: type[Exception]) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise error(_("The file is not a valid Excel workbook (.xlsx): it is damaged or of another kind. "
                      "Open it in your spreadsheet and save it again as “Excel workbook (.xlsx)”.")) from exc
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED_BYTES:
        raise error(_("The workbook expands to more than %(mb)s MB: too large to import, or not a "
                      "spreadsheet. Keep only the sheet to import, or save it as CSV.") % {
            "mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)})


def _cell(value) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int | float | Decimal | datetime.date):
        return Cell(value)
    return str(value).strip()  # a time of day, an error value (#N/A): text the column's check refuses


def read_xlsx(data: bytes, *, max_rows: int | None, header_of: Callable[[Any], list[str]],
              error: type[Exception], max_value: int) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and rows (with their row numbers) of the workbook's first sheet. Typed cells (numbers,
    dates) come as `values.Cell`, so that they are not read again as text; formulas give their last
    computed value, as the spreadsheet showed it. A value longer than `max_value` characters is refused,
    as the CSV reader refuses it."""
    import openpyxl  # type: ignore[import-untyped]

    check_archive(data, error)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its XML and zip layers raise on a broken file
        raise error(_("The file is not a valid Excel workbook (.xlsx): it is damaged or of another kind. "
                      "Open it in your spreadsheet and save it again as “Excel workbook (.xlsx)”.")) from exc
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            width = len(header) if header is not None else len(values)
            cells = [_cell(v) for v in values[:width]]
            if any("\x00" in c for c in cells if isinstance(c, str)):
                raise error(_("Line %(line)s contains a NUL character: the file is damaged or not a "
                              "spreadsheet export.") % {"line": number})
            if any(len(c) > max_value for c in cells if isinstance(c, str)):
                raise error(_("Line %(line)s has a value longer than %(kb)s KB (an unclosed quote, or not a "
                              "spreadsheet export). Nothing was imported.") % {
                    "line": number, "kb": max_value // 1024})
            if header is None:
                if not any(cells):
                    continue
                header = header_of(cells)
                while header and not header[-1]:
                    header.pop()
                continue
            # Cells past the header are often formatted but empty; only a value there is a stray one.
            stray = any(v is not None and str(v).strip() for v in values[width:])
            if not stray and not any(cells):
                continue
            if max_rows is not None and len(rows) >= max_rows:
                raise error(_("The file has more than %(max)s rows; one import takes at most %(max)s. Split "
                              "the file and import the parts one after the other.") % {"max": max_rows})
            if stray:
                rows.append((number, {"__extra__": True}))
                continue
            padded = cells + [""] * (width - len(cells))
            rows.append((number, {h: padded[i] for i, h in enumerate(header)}))
    except error:
        raise
    except Exception as exc:  # a sheet whose XML breaks half-way
        raise error(_("The workbook could not be read past line %(line)s: it is damaged. Open it in your "
                      "spreadsheet and save it again.") % {"line": len(rows) + 1}) from exc
    finally:
        workbook.close()
    if header is None:
        raise error(_("The file is empty."))
    return header, rows
