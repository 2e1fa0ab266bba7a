"""Import files as people have them: XLSX workbooks read like CSV, typed cells kept as typed, customer
numbers matching accounts, and hostile files refused with a message that says what to do."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from accounts import imports
from accounts.imports import reading, xlsx
from accounts.models import Account, FinancialRecord
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def workbook(*rows, sheets=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for title in sheets:
        book.create_sheet(title).append(["ignored"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(kind, data, actor, filename="datos.xlsx", **kwargs):
    return imports.run_import(kind=kind, data=data, filename=filename, actor=actor, **kwargs)


def test_xlsx_rows_have_the_csv_shape_and_line_numbers():
    data = workbook(["Name", "Tax id", "Country"], ["Minera S.A.", "a1", "ES"], [None, None, None],
                    ["Otra S.L.", 12345678, "PT"], sheets=["Notes"])
    header, rows = imports.read_table(data, filename="x.xlsx", max_rows=10)
    assert header == ["name", "tax_id", "country"]
    assert rows == [(2, {"name": "Minera S.A.", "tax_id": "a1", "country": "ES"}),
                    (4, {"name": "Otra S.L.", "tax_id": "12345678", "country": "PT"})]


def test_xlsx_typed_numbers_and_dates_are_not_read_again_as_text(personas):
    account = personas.account
    data = workbook(["account_tax_id", "month", "revenue", "cost_of_goods"],
                    [account.tax_id, datetime.datetime(2026, 1, 1), 12500, 12.5],
                    [account.tax_id, "2026-02", 1234.56, 0])
    # The stated convention is a decimal point: typed cells do not care.
    result = run("financials", data, personas.lead, conventions=imports.Conventions(decimal=".", dates="mdy"))
    assert result.ok, result.errors
    january = FinancialRecord.objects.get(account=account, month="2026-01-01")
    assert (january.revenue, january.cost_of_goods) == (Decimal("12500.00"), Decimal("12.50"))
    assert FinancialRecord.objects.get(account=account, month="2026-02-01").revenue == Decimal("1234.56")


def test_stated_conventions_decide_what_12_500_means(personas):
    account = personas.account
    text = f"account_tax_id;month;revenue\n{account.tax_id};25/01/2026;12.500\n".encode()
    result = imports.run_import(kind="financials", data=text, filename="f.csv", actor=personas.lead,
                                conventions=imports.Conventions(decimal=",", dates="dmy"))
    assert result.ok, result.errors
    assert FinancialRecord.objects.get(account=account).revenue == Decimal("12500")
    text = f'account_tax_id,month,revenue\n{account.tax_id},01/25/2026,"1,234.5"\n'.encode()
    result = imports.run_import(kind="financials", data=text, filename="f.csv", actor=personas.lead,
                                conventions=imports.Conventions(decimal=",", dates="dmy"))
    assert [e.line for e in result.errors] == [2]
    assert "not a number written with a decimal comma" in " ".join(result.errors[0].messages)
    assert "Month" in " ".join(result.errors[0].messages)


def test_accounts_match_by_customer_number_first(personas):
    kept = AccountFactory(name="Vieja Razón S.A.", tax_id="B10000001", customer_number="C-1")
    data = workbook(["customer_number", "name", "tax_id", "country", "industry"],
                    ["C-1", "Nueva Razón S.A.", "B10000001", "España", "Minería"],
                    ["C-2", "Cliente Nuevo S.L.", "", "Portugal", "steel"])
    result = run("accounts", data, personas.lead)
    assert result.ok, result.errors
    kept.refresh_from_db()
    assert (kept.name, kept.industry) == ("Nueva Razón S.A.", "mining")
    new = Account.objects.get(customer_number="C-2")
    assert (new.country, new.industry) == ("PT", "steel")


def test_financials_by_account_customer_number(personas):
    AccountFactory(customer_number="ERP-7")
    text = b"account_customer_number;month;revenue\nERP-7;2026-01;10\n"
    result = imports.run_import(kind="financials", data=text, filename="f.csv", actor=personas.lead)
    assert result.ok, result.errors
    assert FinancialRecord.objects.get(account__customer_number="ERP-7").revenue == Decimal("10")


def test_duplicated_customer_numbers_and_clashing_keys_are_refused(personas):
    AccountFactory(tax_id="B20000001", customer_number="C-9")
    AccountFactory(tax_id="B20000002")
    text = ("customer_number;name;tax_id\n"
            "C-5;Uno S.A.;\n"
            "C-5;Dos S.A.;\n"             # line 3: the same customer number as line 2
            "C-9;Tres S.A.;B20000002\n")  # line 4: number of one account, tax id of another
    result = imports.run_import(kind="accounts", data=text.encode(), filename="a.csv", actor=personas.lead)
    by_line = {e.line: " ".join(e.messages) for e in result.errors}
    assert set(by_line) == {3, 4}
    assert "line 2" in by_line[3]
    assert "two different accounts" in by_line[4]
    assert not Account.objects.filter(customer_number="C-5").exists()


def test_financials_before_accounts_keep_a_bounded_list_of_identical_errors(personas):
    lines = "".join(f"X{i:08d};2026-01;10\n" for i in range(reading.MAX_KEPT_ERRORS + 500))
    result = imports.run_import(kind="financials", data=("account_tax_id;month;revenue\n" + lines).encode(),
                                filename="f.csv", actor=personas.lead)
    assert not result.ok
    assert len(result.errors) == reading.MAX_KEPT_ERRORS
    assert result.error_count == reading.MAX_KEPT_ERRORS + 500 and result.errors_not_kept == 500
    assert len({m for e in result.errors for m in e.messages}) == 1  # one cause, one message to group by


@pytest.mark.parametrize("data, filename, fragment", [
    ("name;country\nFundición;ES\n".encode("utf-16"), "a.csv", "UTF-16"),
    ("name;country\nFundición Peñarroya;ES\n".encode("latin-1"), "a.csv", "line 2"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "a.xlsx", "not a valid Excel workbook"),
    (b"PK\x03\x04garbage that claims to be a zip", "a.xlsx", "not a valid Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", "Only CSV and Excel .xlsx"),
    (b"name\nx\n", "a.ods", "Only CSV and Excel .xlsx"),
    (b"name;name\nx;y\n", "a.csv", "names a column twice"),
])
def test_bad_files_get_a_clear_message(personas, data, filename, fragment):
    result = run("accounts", data, personas.lead, filename=filename)
    assert fragment in result.file_error
    assert not Account.objects.filter(name__startswith="Fundición").exists()


def test_a_workbook_missing_columns_is_refused(personas):
    result = run("financials", workbook(["month", "revenue"], ["2026-01", 1]), personas.lead)
    assert "Missing columns" in result.file_error and "account_customer_number" in result.file_error


def test_a_zip_bomb_is_refused_before_it_is_expanded(personas, monkeypatch):
    """A sheet that declares more than the bound is refused from the archive's directory alone."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (2 * 1024 * 1024))
    monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    result = run("accounts", out.getvalue(), personas.lead)
    assert "expands to more than 1 MB" in result.file_error
    assert not opened


