"""The shared download writer (kam/exports.py): CSV and XLSX from the same rows, formulas neutralised,
numbers and dates kept as such, the row bound refused before a byte is sent."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Account
from kam import exports
from kam.errors import Invalid
from tests.downloads import body, csv_rows, xlsx_sheets
from tests.factories import AccountFactory

WHEN = timezone.make_aware(datetime.datetime(2026, 3, 15, 9, 30))
ROW = ["=cmd|' /C calc'!A0", "Plain text", Decimal("-12500.50"), 7, datetime.date(2026, 3, 1), WHEN, True, None]


def _sheet(rows=None):
    return exports.Sheet("Cuentas", ["name", "@header", "amount", "count", "month", "when", "flag", "empty"],
                         iter([ROW] if rows is None else rows))


def test_csv_has_a_bom_semicolons_and_neutralised_text_only():
    response = exports.export_response("csv", "cuentas", [_sheet()])
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cuentas-{timezone.localdate():%Y%m%d}.csv"')
    header, row = csv_rows(response)
    assert header[1] == "'@header"
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert row[1] == "Plain text"
    # A negative number is a number, not a formula: written as the imports read it back.
    assert row[2:6] == ["-12500.50", "7", "2026-03-01", "2026-03-15 09:30"]
    assert row[7] == ""


def test_xlsx_keeps_numbers_and_dates_and_writes_text_as_text():
    response = exports.export_response("xlsx", "cuentas", [_sheet(), exports.Sheet("Otra: [x]", ["a"], iter([]))])
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith(f'filename="cuentas-{timezone.localdate():%Y%m%d}.xlsx"')
    sheets = xlsx_sheets(response)
    assert list(sheets) == ["Cuentas", "Otra   x "]
    header, row = sheets["Cuentas"]
    assert header[1] == "'@header"
    assert row[0] == "'=cmd|' /C calc'!A0" and row[1] == "Plain text"
    assert row[2] == pytest.approx(-12500.50) and row[3] == 7
    assert row[4] == datetime.datetime(2026, 3, 1) and row[5] == datetime.datetime(2026, 3, 15, 9, 30)
    assert row[6] is True and row[7:] in ((), (None,))


def test_xlsx_text_cells_are_strings_never_formulas():
    response = exports.export_response("xlsx", "x", [_sheet([["=1+1", "+1", "-A1", "@A1", "\tx", "a\x00b\x1bc"]])])
    ws = load_workbook(io.BytesIO(body(response))).active
    cells = [c for c in list(ws.iter_rows())[1] if c.value is not None]
    assert [c.data_type for c in cells] == ["s"] * 6
    assert [c.value for c in cells] == ["'=1+1", "'+1", "'-A1", "'@A1", "'\tx", "abc"]


def test_csv_rows_are_produced_as_the_response_is_read():
    produced = []

    def rows():
        for i in range(3 * exports.CSV_BATCH_ROWS):
            produced.append(i)
            yield [i]

    response = exports.export_response("csv", "x", [exports.Sheet("x", ["n"], rows())])
    assert produced == []
    chunks = iter(response.streaming_content)
    next(chunks), next(chunks)  # the header, then the first batch
    assert len(produced) == exports.CSV_BATCH_ROWS


@pytest.mark.django_db
def test_a_download_over_the_bound_is_refused_with_a_message(monkeypatch):
    AccountFactory.create_batch(3)
    monkeypatch.setitem(exports.MAX_ROWS, "xlsx", 2)
    with pytest.raises(Invalid, match="more than 2 rows"):
        exports.require_within_bound(Account.objects.all(), "xlsx")
    exports.require_within_bound(Account.objects.all(), "csv")
