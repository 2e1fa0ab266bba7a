"""In Chromium: the KAM attaches a file on the account page (the files part loads by itself), the
renamed executable is refused with its reason, the file downloads, and removing it leaves who and when."""

import pytest

from accounts.attachments.samples import pdf
from accounts.models import Attachment

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def storage_dir(monkeypatch, tmp_path):
    from kam.storage import PrivateFileSystemStorage

    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage",
                        PrivateFileSystemStorage(location=str(tmp_path / "files")))


def test_attach_refuse_download_and_remove(live_server, page, personas, browser_login):
    browser_login(page, "kam")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/accounts/{personas.account.pk}/")
    page.get_by_test_id("no-attachments").wait_for()

    page.set_input_files("#attachments input[type=file]", files=[
        {"name": "factura.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + b"\x00" * 5000}])
    page.click("[data-testid=attachment-form] button[type=submit]")
    assert "does not match its extension" in page.get_by_test_id("attachment-error").inner_text()
    assert not Attachment.objects.exists()

    page.goto(f"{live_server.url}/accounts/{personas.account.pk}/")
    page.fill("#attachments input[name=description]", "Contrato firmado")
    content = pdf(["Contrato marco"])
    page.set_input_files("#attachments input[type=file]", files=[
        {"name": "Contrato marco.pdf", "mimeType": "application/pdf", "buffer": content}])
    page.click("[data-testid=attachment-form] button[type=submit]")
    page.get_by_test_id("attachment-list").wait_for()
    assert "Contrato firmado" in page.get_by_test_id("attachment-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    with page.expect_download() as download:
        page.get_by_role("link", name="Contrato marco.pdf").click()
    assert download.value.suggested_filename == "Contrato marco.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == content

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove").click()
    page.get_by_test_id("removed-attachments").wait_for()
    assert Attachment.objects.get().removed_by == personas.kam
