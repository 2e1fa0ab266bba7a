"""Imports as background jobs: upload, the check (preview), confirmation, progress, result and history;
all or nothing; one import at a time; a job whose worker died does not stay "running"."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.imports import run as import_run
from accounts.imports.writing import Plan
from accounts.models import Account, ImportJob, ImportStatus
from kam.errors import Invalid
from kam.roles import KAM
from kam.tasks import background_threads_join
from tests.conftest import client_for

ACCOUNTS = (b"name;tax_id;country;industry;kam_email\n"
            b"Minera del Sur S.A.;A11111111;ES;mining;kam@example.com\n"
            b"Aceros Vascos S.L.;B22222222;ES;steel;\n")


# The planners count new, updated and unchanged rows before writing once they report `unchanged`; until
# then the preview's counts are zero and only the result's are checked.


def _previewed(lead, content=ACCOUNTS, kind="accounts") -> ImportJob:
    """A job checked in line (the preview task run by hand, as the worker would)."""
    job = ImportJob.objects.create(kind=kind, filename="cuentas.csv", data=content, size=len(content),
                                   created_by=lead)
    return services.import_job_preview(job_id=job.pk)


@pytest.mark.django_db
def test_upload_preview_confirm_import_and_history(personas, import_flow):
    flow = import_flow(client_for(personas.lead))
    before = Account.objects.count()
    page = flow.upload("accounts", ACCOUNTS, "cuentas.csv").content.decode()
    job = flow.job()
    assert job.status == ImportStatus.PREVIEWED and job.rows_total == 2
    assert job.preview["created"] == 2 and 'data-testid="count-created">2<' in page
    assert 'data-testid="import-confirm"' in page
    assert Account.objects.count() == before  # the check writes nothing

    page = flow.confirm().content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.result["created"] == 2
    assert 'data-testid="import-done"' in page and 'value="100"' in page
    assert job.data == b"" and job.started_at and job.finished_at  # the file is not kept once imported
    assert Account.objects.count() == before + 2
    assert Account.objects.get(tax_id="A11111111").kam == personas.kam

    again = flow.upload("accounts", ACCOUNTS.replace(b"mining", b"steel"))
    assert flow.job().status == ImportStatus.PREVIEWED
    assert flow.job().preview["updated"] == 1 and 'data-testid="count-updated">1<' in again.content.decode()
    assert flow.job().preview["unchanged"] == 1 and 'data-testid="count-unchanged">1<' in again.content.decode()

    history = flow.get(reverse("accounts:imports")).content.decode()
    assert reverse("accounts:import_job", args=[job.pk]) in history and "cuentas.csv" in history


@pytest.mark.django_db
def test_thousands_of_rows_with_one_error_become_one_group(personas, import_flow):
    lines = [b"account_tax_id;month;revenue"] + [f"X{i:08d};2025-01;10".encode() for i in range(3_000)]
    flow = import_flow(client_for(personas.lead))
    page = flow.upload("financials", b"\n".join(lines) + b"\n").content.decode()
    preview = flow.job().preview
    assert preview["rows_with_errors"] == 3_000
    groups = preview["error_groups"]
    # The same message for every unknown id: one group, its first lines, the count of the rows listed.
    assert len(groups) == 1 and preview["groups_left_out"] == 0
    assert groups[0]["count"] == 1_000 and groups[0]["lines"] == list(range(2, 22))
    assert preview["rows_not_listed"] == 2_000
    assert 'data-testid="import-fix"' in page and 'data-testid="import-confirm"' not in page
    assert len(page) < 60_000
    assert flow.job().data == b""  # a file that cannot be imported is not kept


@pytest.mark.django_db
def test_one_message_shared_by_many_rows_is_shown_once_with_its_count(personas, import_flow):
    lines = [b"name;tax_id;country;kam_email"] + [f"Cliente {i};D{i:08d};ES;nadie@x.example".encode()
                                                   for i in range(500)]
    flow = import_flow(client_for(personas.lead))
    page = flow.upload("accounts", b"\n".join(lines) + b"\n").content.decode()
    [group] = flow.job().preview["error_groups"]
    assert group["count"] == 500 and group["lines"] == list(range(2, 22))
    assert page.count('data-testid="import-error-group"') == 1 and ">500<" in page


@pytest.mark.django_db
def test_a_job_that_fails_while_writing_writes_nothing_and_says_why(personas, monkeypatch):
    job = _previewed(personas.lead)
    real = import_run._plan_accounts

    def failing_planner(rows, result, conventions=None, **options):
        plan = real(rows, result, conventions, **options)

        def write_then_fail(actor, progress=None):
            plan.write(actor, progress)  # every row written, then a fault: the transaction must take them back
            raise RuntimeError("disk full")

        return Plan(write_then_fail)

    monkeypatch.setattr(import_run, "_plan_accounts", failing_planner)
    before = Account.objects.count()
    services.import_job_confirm(actor=personas.lead, job=job)
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportStatus.FAILED and "RuntimeError" in job.message and "nothing was written" in job.message
    assert Account.objects.count() == before
    page = client_for(personas.lead).get(reverse("accounts:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-failed"' in page and "nothing was written" in page


@pytest.mark.django_db
def test_rows_that_became_wrong_after_the_check_fail_the_job_whole(personas):
    job = _previewed(personas.lead)
    personas.kam.groups.remove(*personas.kam.groups.filter(name=KAM))  # no longer a KAM: line 2 is refused
    services.import_job_confirm(actor=personas.lead, job=job)
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportStatus.FAILED and job.result["rows_with_errors"] == 1
    assert not Account.objects.filter(tax_id__in=["A11111111", "B22222222"]).exists()


@pytest.mark.django_db
def test_a_double_confirm_queues_once(personas, django_capture_on_commit_callbacks):
    job = _previewed(personas.lead)
    with django_capture_on_commit_callbacks() as queued:
        services.import_job_confirm(actor=personas.lead, job=job)
        services.import_job_confirm(actor=personas.lead, job=job)
    assert len(queued) == 1
    client = client_for(personas.lead)
    with django_capture_on_commit_callbacks() as queued:
        for _ in range(2):  # the same confirmation submitted twice
            client.post(reverse("accounts:import_job_confirm", args=[job.pk]))
    assert queued == []


@pytest.mark.django_db
def test_a_second_import_is_refused_while_one_is_queued_or_running(personas):
    first, second = _previewed(personas.lead), _previewed(personas.lead)
    services.import_job_confirm(actor=personas.lead, job=first)
    with pytest.raises(Invalid, match="Another import is queued or running"):
        services.import_job_confirm(actor=personas.lead, job=second)
    response = client_for(personas.lead).post(reverse("accounts:import_job_confirm", args=[second.pk]), follow=True)
    assert "Another import is queued or running" in response.content.decode()
    second.refresh_from_db()
    assert second.status == ImportStatus.PREVIEWED
    services.import_job_run(job_id=first.pk)
    assert services.import_job_confirm(actor=personas.lead, job=second).status == ImportStatus.QUEUED


@pytest.mark.django_db
def test_a_file_with_errors_cannot_be_confirmed_and_only_the_lead_confirms(personas):
    bad = _previewed(personas.lead, b"name;tax_id\n;A1\n")
    with pytest.raises(Invalid):
        services.import_job_confirm(actor=personas.lead, job=bad)
    good = _previewed(personas.lead)
    from kam.errors import Forbidden

    with pytest.raises(Forbidden):
        services.import_job_confirm(actor=personas.kam, job=good)


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_marked_failed_and_a_done_job_is_not_run_again(personas):
    job = _previewed(personas.lead)
    services.import_job_confirm(actor=personas.lead, job=job)
    past = timezone.now() - datetime.timedelta(seconds=1)
    # The worker claimed it, then died: its lease runs out with the job still "running".
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=past, lease_until=past)
    assert services.import_jobs_reap() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "worker was lost" in job.message
    assert services.import_job_run(job_id=job.pk).status == ImportStatus.FAILED  # a late delivery does nothing

    done = _previewed(personas.lead, ACCOUNTS.replace(b"A11111111", b"A11111112").replace(b"B22", b"B23"))
    services.import_job_confirm(actor=personas.lead, job=done)
    services.import_job_run(job_id=done.pk)
    count = Account.objects.count()
    assert services.import_job_run(job_id=done.pk).status == ImportStatus.DONE  # delivered twice
    assert Account.objects.count() == count


@pytest.mark.django_db
def test_cancel_before_it_runs(personas):
    job = _previewed(personas.lead)
    services.import_job_confirm(actor=personas.lead, job=job)
    services.import_job_cancel(actor=personas.lead, job=job)
    assert services.import_job_run(job_id=job.pk).status == ImportStatus.CANCELLED
    assert not Account.objects.filter(tax_id="A11111111").exists()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_default_runs_the_job_in_a_thread_and_the_page_sees_its_progress(personas, monkeypatch,
                                                                                        settings):
    """No broker: the request returns at once, the import runs in a thread of the same process, and the
    job page shows rows done while the import's transaction is still open."""
    settings.KAM_BACKGROUND_THREADS = True
    halfway, carry_on = threading.Event(), threading.Event()
    real = import_run._plan_accounts

    def slow_planner(rows, result, conventions=None, **options):
        plan = real(rows, result, conventions, **options)

        def write_in_two_halves(actor, progress=None):
            progress(1, len(rows))
            halfway.set()
            assert carry_on.wait(30)
            return plan.write(actor)

        return Plan(write_in_two_halves)

    monkeypatch.setattr(import_run, "_plan_accounts", slow_planner)
    client = client_for(personas.lead)
    flow_job = client.post(reverse("accounts:imports"), {"kind": "accounts", "decimal": ",", "dates": "dmy",
                                                         "file": _file(ACCOUNTS)})
    assert flow_job.status_code == 302
    background_threads_join()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.PREVIEWED
    client.post(reverse("accounts:import_job_confirm", args=[job.pk]))
    assert halfway.wait(30)
    try:
        status = client.get(reverse("accounts:import_job_status", args=[job.pk])).content.decode()
        assert "1 of 2 rows" in status and "50 %" in status and "hx-trigger" in status
        if connection.vendor == "postgresql":  # also in the row, written outside the open transaction
            assert ImportJob.objects.get(pk=job.pk).rows_done == 1
        assert not Account.objects.filter(tax_id="A11111111").exists()  # not committed yet
    finally:
        carry_on.set()
        background_threads_join()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    status = client.get(reverse("accounts:import_job_status", args=[job.pk])).content.decode()
    assert 'data-testid="import-done"' in status and "hx-trigger" not in status  # polling stops
    assert Account.objects.filter(tax_id="A11111111").exists()


