"""Downloads of the account list and of monthly financials: their content in CSV and XLSX, the list's
filters, what each reader may see, and a query count that does not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts import imports, services
from accounts.exports import ACCOUNT_COLUMNS, FINANCIAL_COLUMNS
from accounts.models import Account, FinancialRecord
from tests.conftest import client_for
from tests.downloads import body, csv_rows, xlsx_sheets
from tests.factories import AccountFactory, FinancialRecordFactory, TeamMemberFactory, UserFactory, department

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


@pytest.fixture
def books(personas):
    """Figures on both accounts, and a person who reads one account's figures and not the other's:
    operations on the personas' account, finance on the other."""
    FinancialRecordFactory(account=personas.account, month=JAN, revenue=Decimal("12500.50"))
    FinancialRecordFactory(account=personas.account, month=FEB, revenue=Decimal("8000.00"))
    FinancialRecordFactory(account=personas.other_account, month=JAN, revenue=Decimal("999.00"))
    services.revenue_recompute()
    mixed = UserFactory(username="mixed")
    TeamMemberFactory(account=personas.account, user=mixed, department=department("operations"))
    TeamMemberFactory(account=personas.other_account, user=mixed, department=department("finance"))
    personas.mixed = mixed
    return personas


def _by_name(rows, header):
    return {r[header.index("name")]: dict(zip(header, r, strict=False)) for r in rows}


def test_account_columns_are_the_imports():
    assert ACCOUNT_COLUMNS == imports.EXPORT_HEADER


def test_account_csv_and_xlsx_hold_the_same_rows_with_formulas_neutralised(books):
    AccountFactory(name="=cmd|' /C calc'!A0", tax_id="B99999999", tier="key")
    lead = client_for(books.lead)
    header, *rows = csv_rows(lead.get(reverse("accounts:export")))
    assert header == ACCOUNT_COLUMNS
    csv_by_name = _by_name(rows, header)
    row = csv_by_name[books.account.name]
    assert row["tax_id"] == books.account.tax_id and row["kam_email"] == books.kam.email
    assert row["tier"] == "key" and row["revenue_12m"] == "20500.50"
    assert "'=cmd|' /C calc'!A0" in csv_by_name

    sheets = xlsx_sheets(lead.get(reverse("accounts:export_xlsx")))
    (header, *rows), = sheets.values()
    assert list(header) == ACCOUNT_COLUMNS
    xlsx_by_name = _by_name(rows, list(header))
    assert xlsx_by_name[books.account.name]["revenue_12m"] == pytest.approx(20500.50)  # a number, not text
    assert "'=cmd|' /C calc'!A0" in xlsx_by_name
    assert set(xlsx_by_name) == set(csv_by_name)


@pytest.mark.parametrize("fmt", ["export", "export_xlsx"])
def test_account_download_follows_the_lists_filters_and_sort(books, fmt):
    AccountFactory(name="Aceros del Sur S.L.", tier="standard")
    lead = client_for(books.lead)

    def names(query):
        response = lead.get(reverse(f"accounts:{fmt}") + query)
        rows = csv_rows(response)[1:] if fmt == "export" else list(xlsx_sheets(response).values())[0][1:]
        return [r[0] for r in rows]

    assert names("?q=Aceros&tier=key") == [books.account.name]
    assert names("?q=Aceros") == ["Aceros del Norte S.A.", "Aceros del Sur S.L."]
    assert names("?sort=-revenue")[:2] == [books.account.name, books.other_account.name]
    # The list's page number is no filter of the download.
    assert names("?q=Aceros&page=7") == names("?q=Aceros")


def test_account_download_is_scoped_and_hides_figures_row_by_row(books):
    header, *rows = csv_rows(client_for(books.mixed).get(reverse("accounts:export")))
    by_name = _by_name(rows, header)
    assert set(by_name) == {books.account.name, books.other_account.name}
    assert by_name[books.account.name]["revenue_12m"] == ""
    assert by_name[books.other_account.name]["revenue_12m"] == "999.00"
    header, *rows = csv_rows(client_for(books.kam).get(reverse("accounts:export")))
    assert set(_by_name(rows, header)) == {books.account.name}


def test_financials_of_the_list_one_row_per_account_month(books):
    header, *rows = csv_rows(client_for(books.lead).get(reverse("accounts:financials_export")))
    assert header == FINANCIAL_COLUMNS
    assert [(r[1], r[3], r[4]) for r in rows] == [
        (books.account.name, "2026-01-01", "12500.50"), (books.account.name, "2026-02-01", "8000.00"),
        (books.other_account.name, "2026-01-01", "999.00")]
    filtered = csv_rows(client_for(books.lead).get(reverse("accounts:financials_export") + "?tier=standard"))
    assert [r[1] for r in filtered[1:]] == [books.other_account.name]


