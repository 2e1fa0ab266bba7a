"""CSV imports fed malformed files get a clear message or a clean import, never a server error and
never half an import; the export neutralises cells a spreadsheet would run as formulas."""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.models import Account, FinancialRecord
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(personas, import_flow):
    try:
        reverse("accounts:imports")
    except NoReverseMatch:
        pytest.skip("imports not installed")
    return import_flow(client_for(personas.lead))


def _upload(flow, kind, content: bytes, name="datos.csv"):
    """The whole flow: upload, and confirm when the check found no error. The last page shown."""
    response = flow.upload(kind, content, name)
    if 'data-testid="import-confirm"' in response.content.decode():
        response = flow.confirm()
    return response


def _imported(response) -> bool:
    return 'data-testid="import-done"' in response.content.decode()


def _nothing_imported(response, *, before):
    assert response.status_code == 200
    body = response.content.decode()
    # The check's error list, the file's error, or the upload form's field error.
    assert ('data-testid="import-errors"' in body or 'data-testid="import-file-error"' in body
            or "invalid-feedback" in body)
    assert not _imported(response)
    assert Account.objects.count() == before


def test_wrong_encoding_is_refused_with_a_clear_message(lead_client):
    before = Account.objects.count()
    content = "name;tax_id;country\nFundición Peñarroya S.A.;A11111111;ES\n".encode("latin-1")
    response = _upload(lead_client, "accounts", content)
    _nothing_imported(response, before=before)
    assert "UTF-8" in response.content.decode()


@pytest.mark.parametrize("content, fragment", [
    (b"tax_id;country\nA11111111;ES\n", "Missing columns"),
    (b"", "empty"),
    (b"name;tax_id\n", "no rows"),
    (b"\x00\x01\x02\xff\xfe binary \x00", "UTF-8"),
])
def test_malformed_files_get_a_message_and_import_nothing(lead_client, content, fragment):
    before = Account.objects.count()
    response = _upload(lead_client, "accounts", content)
    _nothing_imported(response, before=before)
    assert fragment in response.content.decode()


def test_one_bad_row_means_nothing_is_imported_and_the_line_is_named(lead_client):
    before = Account.objects.count()
    content = (b"name;tax_id;country;kam_email\n"
               b"Aceros Uno S.A.;A20000001;ES;\n"
               b"Aceros Dos S.A.;A20000002;ES;nadie@ninguna-parte.example\n"
               b"Aceros Tres S.A.;A20000003;ES;\n")
    response = _upload(lead_client, "accounts", content)
    _nothing_imported(response, before=before)
    body = response.content.decode()
    assert "<td>3</td>" in body  # the bad row's line (the header is line 1)
    assert not Account.objects.filter(tax_id__in=["A20000001", "A20000003"]).exists()


def test_a_row_with_more_values_than_columns_is_reported(lead_client):
    before = Account.objects.count()
    response = _upload(lead_client, "accounts", b"name;country\nUno;ES;extra;mas\n")
    _nothing_imported(response, before=before)