def _file(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cuentas.csv", content, content_type="text/csv")


@pytest.mark.django_db
def test_history_and_job_pages_keep_a_fixed_query_budget(personas, django_assert_max_num_queries):
    for _ in range(30):
        _previewed(personas.lead)
    client = client_for(personas.lead)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:imports")).status_code == 200
    job = ImportJob.objects.first()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:import_job", args=[job.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:import_job_status", args=[job.pk])).status_code == 200
    assert "data" in selectors.import_jobs().query.deferred_loading[0]


@pytest.mark.django_db
def test_the_same_upload_sent_twice_makes_one_job(personas, django_capture_on_commit_callbacks):
    import uuid

    from kam.idempotency import FIELD

    client, token = client_for(personas.lead), str(uuid.uuid4())
    with django_capture_on_commit_callbacks() as queued:
        answers = [client.post(reverse("accounts:imports"), {"kind": "accounts", "decimal": ",", "dates": "dmy",
                                                             FIELD: token, "file": _file(ACCOUNTS)})
                   for _ in range(2)]
    assert ImportJob.objects.count() == 1 and len(queued) == 1
    assert answers[0]["Location"] == answers[1]["Location"] == reverse("accounts:import_job",
                                                                       args=[ImportJob.objects.get().pk])


@pytest.mark.django_db
def test_the_check_speaks_the_uploaders_language(personas, import_flow):
    from django.utils import translation

    client = client_for(personas.lead)
    client.cookies["django_language"] = "es"
    flow = import_flow(client)
    with translation.override("en"):  # the request switches the thread's language: switched back after
        page = flow.upload("accounts", b"name;tax_id\n;A1\n").content.decode()
    assert flow.job().language == "es"
    assert flow.job().preview["error_groups"][0]["message"] == "Falta el nombre." and "Falta el nombre." in page


def test_error_groups_are_capped_whatever_the_file():
    from accounts.imports import RowError
    from accounts.imports.report import error_groups

    errors = [RowError(line, [f"Country “{'X' * 100_000}{line % 60}” is not a two-letter ISO code."])
              for line in range(2, 10_002)]
    groups, left_out = error_groups(errors)
    assert len(groups) == 50 and left_out == 10
    assert all(len(g["message"]) <= 300 and len(g["lines"]) <= 20 for g in groups)
    # The groups kept are the first 50 messages met (remainders 2 to 51), each with all its rows counted.
    assert sum(g["count"] for g in groups) == sum(1 for line in range(2, 10_002) if 2 <= line % 60 <= 51)
