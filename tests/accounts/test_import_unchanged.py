"""A confirmed import whose check found nothing to write ends without planning the file again, unless
something the check compared has changed since: then it is planned and written as any import."""

import datetime
from decimal import Decimal

import pytest

from accounts import imports, services
from accounts.models import Account, FinancialRecord, ImportJob, ImportStatus
from kam import versioning
from kam.roles import KAM
from tests.factories import UserFactory

ACCOUNTS = (b"name;tax_id;country;industry;kam_email\n"
            b"Minera del Sur S.A.;A11111111;ES;mining;kam@example.com\n"
            b"Aceros Vascos S.L.;B22222222;ES;steel;\n")


def _month() -> datetime.date:
    first = datetime.date.today().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _financials() -> bytes:
    return (f"account_tax_id;month;revenue;cost_of_goods;cost_to_serve\n"
            f"A11111111;{_month():%Y-%m};1000.00;600.00;50.00\n").encode()


def _import(lead, content: bytes, kind: str = "accounts") -> ImportJob:
    """Checked, confirmed and run in line, as the worker would."""
    job = ImportJob.objects.create(kind=kind, filename="datos.csv", data=content, size=len(content),
                                   created_by=lead, decimal=".", dates="ymd")
    job = services.import_job_preview(job_id=job.pk)
    services.import_job_confirm(actor=lead, job=job)
    return job


def _checked(lead, content: bytes, kind: str) -> ImportJob:
    job = ImportJob.objects.create(kind=kind, filename="datos.csv", data=content, size=len(content),
                                   created_by=lead, decimal=".", dates="ymd")
    return services.import_job_preview(job_id=job.pk)


def _run(job: ImportJob) -> ImportJob:
    return services.import_job_run(job_id=job.pk)


@pytest.fixture
def planning_counted(monkeypatch):
    """How many times the import plans a file for writing (the check's dry runs are not counted)."""
    calls = []
    real = imports.run_import

    def counted(**kwargs):
        if not kwargs.get("dry_run"):
            calls.append(kwargs["kind"])
        return real(**kwargs)

    monkeypatch.setattr(imports, "run_import", counted)
    return calls


@pytest.fixture
def kam_with_address(personas):
    personas.kam.email = "kam@example.com"
    personas.kam.save()
    return personas.kam


@pytest.mark.django_db
def test_an_unchanged_file_is_done_from_its_check_without_a_second_planning(personas, kam_with_address,
                                                                            planning_counted):
    assert _run(_import(personas.lead, ACCOUNTS)).status == ImportStatus.DONE
    assert planning_counted == ["accounts"]
    history = Account.history.count()

    job = _run(_import(personas.lead, ACCOUNTS))
    assert job.status == ImportStatus.DONE
    assert planning_counted == ["accounts"], "the unchanged file was planned a second time"
    assert job.result["unchanged"] == 2 and job.result["created"] == job.result["updated"] == 0
    assert job.rows_done == job.rows_total == 2
    assert Account.history.count() == history


@pytest.mark.django_db
def test_an_edit_after_the_check_makes_the_import_plan_and_write_again(personas, kam_with_address,
                                                                       planning_counted):
    _run(_import(personas.lead, ACCOUNTS))
    job = _import(personas.lead, ACCOUNTS)  # checked: nothing to write
    account = Account.objects.get(tax_id="B22222222")
    services.account_update(actor=personas.lead, account=account, expected_version=versioning.CURRENT,
                            industry="chemicals")

    job = _run(job)
    assert job.status == ImportStatus.DONE and planning_counted == ["accounts", "accounts"]
    assert Account.objects.get(tax_id="B22222222").industry == "steel", "the file's value was not written back"


@pytest.mark.django_db
def test_a_person_renamed_after_the_check_makes_the_import_plan_again(personas, kam_with_address, planning_counted):
    _run(_import(personas.lead, ACCOUNTS))
    job = _import(personas.lead, ACCOUNTS)
    kam_with_address.email = "ana.garcia@example.com"
    kam_with_address.save()
    successor = UserFactory(username="successor", email="kam@example.com", roles=[KAM])

    job = _run(job)
    assert job.status == ImportStatus.DONE and len(planning_counted) == 2
    assert Account.objects.get(tax_id="A11111111").kam == successor


