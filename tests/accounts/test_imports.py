from decimal import Decimal

import pytest

from accounts import imports
from accounts.models import Account, Contact, FinancialRecord
from accounts.signals import financials_imported
from tests.conftest import client_for
from tests.downloads import body, csv_rows
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def run(kind, text, actor, *, bom=False):
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    return imports.run_import(kind=kind, data=data, filename="test.csv", actor=actor)


ACCOUNTS_OK = (
    "name;tax_id;country;industry;kam_email;sponsor_email;region\n"
    "Minera del Sur S.A.;A11111111;ES;mining;kam@example.com;sponsor@example.com;Andalucía\n"
    "Aceros Vascos S.L.;;ES;Steel;;;País Vasco\n"
)


def test_accounts_import_with_bom_and_semicolons_then_reimport_updates(personas):
    result = run("accounts", ACCOUNTS_OK, personas.lead, bom=True)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    minera = Account.objects.get(tax_id="A11111111")
    assert (minera.kam, minera.sponsor, minera.industry) == (personas.kam, personas.sponsor, "mining")
    assert Account.objects.get(name="Aceros Vascos S.L.").industry == "steel"  # label accepted
    again = run("accounts", ACCOUNTS_OK.replace("Andalucía", "Murcia"), personas.lead)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Account.objects.filter(name__in=["Minera del Sur S.A.", "Aceros Vascos S.L."]).count() == 2
    minera.refresh_from_db()
    assert minera.region == "Murcia"


def test_bad_rows_are_reported_by_line_and_nothing_is_written(personas):
    before = Account.objects.count()
    text = (
        "name,tax_id,country,kam_email\n"
        "Buena S.A.,B22222222,ES,kam@example.com\n"      # line 2: fine
        ",B33333333,ES,\n"                               # line 3: missing name
        "Otra S.A.,B44444444,ES,nadie@example.com\n"     # line 4: unknown KAM e-mail
        "Buena S.A.,B22222222,ES,\n"                     # line 5: duplicate of line 2
        "Mala S.A.,B55555555,XX,\n"                      # line 6: no such country
    )
    result = run("accounts", text, personas.lead)
    assert not result.ok
    by_line = {e.line: " ".join(e.messages) for e in result.errors}
    assert set(by_line) == {3, 4, 5, 6}
    assert "name is missing" in by_line[3]
    assert "Unknown KAM e-mail" in by_line[4] and "nadie@example.com" in by_line[4]
    assert "Duplicate row" in by_line[5] and "line 2" in by_line[5]
    assert "“XX” is not an ISO 3166 code" in by_line[6]
    assert Account.objects.count() == before


def test_sponsor_email_of_a_kam_is_rejected(personas):
    result = run("accounts", "name,sponsor_email\nX S.A.,kam@example.com\n", personas.lead)
    assert not result.ok and "sponsor" in result.errors[0].messages[0]


def test_financials_import_bad_number_writes_nothing_then_good_file_writes_and_signals(
        personas, django_capture_on_commit_callbacks):
    account = personas.account
    bad = (
        "account_tax_id;month;revenue;cost_of_goods;cost_to_serve\n"
        f"{account.tax_id};2026-01;1.234,56;700;50\n"
        f"{account.tax_id};2026-02;mil;700;50\n"           # line 3: bad number
        f"{account.tax_id};2026-01;10;1;1\n"                # line 4: duplicate month
        "X99999999;2026-03;10;1;1\n"                         # line 5: unknown account
        f"{account.tax_id};13/2026;10;1;1\n"                # line 6: bad month
    )
    result = run("financials", bad, personas.lead)
    assert {e.line for e in result.errors} == {3, 4, 5, 6}
    assert "“mil”: not a number" in result.errors[0].messages[0]
    assert not FinancialRecord.objects.exists()

    received = []
    financials_imported.connect(lambda sender, account_ids, **kw: received.append(account_ids), weak=False,
                                dispatch_uid="test-import")
    try:
        good = ("account_tax_id;month;revenue;cost_of_goods;cost_to_serve\n"
                f"{account.tax_id};2026-01;1.234,56;700;50\n"
                f"{account.tax_id};2026-02;2000,5;700;50\n")
        with django_capture_on_commit_callbacks(execute=True):  # the signal goes once the import commits
            result = run("financials", good, personas.lead)
        assert result.ok and result.created == 2
        assert FinancialRecord.objects.get(month="2026-01-01").revenue == Decimal("1234.56")
        with django_capture_on_commit_callbacks(execute=True):
            again = run("financials", good.replace("2000,5", "2100"), personas.lead)
        assert (again.created, again.updated, again.unchanged, again.overwritten) == (0, 1, 1, 1)
        assert FinancialRecord.objects.get(month="2026-02-01").revenue == Decimal("2100.00")
    finally:
        financials_imported.disconnect(dispatch_uid="test-import")
    assert received == [[account.pk], [account.pk]]
    account.refresh_from_db()
    assert account.pareto_class  # revenue_recompute ran