def test_a_workbook_of_many_entries_is_refused(personas):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(xlsx.MAX_ENTRIES + 1):
            archive.writestr(f"x/{i}.xml", "")
    assert "expands to more than" in run("accounts", out.getvalue(), personas.lead).file_error


def test_xlsx_rows_over_the_limit_are_refused_at_the_limit(personas, monkeypatch):
    monkeypatch.setitem(imports.MAX_ROWS, "accounts", 3)
    data = workbook(["name"], *[[f"Cuenta {i}"] for i in range(10)])
    assert "more than 3 rows" in run("accounts", data, personas.lead).file_error
    assert not Account.objects.filter(name__startswith="Cuenta ").exists()


def test_xlsx_values_over_the_csv_bound_are_refused(personas, monkeypatch):
    monkeypatch.setattr(reading, "FIELD_SIZE_LIMIT", 2048)  # Excel itself stops a cell at 32,767 characters
    data = workbook(["name", "region"], ["Buena S.A.", "x" * 2049])
    assert "Line 2 has a value longer than" in run("accounts", data, personas.lead).file_error


def test_xlsx_nul_and_stray_values_past_the_header(personas):
    result = run("accounts", workbook(["name"], ["Buena S.A."], ["Mala", "sobra"]), personas.lead)
    assert [e.line for e in result.errors] == [3]
    assert "More values than columns" in result.errors[0].messages[0]


