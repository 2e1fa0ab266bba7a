"""Importing the same files again: unchanged rows write nothing (no history row, no new version), a
changed row among many is written with its history row, and an account a person edited in between is
written back. Also: the account lookups a financials file needs give what the whole index gives."""

import datetime
from decimal import Decimal

import pytest

from accounts import services
from accounts.imports.reading import AccountIndex
from accounts.models import Account, FinancialRecord, ImportJob, ImportStatus
from kam import versioning
from tests.factories import AccountFactory


def _months(n: int) -> list[datetime.date]:
    month = datetime.date.today().replace(day=1)
    out = []
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        out.append(month)
    return out


def _import(lead, content: bytes, kind: str) -> ImportJob:
    """Checked, confirmed and run in line, as the worker would."""
    job = ImportJob.objects.create(kind=kind, filename="datos.csv", data=content, size=len(content),
                                   created_by=lead, decimal=".", dates="ymd")
    job = services.import_job_preview(job_id=job.pk)
    assert job.status == ImportStatus.PREVIEWED, job.preview
    services.import_job_confirm(actor=lead, job=job)
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportStatus.DONE, (job.message, job.result)
    return job


ACCOUNTS = 6


def _accounts_file(industry_of_third: str = "steel") -> bytes:
    lines = ["name;tax_id;country;industry;region"]
    for i in range(ACCOUNTS):
        industry = industry_of_third if i == 2 else "mining"
        lines.append(f"Cliente {i} S.L.;B{i:08d};ES;{industry};Región {i}")
    return ("\n".join(lines) + "\n").encode()


def _financials_file(changed: tuple[int, int] | None = None) -> bytes:
    """Twelve months of every account; `changed` (account, month index) gets another revenue."""
    lines = ["account_tax_id;month;revenue;cost_of_goods;cost_to_serve"]
    for i in range(ACCOUNTS):
        for m, month in enumerate(_months(12)):
            revenue = "999.99" if changed == (i, m) else f"{1000 + i * 10 + m}.50"
            lines.append(f"B{i:08d};{month:%Y-%m};{revenue};600.00;50")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_financials_again_write_nothing_and_one_changed_row_is_written_with_its_history(personas):
    _import(personas.lead, _accounts_file(), "accounts")
    first = _import(personas.lead, _financials_file(), "financials")
    assert first.result["created"] == ACCOUNTS * 12
    history = FinancialRecord.history.count()

    again = _import(personas.lead, _financials_file(), "financials")
    assert again.result["unchanged"] == ACCOUNTS * 12 and again.result["created"] == again.result["updated"] == 0
    assert FinancialRecord.history.count() == history

    job = _import(personas.lead, _financials_file(changed=(3, 5)), "financials")
    assert job.preview["updated"] == 1 and job.preview["unchanged"] == ACCOUNTS * 12 - 1
    assert job.result["updated"] == 1 and job.result["unchanged"] == ACCOUNTS * 12 - 1
    record = FinancialRecord.objects.get(account__tax_id="B00000003", month=_months(12)[5])
    assert record.revenue == Decimal("999.99")
    assert FinancialRecord.history.count() == history + 1
    assert FinancialRecord.history.get(history_type="~").id == record.pk

    # The corrected month keeps the digest of the row that wrote it: the same file is unchanged again.
    again = _import(personas.lead, _financials_file(changed=(3, 5)), "financials")
    assert again.result["unchanged"] == ACCOUNTS * 12 and FinancialRecord.history.count() == history + 1


@pytest.mark.django_db
def test_a_changed_row_repeating_the_month_of_an_unchanged_row_is_a_duplicate(personas):
    _import(personas.lead, _accounts_file(), "accounts")
    _import(personas.lead, _financials_file(), "financials")
    month = _months(12)[0]
    content = (f"account_tax_id;month;revenue\nB00000001;{month:%Y-%m};1010.50\n"
               f"B00000001;{month:%Y-%m};5\n").encode()
    job = ImportJob.objects.create(kind="financials", filename="datos.csv", data=content, size=len(content),
                                   created_by=personas.lead, decimal=".", dates="ymd")
    preview = services.import_job_preview(job_id=job.pk).preview
    assert preview["rows_with_errors"] == 1
    [group] = preview["error_groups"]
    assert group["lines"] == [3] and "as line 2" in group["message"]


@pytest.mark.django_db
def test_accounts_again_write_nothing_but_the_account_a_person_edited_in_between(personas):
    _import(personas.lead, _accounts_file(), "accounts")
    history = Account.history.count()
    versions = dict(Account.objects.values_list("tax_id", "version"))

    again = _import(personas.lead, _accounts_file(), "accounts")
    assert again.result["unchanged"] == ACCOUNTS and again.result["updated"] == again.result["created"] == 0
    assert Account.history.count() == history
    assert dict(Account.objects.values_list("tax_id", "version")) == versions

    edited = Account.objects.get(tax_id="B00000004")
    services.account_update(actor=personas.lead, account=edited, expected_version=versioning.CURRENT,
                            industry="chemicals")
    history = Account.history.count()
    job = _import(personas.lead, _accounts_file(), "accounts")
    assert job.result["updated"] == 1 and job.result["unchanged"] == ACCOUNTS - 1
    assert Account.objects.get(tax_id="B00000004").industry == "mining"
    assert Account.history.count() == history + 1
    assert Account.history.latest("history_id").tax_id == "B00000004"

    # One field changed in one row of the file: that account alone is written, with its history row.
    job = _import(personas.lead, _accounts_file(industry_of_third="food"), "accounts")
    assert job.result["updated"] == 1 and job.result["unchanged"] == ACCOUNTS - 1
    assert Account.history.count() == history + 2
    assert Account.history.latest("history_id").tax_id == "B00000002"


@pytest.mark.django_db
def test_financials_matched_by_name_are_found_through_the_whole_index(personas):
    AccountFactory(name="Minera del Sur S.A.", country="PE", tax_id="")
    month = _months(1)[0]
    content = (f"account_name;account_country;month;revenue\nminera del sur s.a.;PE;{month:%Y-%m};10\n"
               f"Aceros del Norte S.A.;ES;{month:%Y-%m};20\n").encode()
    job = _import(personas.lead, content, "financials")
    assert job.result["created"] == 2
    assert FinancialRecord.objects.get(account__name="Minera del Sur S.A.").revenue == 10


@pytest.mark.django_db
def test_the_index_of_a_files_keys_finds_what_the_whole_index_finds(personas):
    AccountFactory(name="Uno", tax_id="b12345678", customer_number="erp-1")
    AccountFactory(name="Dos", tax_id="Ñ-2", customer_number="ÉRP-2")
    AccountFactory(name="Tres", tax_id="C3", customer_number="")
    AccountFactory(name="Cuatro", tax_id="ſ4", customer_number="")  # long s: "S4" in upper case
    whole = AccountIndex()
    asked = [("B12345678", ""), ("", "ERP-1"), ("Ñ-2", ""), ("", "ÉRP-2"), ("C3", "ERP-1"), ("S4", ""),
             ("X9", ""), ("", "NOPE"), ("C3", "")]
    keys = AccountIndex.of_keys(numbers=[n for _t, n in asked], tax_ids=[t for t, _n in asked])
    for tax_id, number in asked:
        assert keys.find(tax_id, "", "ES", number) == whole.find(tax_id, "", "ES", number), (tax_id, number)
    assert keys.find("S4", "", "ES") is not None and keys.find("X9", "", "ES") is None