def test_contacts_import_by_account_name_and_country_with_reports_to(personas):
    AccountFactory(name="Lácteos del Norte S.A.", tax_id="", country="ES")
    text = ("account_name,account_country,name,email,position,reports_to_email,attitude,influence\n"
            "Lácteos del Norte S.A.,ES,Ana Jefa,ana@lacteos.example,CEO,,champion,3\n"
            "Lácteos del Norte S.A.,ES,Luis Compras,luis@lacteos.example,Compras,ana@lacteos.example,sceptic,2\n")
    result = run("contacts", text, personas.lead)
    assert result.ok, result.errors
    luis = Contact.objects.get(email="luis@lacteos.example")
    assert luis.reports_to.name == "Ana Jefa" and luis.attitude == "sceptic"
    again = run("contacts", text, personas.lead)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Contact.objects.filter(account__name="Lácteos del Norte S.A.").count() == 2


def test_missing_columns_and_non_utf8_are_file_errors(personas):
    assert "Missing columns" in run("financials", "account_tax_id;revenue\nX;1\n", personas.lead).file_error
    latin1 = imports.run_import(kind="accounts", data="name\nCañas S.A.\n".encode("latin-1"), filename="x.csv",
                                actor=personas.lead)
    assert "UTF-8" in latin1.file_error


def test_import_page_shows_the_per_row_report(personas, import_flow):
    response = import_flow(client_for(personas.lead)).upload("accounts", b"name;tax_id\n;A1\n")
    assert response.status_code == 200
    assert b"cannot be imported as it is" in response.content and b"name is missing" in response.content
    assert b'data-testid="import-confirm"' not in response.content


def test_export_neutralises_formulas_and_round_trips(personas):
    AccountFactory(name="=HYPERLINK(\"http://x\")", tax_id="C12345678", kam=personas.kam)
    response = client_for(personas.lead).get("/accounts/export.csv")
    assert response.status_code == 200
    data = body(response)
    rows = csv_rows(data)
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names
    assert rows[0][:2] == ["name", "tax_id"]
    # The export is a valid import file: importing it back updates, creating nothing.
    result = imports.run_import(kind="accounts", data=data, filename="export.csv", actor=personas.lead)
    assert result.ok, result.errors
    assert result.created == 0


def test_export_is_scoped_to_what_the_user_sees(personas):
    text = body(client_for(personas.teammate).get("/accounts/export.csv")).decode("utf-8-sig")
    assert personas.account.name in text and personas.other_account.name not in text


def test_a_file_beyond_the_row_limit_is_refused_whole(personas, monkeypatch):
    monkeypatch.setitem(imports.MAX_ROWS, "accounts", 3)
    text = "name\n" + "".join(f"Cliente {i} S.L.\n" for i in range(4))
    result = run("accounts", text, personas.lead)
    assert "at most 3" in result.file_error
    assert not Account.objects.filter(name__startswith="Cliente ").exists()
