"""In Chromium: the programme lead uploads accounts, reads the check, confirms, watches the progress bar
fill while the import runs in the background, and reads the result."""

import time

import pytest

from accounts.imports import run as import_run
from accounts.imports.writing import Plan
from accounts.models import Account

pytestmark = pytest.mark.browser

CONTENT = (b"name;tax_id;country;industry\n"
           b"Harinas del Duero S.A.;A41000001;ES;food\n"
           b"Cementos del Sil S.L.;B41000002;ES;construction\n")


def test_upload_check_confirm_and_watch_the_progress(live_server, page, personas, browser_login, monkeypatch):
    real = import_run._plan_accounts

    def slow_planner(rows, result, conventions=None, **options):
        plan = real(rows, result, conventions, **options)

        def write_slowly(actor, progress=None):
            progress(1, len(rows))
            time.sleep(3)  # long enough for the page to poll and show the half-way bar
            return plan.write(actor)

        return Plan(write_slowly)

    monkeypatch.setattr(import_run, "_plan_accounts", slow_planner)
    base = live_server.url
    browser_login(page, "lead")
    page.goto(f"{base}/imports/")
    assert page.get_by_test_id("import-history-empty").is_visible()
    page.select_option("select[name=kind]", "accounts")
    page.select_option("select[name=decimal]", ",")
    page.set_input_files("input[name=file]", files=[{"name": "cuentas.csv", "mimeType": "text/csv",
                                                     "buffer": CONTENT}])
    page.get_by_role("button", name="Upload and check").click()

    # The check runs in the background; the page updates by itself when it is ready.
    page.get_by_test_id("import-confirm").wait_for(timeout=20_000)
    assert page.get_by_test_id("import-counts").is_visible()
    assert not Account.objects.filter(tax_id="A41000001").exists()
    page.get_by_test_id("import-confirm").click()

    # Half the rows written, the other half still to come: the bar shows it while the import runs.
    page.wait_for_selector("[data-status=running] [data-testid=import-percent]:text-is('50 %')", timeout=20_000)
    page.get_by_test_id("import-done").wait_for(timeout=30_000)
    assert page.get_by_test_id("import-progress").get_attribute("value") == "100"
    assert page.get_by_test_id("count-created").inner_text() == "2"
    assert Account.objects.filter(tax_id__in=["A41000001", "B41000002"]).count() == 2

    page.get_by_role("link", name="Imports").first.click()
    history = page.get_by_test_id("import-history")
    assert "cuentas.csv" in history.inner_text() and "Done" in history.inner_text()