@pytest.mark.django_db
def test_financials_unchanged_are_done_from_the_check_and_a_corrected_month_is_written_back(
        personas, kam_with_address, planning_counted):
    _run(_import(personas.lead, ACCOUNTS))
    assert _run(_import(personas.lead, _financials(), "financials")).status == ImportStatus.DONE
    history = FinancialRecord.history.count()

    job = _run(_import(personas.lead, _financials(), "financials"))
    assert job.status == ImportStatus.DONE and planning_counted.count("financials") == 1
    assert FinancialRecord.history.count() == history

    job = _import(personas.lead, _financials(), "financials")
    account = Account.objects.get(tax_id="A11111111")
    services.financial_record_save(actor=personas.lead, account=account, month=_month(), revenue=2000,
                                   cost_of_goods=600, cost_to_serve=50)
    job = _run(job)
    assert job.status == ImportStatus.DONE and planning_counted.count("financials") == 2
    assert FinancialRecord.objects.get(account=account, month=_month()).revenue == 1000


@pytest.mark.django_db
def test_the_lead_who_lost_the_role_cannot_finish_an_unchanged_import(personas, kam_with_address):
    _run(_import(personas.lead, ACCOUNTS))
    job = _import(personas.lead, ACCOUNTS)
    personas.lead.is_superuser = False
    personas.lead.save()
    personas.lead.groups.clear()
    job = _run(job)
    assert job.status == ImportStatus.FAILED


@pytest.mark.django_db
def test_financials_are_planned_again_when_an_account_key_changes_but_not_for_other_account_edits(
        personas, kam_with_address, planning_counted):
    _run(_import(personas.lead, ACCOUNTS))
    _run(_import(personas.lead, _financials(), "financials"))
    account = Account.objects.get(tax_id="A11111111")

    job = _import(personas.lead, _financials(), "financials")
    services.account_update(actor=personas.lead, account=account, expected_version=versioning.CURRENT,
                            region="Norte")  # not a key the rows are matched on
    assert _run(job).status == ImportStatus.DONE and planning_counted.count("financials") == 1

    job = _import(personas.lead, _financials(), "financials")
    services.account_update(actor=personas.lead, account=account, expected_version=versioning.CURRENT,
                            tax_id="A99999999")
    job = _run(job)
    # Planned again: the rows' tax id now matches no account, so the import fails whole.
    assert planning_counted.count("financials") == 2 and job.status == ImportStatus.FAILED


@pytest.fixture
def files_read(monkeypatch):
    """The kinds of the files the import reads (the check's reads included)."""
    from accounts.imports import run as import_run

    calls = []
    real = import_run.read_table

    def counted(data, **kwargs):
        calls.append(kwargs["filename"])
        return real(data, **kwargs)

    monkeypatch.setattr(import_run, "read_table", counted)
    return calls


FIGURES = (b"account_tax_id;month;revenue;cost_of_goods\n"
           b"A11111111;%s;1234567.89;0.01\n"
           b"B22222222;%s;0.5;\n")


@pytest.mark.django_db
def test_new_months_are_written_from_the_checked_plan_without_reading_the_file_again(
        personas, kam_with_address, files_read):
    _run(_import(personas.lead, ACCOUNTS))
    month = f"{_month():%Y-%m}".encode()
    job = _import(personas.lead, FIGURES % (month, month), "financials")
    assert job.checked_plan and files_read.count("datos.csv") == 3  # accounts checked and imported, then this
    job = _run(job)
    assert job.status == ImportStatus.DONE and files_read.count("datos.csv") == 3
    assert job.result["created"] == 2 and job.rows_done == 2 and not job.checked_plan
    stored = {(r.account.tax_id, r.revenue, r.cost_of_goods, r.cost_to_serve)
              for r in FinancialRecord.objects.select_related("account")}
    assert stored == {("A11111111", Decimal("1234567.89"), Decimal("0.01"), Decimal("0")),
                      ("B22222222", Decimal("0.50"), Decimal("0"), Decimal("0"))}
    assert FinancialRecord.history.filter(history_type="+").count() == 2


@pytest.mark.django_db
def test_a_checked_plan_is_not_used_once_a_figure_it_compared_has_changed(personas, kam_with_address, files_read):
    _run(_import(personas.lead, ACCOUNTS))
    month = f"{_month():%Y-%m}".encode()
    job = _import(personas.lead, FIGURES % (month, month), "financials")
    account = Account.objects.get(tax_id="B22222222")
    services.financial_record_save(actor=personas.lead, account=account, month=_month(), revenue=7,
                                   cost_of_goods=1, cost_to_serve=1)
    job = _run(job)
    assert job.status == ImportStatus.DONE and files_read.count("datos.csv") == 4  # the file was read again
    assert job.result["created"] == 1 and job.result["updated"] == 1
    assert FinancialRecord.objects.get(account=account).revenue == Decimal("0.50")


# --- Rows a previous import wrote as they are ------------------------------------------------------
@pytest.fixture
def numbers_parsed(monkeypatch):
    from accounts.imports import financials

    calls = []
    real = financials.parse_number

    def counted(raw, **kwargs):
        calls.append(raw)
        return real(raw, **kwargs)

    monkeypatch.setattr(financials, "parse_number", counted)
    return calls