def test_formula_injection_is_stored_as_text_and_neutralised_on_export(lead_client, personas):
    payloads = ["=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                "@SUM(1+1)*cmd|' /C calc'!A0"]
    rows = "".join(f"{p};B3000000{i};ES\n" for i, p in enumerate(payloads))
    response = _upload(lead_client, "accounts", ("name;tax_id;country\n" + rows).encode())
    if _imported(response):
        stored = set(Account.objects.filter(tax_id__startswith="B3000000").values_list("name", flat=True))
        assert stored == set(payloads)  # kept verbatim: it is the client's name as written
    else:
        # Refused is acceptable too, as long as it is a clear, whole refusal.
        _nothing_imported(response, before=Account.objects.count())
        for i, p in enumerate(payloads):
            Account.objects.create(name=p, tax_id=f"B3000000{i}", country="ES", tier="standard")

    export = lead_client.get(reverse("accounts:export"))
    assert export.status_code == 200
    text = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert cells, "empty export"
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
    for p in payloads:
        assert "'" + p in cells


@pytest.mark.slow
def test_fifty_thousand_rows_import_completely_or_are_refused_clearly(lead_client):
    before = Account.objects.count()
    lines = ["name;tax_id;country;industry"]
    lines += [f"Cliente Masivo {i:05d} S.L.;C{i:08d};ES;retail" for i in range(50_000)]
    content = ("\n".join(lines) + "\n").encode()
    started = time.monotonic()
    response = _upload(lead_client, "accounts", content, name="masivo.csv")
    elapsed = time.monotonic() - started
    after = Account.objects.count()
    if _imported(response):
        assert after == before + 50_000
        assert Account.objects.filter(tax_id="C00049999", name="Cliente Masivo 49999 S.L.").exists()
    else:
        _nothing_imported(response, before=before)
    assert elapsed < 300, f"the import took {elapsed:.0f} s"


def test_fifty_thousand_bad_rows_are_listed_without_failing(lead_client):
    """Every row wrong (unknown KAM): a refusal with per-row errors, not a crash or a timeout."""
    before = Account.objects.count()
    lines = ["name;tax_id;country;kam_email"]
    lines += [f"Cliente {i};D{i:08d};ES;desconocido{i}@x.example" for i in range(50_000)]
    response = _upload(lead_client, "accounts", ("\n".join(lines) + "\n").encode())
    _nothing_imported(response, before=before)


def test_financials_with_bad_numbers_and_months_are_refused_per_row(lead_client, personas):
    account = personas.account
    account.tax_id = "A99999999"
    account.save()
    before = FinancialRecord.objects.count()
    content = ("account_tax_id;month;revenue;cost_of_goods\n"
               "A99999999;2026-01;1.234,56;100\n"
               "A99999999;2026-13;100;0\n"
               "A99999999;2026-02;1e309;0\n"
               "A99999999;2026-03;-99999999999999999999999999;0\n"
               "A99999999;mañana;abc;0\n").encode()
    response = _upload(lead_client, "financials", content)
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in response.content.decode()
    assert FinancialRecord.objects.count() == before


# --- Limits: each refused with a clear message and the line, nothing written -------------------------
@pytest.mark.parametrize("content, fragment", [
    # A value over the csv module's 128 KB field limit, on line 3.
    (b"name;tax_id;country\nUno S.A.;A40000001;ES\n" + b"x" * (200 * 1024) + b";A40000002;ES\n", "Line 3"),
    # An unclosed quote makes the rest of the file one value.
    (b'name;tax_id;country\n"Uno S.A.;A40000001;ES\n' + b"Dos S.A.;A40000002;ES\n" * 20_000, "Line 2"),
    # NUL bytes, which PostgreSQL refuses in any text.
    (b"name;tax_id;country\nUno S.A.;A40000001;ES\nDos\x00S.A.;A40000002;ES\n", "Line 3"),
    (b"name;tax_id;country\x00\nUno S.A.;A40000001;ES\n", "Line 1"),
])
def test_an_oversized_value_or_a_nul_byte_is_refused_with_its_line(lead_client, content, fragment):
    before = Account.objects.count()
    response = _upload(lead_client, "accounts", content)
    _nothing_imported(response, before=before)
    body = response.content.decode()
    assert fragment in body
    assert ("NUL character" if b"\x00" in content else "longer than 128 KB") in body


@pytest.mark.parametrize("row, fragment", [
    ("Aceros\u202e.S.A;A40000003;ES", "invisible formatting characters"),
    ("Ace\u200bros S.A.;A40000004;ES", "invisible formatting characters"),
])
def test_invisible_formatting_characters_in_an_imported_name_are_refused(lead_client, row, fragment):
    before = Account.objects.count()
    response = _upload(lead_client, "accounts", f"name;tax_id;country\n{row}\n".encode())
    _nothing_imported(response, before=before)
    assert fragment in response.content.decode()


def test_contacts_with_a_megabyte_of_notes_or_a_year_one_date_are_refused(lead_client, personas):
    from accounts.models import Contact

    account = personas.account
    account.tax_id = "A99999998"
    account.save()
    before = Contact.objects.count()
    content = ("name;account_tax_id;notes;last_contact_date\n"
               f"Luis Gómez;A99999998;{'x' * 100_000};2026-01-10\n"
               "Ana Ruiz;A99999998;;0001-01-01\n").encode()
    response = _upload(lead_client, "contacts", content)
    assert response.status_code == 200
    body = response.content.decode()
    assert "at most 10000 characters" in body
    assert "between 1900-01-01 and 2100-12-31" in body
    assert Contact.objects.count() == before


def test_financials_dated_year_one_are_refused(lead_client, personas):
    account = personas.account
    account.tax_id = "A99999997"
    account.save()
    before = FinancialRecord.objects.count()
    response = _upload(lead_client, "financials", b"account_tax_id;month;revenue\nA99999997;0001-01;100\n")
    assert response.status_code == 200
    assert "between 1900-01-01 and 2100-12-31" in response.content.decode()
    assert FinancialRecord.objects.count() == before


def test_millions_of_rows_are_refused_at_the_limit_without_being_parsed_whole(lead_client, monkeypatch):
    """4.9 million one-character rows fit in 10 MB: the reading stops at the first row past the limit."""
    from accounts import imports
    from accounts.imports import reading

    parsed = []
    real_reader = reading.csv.reader

    class CountingReader:
        def __init__(self, *args, **kwargs):
            self.reader = real_reader(*args, **kwargs)

        def __iter__(self):
            return self

        def __next__(self):
            row = next(self.reader)
            parsed.append(1)
            return row

        @property
        def line_num(self):
            return self.reader.line_num

    monkeypatch.setattr(reading.csv, "reader", CountingReader)
    before = Account.objects.count()
    content = b"name\n" + b"x\n" * 4_900_000
    started = time.monotonic()
    response = _upload(lead_client, "accounts", content)
    elapsed = time.monotonic() - started
    _nothing_imported(response, before=before)
    assert f"more than {imports.MAX_ROWS['accounts']:,}".replace(",", "") in response.content.decode().replace(
        ",", "").replace("\u00a0", "").replace(".", "")
    assert len(parsed) <= imports.MAX_ROWS["accounts"] + 2
    assert elapsed < 30, f"refusing took {elapsed:.1f} s"


@pytest.mark.slow
def test_a_hundred_megabyte_upload_is_refused_before_it_is_written_anywhere(lead_client, monkeypatch):
    from django.core.files import uploadhandler

    kept = {"bytes": 0, "temporary_files": 0}
    real_new_file = uploadhandler.TemporaryFileUploadHandler.new_file
    real_memory_chunk = uploadhandler.MemoryFileUploadHandler.receive_data_chunk

    def new_file(self, *args, **kwargs):
        kept["temporary_files"] += 1
        return real_new_file(self, *args, **kwargs)

    def memory_chunk(self, raw_data, start):
        kept["bytes"] += len(raw_data)
        return real_memory_chunk(self, raw_data, start)

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "new_file", new_file)
    monkeypatch.setattr(uploadhandler.MemoryFileUploadHandler, "receive_data_chunk", memory_chunk)
    before = Account.objects.count()
    content = b"name;tax_id;country\n" + b"Cliente Grande S.A.;A50000000;ES\n" * (100 * 1024 * 1024 // 33)
    response = _upload(lead_client, "accounts", content, name="grande.csv")
    _nothing_imported(response, before=before)
    assert "larger than 10 MB" in response.content.decode()
    assert kept == {"bytes": 0, "temporary_files": 0}


def test_an_upload_that_hides_its_size_is_stopped_at_the_limit(lead_client, monkeypatch, settings):
    """A body that does not announce its size (or announces less) is stopped once the limit is passed."""
    from django.core.files import uploadhandler

    from kam import uploads

    settings.KAM_UPLOAD_MAX_BYTES = 64 * 1024
    kept = {"bytes": 0}
    real_chunk = uploadhandler.MemoryFileUploadHandler.receive_data_chunk

    def memory_chunk(self, raw_data, start):
        kept["bytes"] += len(raw_data)
        return real_chunk(self, raw_data, start)

    monkeypatch.setattr(uploadhandler.MemoryFileUploadHandler, "receive_data_chunk", memory_chunk)
    monkeypatch.setattr(uploads.LimitedUploadHandler, "handle_raw_input",
                        lambda self, *args, **kwargs: setattr(self, "announced_too_large", False))
    before = Account.objects.count()
    response = _upload(lead_client, "accounts", b"name\n" + b"Cliente S.A.\n" * 20_000)
    _nothing_imported(response, before=before)
    assert "larger than 0 MB" in response.content.decode() or "larger than" in response.content.decode()
    assert kept["bytes"] <= settings.KAM_UPLOAD_MAX_BYTES


def test_the_size_refusal_is_translated(personas):
    from django.urls import reverse

    client = client_for(personas.lead)
    client.cookies["django_language"] = "es"
    content = b"name\n" + b"Cliente S.A.\n" * (11 * 1024 * 1024 // 13)
    with translation.override("en"):  # the request switches the thread's language: switched back after
        response = client.post(reverse("accounts:imports"), {
            "kind": "accounts", "file": SimpleUploadedFile("x.csv", content, content_type="text/csv")},
            HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "ocupa más de 10 MB" in response.content.decode()