def test_formula_cells_import_as_their_value_and_text_formulas_are_neutralised_on_export(personas):
    book = openpyxl.Workbook()
    book.active.append(["name", "region"])
    book.active.append(["=HYPERLINK(\"http://x\",\"Cliente\")", "Norte"])
    out = io.BytesIO()
    book.save(out)
    # Never computed by a spreadsheet: the formula has no value, so the name is missing, not the formula.
    result = run("accounts", out.getvalue(), personas.lead)
    assert "The name is missing." in result.errors[0].messages
    csv_text = b'name;region\n"=HYPERLINK(""http://x"";""C"")";Norte\n'
    assert imports.run_import(kind="accounts", data=csv_text, filename="a.csv", actor=personas.lead).ok
    account = Account.objects.get(region="Norte")
    assert list(imports.export_rows(Account.objects.filter(pk=account.pk)))[1][0].startswith("'=")


# Whole files as each spreadsheet saves them, read with the conventions the file proposes.
EXPORTS = {
    # Excel in Spanish, "CSV UTF-8 (delimitado por comas)": semicolons, decimal comma, day first.
    "excel_es": ("\ufeffaccount_tax_id;month;revenue;cost_of_goods;cost_to_serve\n"
                 "{tax};01/2026;12.500;1.234,56;0\n{tax};15/02/2026;1.234,5 €;700;50,25\n"),
    # LibreOffice in Spanish: thousands with a non-breaking space, month as a full date.
    "libreoffice_es": ("account_tax_id;month;revenue;cost_of_goods;cost_to_serve\n"
                       "{tax};2026-01-01;12\u00a0500,00;1\u00a0234,56;0,00\n{tax};28/02/2026;1\u00a0234,50;700,00;50,25\n"),
    # Excel in English: commas, quoted thousands, month first.
    "excel_en": ('account_tax_id,month,revenue,cost_of_goods,cost_to_serve\n'
                 '{tax},2026-01,"12,500.00","1,234.56",0\n{tax},02/15/2026,"$1,234.50",700,50.25\n'),
    # Google Sheets CSV download: commas, plain numbers.
    "google_sheets": ("account_tax_id,month,revenue,cost_of_goods,cost_to_serve\n"
                      "{tax},2026-01,12500,1234.56,0\n{tax},2026-02,1234.5,700,50.25\n"),
}


@pytest.mark.parametrize("flavour", sorted(EXPORTS))
def test_whole_files_as_spreadsheets_save_them(personas, flavour):
    account = personas.account
    data = EXPORTS[flavour].format(tax=account.tax_id).encode()
    header, rows = imports.read_table(data, filename="f.csv", max_rows=10)
    result = imports.run_import(kind="financials", data=data, filename="f.csv", actor=personas.lead,
                                conventions=imports.propose_conventions(header, rows))
    assert result.ok, result.errors
    january, february = FinancialRecord.objects.filter(account=account).order_by("month")
    assert (january.revenue, january.cost_of_goods) == (Decimal("12500"), Decimal("1234.56"))
    assert (february.month, february.revenue, february.cost_to_serve) == (
        datetime.date(2026, 2, 1), Decimal("1234.5"), Decimal("50.25"))
