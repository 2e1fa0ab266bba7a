"""A confirmed import whose check found nothing to write ends without planning the file again, unless
something the check compared has changed since: then it is planned and written as any import."""

import datetime

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