def _figures(*rows: str) -> bytes:
    return ("account_tax_id;month;revenue;cost_of_goods\n" + "".join(f"{r}\n" for r in rows)).encode()


@pytest.mark.django_db
def test_rows_an_import_wrote_as_they_are_are_known_unchanged_without_reading_their_figures(
        personas, kam_with_address, numbers_parsed):
    month = f"{_month():%Y-%m}"
    _run(_import(personas.lead, ACCOUNTS))
    content = _figures(f"A11111111;{month};1000.00;600.00", f"B22222222;{month};1.50;0")
    assert _run(_import(personas.lead, content, "financials")).status == ImportStatus.DONE
    assert FinancialRecord.objects.filter(source_digest__isnull=False).count() == 2
    numbers_parsed.clear()
    history = FinancialRecord.history.count()

    job = _import(personas.lead, content, "financials")
    assert job.preview["unchanged"] == 2 and job.preview["created"] == job.preview["updated"] == 0
    assert numbers_parsed == [], "rows already imported as they are were read again"
    assert _run(job).status == ImportStatus.DONE and FinancialRecord.history.count() == history


@pytest.mark.django_db
def test_a_month_corrected_by_hand_loses_its_digest_and_the_file_writes_it_back(personas, kam_with_address):
    month = f"{_month():%Y-%m}"
    _run(_import(personas.lead, ACCOUNTS))
    content = _figures(f"A11111111;{month};1000.00;600.00", f"B22222222;{month};1.50;0")
    _run(_import(personas.lead, content, "financials"))
    account = Account.objects.get(tax_id="A11111111")
    services.financial_record_save(actor=personas.lead, account=account, month=_month(), revenue=5,
                                   cost_of_goods=600, cost_to_serve=0)
    assert FinancialRecord.objects.get(account=account).source_digest is None

    job = _import(personas.lead, content, "financials")
    assert job.preview["updated"] == 1 and job.preview["unchanged"] == 1
    _run(job)
    record = FinancialRecord.objects.get(account=account)
    assert record.revenue == Decimal("1000.00") and record.source_digest is not None


@pytest.mark.django_db
def test_an_unchanged_row_whose_account_changed_its_tax_id_is_checked_again(personas, kam_with_address):
    month = f"{_month():%Y-%m}"
    _run(_import(personas.lead, ACCOUNTS))
    content = _figures(f"A11111111;{month};1000.00;600.00")
    _run(_import(personas.lead, content, "financials"))
    account = Account.objects.get(tax_id="A11111111")
    services.account_update(actor=personas.lead, account=account, expected_version=versioning.CURRENT,
                            tax_id="A99999999")
    job = _checked(personas.lead, content, "financials")
    assert job.preview["rows_with_errors"] == 1 and "No account matches" in str(job.preview["error_groups"])


@pytest.mark.django_db
def test_a_row_repeated_in_the_file_is_a_duplicate_even_when_both_were_imported_before(personas, kam_with_address):
    month = f"{_month():%Y-%m}"
    _run(_import(personas.lead, ACCOUNTS))
    _run(_import(personas.lead, _figures(f"A11111111;{month};1000.00;600.00"), "financials"))
    job = _checked(personas.lead, _figures(f"A11111111;{month};1000.00;600.00", f"A11111111;{month};1000.00;600.00"),
                   "financials")
    assert job.preview["rows_with_errors"] == 1 and "Duplicate row" in str(job.preview["error_groups"])


def test_a_rows_digest_depends_on_its_columns_conventions_currency_and_typed_cells():
    from accounts.imports.financials import row_digests
    from accounts.imports.values import Cell, Conventions

    row = {"account_tax_id": "A1", "month": "2026-01", "revenue": "12.5"}
    reordered = {"month": "2026-01", "account_tax_id": "A1", "revenue": "12.5"}
    typed = {"account_tax_id": "A1", "month": "2026-01", "revenue": Cell(Decimal("12.5"))}
    point, comma = Conventions(decimal=".", dates="ymd"), Conventions(decimal=",", dates="ymd")
    [base] = row_digests([(2, row)], point, "EUR")
    assert row_digests([(9, dict(row))], point, "EUR") == [base]
    assert base not in (row_digests([(2, row)], comma, "EUR")[0], row_digests([(2, row)], point, "USD")[0],
                        row_digests([(2, reordered)], point, "EUR")[0], row_digests([(2, typed)], point, "EUR")[0])
    assert row_digests([(2, {"__extra__": True})], point, "EUR") == [None]