def test_financials_of_the_list_only_where_the_reader_sees_figures(books):
    rows = csv_rows(client_for(books.mixed).get(reverse("accounts:financials_export")))[1:]
    assert [r[1] for r in rows] == [books.other_account.name]
    sheets = xlsx_sheets(client_for(books.kam).get(reverse("accounts:financials_export_xlsx")))
    (header, *rows), = sheets.values()
    assert [r[1] for r in rows] == [books.account.name] * 2
    assert rows[0][3] == datetime.datetime(2026, 1, 1) and rows[0][4] == pytest.approx(12500.50)


def test_an_accounts_financials_download_is_its_months_newest_first(books):
    url = reverse("accounts:account_financials_export", args=[books.account.pk])
    rows = csv_rows(client_for(books.teammate).get(url))[1:]
    assert [(r[3], r[4]) for r in rows] == [("2026-02-01", "8000.00"), ("2026-01-01", "12500.50")]
    url = reverse("accounts:account_financials_export_xlsx", args=[books.account.pk])
    (header, *rows), = xlsx_sheets(client_for(books.teammate).get(url)).values()
    assert rows[0][:3] == (books.account.tax_id, books.account.name, "ES")
    # Who may not open the financials page may not download them either.
    assert client_for(books.mixed).get(url).status_code == 403


def test_financials_import_reads_the_download_back_unchanged(books):
    data = body(client_for(books.lead).get(reverse("accounts:financials_export")))
    result = imports.run_import(kind="financials", data=data, filename="f.csv", actor=books.lead)
    assert result.ok, result.errors
    assert FinancialRecord.objects.get(account=books.account, month=JAN).revenue == Decimal("12500.50")


def test_buttons_in_both_languages_and_financials_only_for_who_reads_figures(books):
    lead = client_for(books.lead)
    english = lead.get(reverse("accounts:list")).content.decode()
    assert "Download the accounts" in english and 'data-testid="export-financials-xlsx"' in english
    with translation.override("en"):
        spanish = lead.get(reverse("accounts:list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Descargar las cuentas" in spanish and "Descargar sus cifras mensuales" in spanish
    assert "Descargar en Excel" in spanish
    operator = client_for(books.operator).get(reverse("accounts:list")).content.decode()
    assert 'data-testid="export-accounts-csv"' in operator and "export-financials" not in operator
    page = lead.get(reverse("accounts:financials", args=[books.account.pk])).content.decode()
    assert reverse("accounts:account_financials_export_xlsx", args=[books.account.pk]) in page


def _queries(client, url) -> int:
    client.get(url)  # warm what is cached per process
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        body(response)
    return len(ctx.captured_queries)


def _many(personas, n, start=0):
    accounts = Account.objects.bulk_create(
        Account(name=f"Cuenta {i:05d} S.A.", tax_id=f"Q{i:08d}", kam=personas.kam) for i in range(start, start + n))
    FinancialRecord.objects.bulk_create(FinancialRecord(account=a, month=JAN, revenue=Decimal(i))
                                        for i, a in enumerate(accounts))


def test_download_queries_do_not_grow_with_the_rows(personas):
    urls = [reverse(n) for n in ("accounts:export", "accounts:export_xlsx", "accounts:financials_export",
                                 "accounts:financials_export_xlsx")]
    urls += [reverse("accounts:account_financials_export", args=[personas.account.pk])]
    clients = {"lead": client_for(personas.lead), "kam": client_for(personas.kam)}
    _many(personas, 3)
    FinancialRecordFactory(account=personas.account, month=JAN)
    small = {(p, u): _queries(c, u) for p, c in clients.items() for u in urls}
    _many(personas, 2500, start=3)  # more than a chunk of the iterator
    FinancialRecord.objects.bulk_create(FinancialRecord(account=personas.account, month=datetime.date(2000 + i % 25,
                                        i // 25 + 1, 1)) for i in range(300))
    large = {(p, u): _queries(c, u) for p, c in clients.items() for u in urls}
    assert large == small
    assert max(small.values()) <= 12


def test_a_download_over_the_bound_is_a_clear_400(books, monkeypatch):
    from kam import exports

    monkeypatch.setitem(exports.MAX_ROWS, "xlsx", 1)
    response = client_for(books.lead).get(reverse("accounts:financials_export_xlsx"))
    assert response.status_code == 400
    assert "more than 1 rows. Narrow the filters" in response.content.decode()
    assert client_for(books.lead).get(reverse("accounts:financials_export")).status_code == 200
