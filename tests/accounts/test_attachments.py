"""Attached files: upload, the type check by content, the size limit while the file arrives, download,
removal with history, hostile file names, the storage's configuration and the pages' query budgets."""

import hashlib
import io
import zipfile
from pathlib import Path

import environ
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.attachments import filetypes, register
from accounts.attachments.samples import pdf
from accounts.models import Attachment
from kam.errors import Forbidden, Invalid
from kam.storage import attachments_storage
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PDF = pdf(["Contrato marco 2027", "Anexo de precios"])
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 4096


@pytest.fixture(autouse=True)
def storage_dir(monkeypatch, tmp_path):
    """Each test's files in a directory of its own (the field holds its storage from start-up)."""
    from kam.storage import PrivateFileSystemStorage

    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage",
                        PrivateFileSystemStorage(location=str(tmp_path / "files")))
    return tmp_path / "files"


def stored_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_url(account):
    return reverse("accounts:attachments", args=["account", account.pk])


def docx(parts=("[Content_Types].xml", "word/document.xml")) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<xml/>")
    return buffer.getvalue()


# --- Upload -------------------------------------------------------------------------------------------
def test_the_kam_attaches_a_pdf_that_everyone_who_sees_the_account_downloads(personas, storage_dir):
    client = client_for(personas.kam)
    response = client.post(files_url(personas.account), {"description": "Contrato firmado",
                                                         "file": upload("Contrato marco.pdf", PDF)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[personas.account.pk]) + "#attachments"
    a = Attachment.objects.get()
    assert (a.account, a.content_type, a.object_id) == (personas.account, None, None)
    assert (a.original_name, a.size, a.media_type, a.description) == ("Contrato marco.pdf", len(PDF),
                                                                      "application/pdf", "Contrato firmado")
    assert a.sha256 == hashlib.sha256(PDF).hexdigest() and a.uploaded_by == personas.kam
    # Stored under a random name in the account's folder: nothing of the person's name reaches a path.
    assert [p.read_bytes() for p in stored_files(storage_dir)] == [PDF]
    assert "Contrato" not in a.file.name and a.file.name.startswith(f"{personas.account.pk}/")
    for persona in (personas.kam, personas.teammate, personas.sponsor, personas.operator, personas.lead):
        response = client_for(persona).get(reverse("accounts:attachment_download", args=[a.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Contrato marco.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client_for(personas.outsider).get(reverse("accounts:attachment_download", args=[a.pk])).status_code == 404
    # Listed on the account page's files part, with who and when.
    listed = client_for(personas.sponsor).get(files_url(personas.account), HTTP_HX_REQUEST="true").content.decode()
    assert "Contrato marco.pdf" in listed and "Ana García" in listed and "Contrato firmado" in listed
    assert 'data-testid="attachment-form"' not in listed  # the sponsor reads, does not change


def test_the_account_page_loads_its_files_part(personas):
    html = client_for(personas.teammate).get(reverse("accounts:detail", args=[personas.account.pk])).content.decode()
    assert f'hx-get="{files_url(personas.account)}"' in html


def test_who_may_not_change_the_account_may_not_attach(personas, storage_dir):
    with pytest.raises(Forbidden):
        services.attachment_add(actor=personas.sponsor, target=personas.account, upload=upload("a.pdf", PDF))
    with pytest.raises(Forbidden):
        services.attachment_add(actor=personas.outsider, target=personas.account, upload=upload("a.pdf", PDF))
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []


# --- Types, by content --------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content"), [
    ("factura.pdf", EXE),                                   # an executable renamed
    ("informe.docx", PDF),                                  # a PDF renamed
    ("hoja.xlsx", docx()),                                  # a Word document renamed Excel
    ("informe.docx", docx(parts=("payload.bin",))),         # any zip renamed
    ("precios.csv", b"a;b\n\x00\x01\x02binario"),           # binary data as CSV
    ("foto.png", b"\xff\xd8\xff\xe0" + b"\x00" * 64),       # a JPEG named PNG
])
def test_a_file_whose_content_is_not_its_extension_is_refused(personas, storage_dir, name, content):
    with pytest.raises(Invalid, match="does not match its extension"):
        services.attachment_add(actor=personas.kam, target=personas.account, upload=upload(name, content))
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []


@pytest.mark.parametrize("name", ["setup.exe", "pagina.html", "dibujo.svg", "macro.xlsm", "sin_extension"])
def test_types_outside_the_list_are_refused(personas, name):
    with pytest.raises(Invalid, match="Accepted: PDF, Word, Excel"):
        services.attachment_add(actor=personas.kam, target=personas.account, upload=upload(name, PDF))


@pytest.mark.parametrize(("name", "content", "media_type"), [
    ("informe.docx", docx(), filetypes.OOXML + "wordprocessingml.document"),
    ("precios.csv", "cliente;precio\nAceros;1.234,50 €\n".encode(), "text/csv"),
    ("notas.txt", "Reunión con compras".encode("cp1252"), "text/plain"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
])
def test_accepted_types_are_told_by_content(personas, name, content, media_type):
    a = services.attachment_add(actor=personas.kam, target=personas.account, upload=upload(name, content))
    assert a.media_type == media_type


def test_the_page_says_why_a_renamed_executable_was_refused(personas, storage_dir):
    client = client_for(personas.kam)
    client.cookies["django_language"] = "es"
    response = client.post(files_url(personas.account), {"file": upload("factura.pdf", EXE)},
                           HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "no coincide con su extensión" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []


# --- Size, while the file arrives -----------------------------------------------------------------------
@pytest.fixture
def received(monkeypatch):
    """The bytes of files that reach the handlers which keep them (memory or a temporary file)."""
    from django.core.files import uploadhandler

    kept = {"bytes": 0}
    for handler in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        real = handler.receive_data_chunk

        def counting(self, raw_data, start, real=real):
            kept["bytes"] += len(raw_data)
            return real(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    return kept


def test_a_file_over_the_limit_that_hides_its_size_is_stopped_as_it_arrives(personas, settings, monkeypatch,
                                                                           received, storage_dir):
    from kam import uploads

    settings.KAM_ATTACHMENT_MAX_BYTES = 256 * 1024
    # As a body without Content-Length (or announcing less than it sends): only the bytes tell.
    monkeypatch.setattr(uploads.LimitedUploadHandler, "handle_raw_input",
                        lambda self, *args, **kwargs: setattr(self, "announced_too_large", False))
    big = PDF + b"%" + b"0" * (4 * 1024 * 1024)
    response = client_for(personas.kam).post(files_url(personas.account), {"file": upload("grande.pdf", big)})
    assert response.status_code == 200
    assert "larger than 0 MB" in response.content.decode()  # 256 KB, in whole megabytes
    assert received["bytes"] <= settings.KAM_ATTACHMENT_MAX_BYTES
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []


def test_a_file_announced_over_the_limit_is_stopped_before_any_byte_is_kept(personas, settings, received):
    settings.KAM_ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = client_for(personas.kam).post(files_url(personas.account),
                                             {"file": upload("grande.pdf", PDF + b"0" * (3 * 1024 * 1024))})
    assert "larger than 1 MB" in response.content.decode()
    assert received["bytes"] == 0 and not Attachment.objects.exists()


def test_attachments_have_their_own_limit_above_the_imports_one(personas, settings):
    settings.KAM_UPLOAD_MAX_BYTES = 64 * 1024
    content = PDF + b"%" + b"0" * (200 * 1024)
    response = client_for(personas.kam).post(files_url(personas.account), {"file": upload("mediano.pdf", content)})
    assert response.status_code == 302 and Attachment.objects.get().size == len(content)


def test_a_refused_type_is_stopped_at_its_name_or_first_bytes(personas, received):
    client = client_for(personas.kam)
    client.post(files_url(personas.account), {"file": upload("setup.exe", EXE * 200)})
    assert received["bytes"] == 0
    response = client.post(files_url(personas.account), {"file": upload("factura.pdf", EXE * 400)})
    assert "does not match its extension" in response.content.decode()
    assert received["bytes"] <= 64 * 1024  # the first chunk at most, not the 1.6 MB sent
    assert not Attachment.objects.exists()


# --- Removal ------------------------------------------------------------------------------------------
def test_removal_keeps_who_and_when_deletes_the_bytes_and_keeps_history(personas, storage_dir,
                                                                        django_capture_on_commit_callbacks):
    a = services.attachment_add(actor=personas.kam, target=personas.account, upload=upload("viejo.pdf", PDF))
    with pytest.raises(Forbidden):
        services.attachment_remove(actor=personas.sponsor, attachment=a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.lead).post(reverse("accounts:attachment_remove", args=[a.pk]))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.removed_by == personas.lead and a.removed_at is not None and not a.file
    assert stored_files(storage_dir) == []
    assert [h.history_user for h in a.history.order_by("history_date")] == [personas.kam, personas.lead]
    assert client_for(personas.kam).get(reverse("accounts:attachment_download", args=[a.pk])).status_code == 404
    listed = client_for(personas.kam).get(files_url(personas.account)).content.decode()
    assert "1 removed file" in listed and "removed by Lucía Martín" in listed
    with pytest.raises(Invalid):
        services.attachment_remove(actor=personas.lead, attachment=a)


# --- Hostile file names --------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ana\\contrato.pdf", "contrato.pdf"),
    ("factura\u202efdp.exe.pdf", "facturafdp.exe.pdf"),      # a right-to-left override hiding the extension
    ('a"b;c\r\nContent-Type: text-html.pdf', "a_b_cContent-Type_ text-html.pdf"),  # header injection
    ("CON.pdf", "_CON.pdf"),
    ("...pdf", "pdf"),  # no extension left: refused by the type check
    ("x" * 400 + ".pdf", "x" * 146 + ".pdf"),
])
def test_hostile_file_names_are_made_safe(personas, name, kept):
    assert services.safe_filename(name) == kept
    a = services.attachment_add(actor=personas.kam, target=personas.account, upload=upload("x.pdf", PDF))
    Attachment.objects.filter(pk=a.pk).update(original_name=services.safe_filename(name))
    response = client_for(personas.kam).get(reverse("accounts:attachment_download", args=[a.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert "/" not in disposition.split("filename", 1)[1].replace("utf-8''", "")


# --- Storage ------------------------------------------------------------------------------------------
def test_s3_settings_build_an_s3_storage_without_touching_the_network(monkeypatch, tmp_path):
    from django.core.files.storage import StorageHandler
    from storages.backends.s3 import S3Storage

    for name, value in {"KAM_ATTACHMENTS_S3_BUCKET": "kam-adjuntos", "KAM_ATTACHMENTS_S3_ENDPOINT_URL":
                        "https://s3.proveedor.example", "KAM_ATTACHMENTS_S3_REGION": "eu-south-2",
                        "KAM_ATTACHMENTS_S3_ACCESS_KEY_ID": "clave", "KAM_ATTACHMENTS_S3_SECRET_ACCESS_KEY": "secreto",
                        }.items():
        monkeypatch.setenv(name, value)
    config = attachments_storage(environ.Env(), tmp_path)
    storage = StorageHandler({"attachments": config})["attachments"]
    assert isinstance(storage, S3Storage)
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        "kam-adjuntos", "https://s3.proveedor.example", "eu-south-2")
    assert (storage.access_key, storage.secret_key, storage.location) == ("clave", "secreto", "attachments")
    assert storage.default_acl is None and storage.file_overwrite is False


def test_without_a_bucket_files_stay_in_a_private_directory_without_addresses(monkeypatch, tmp_path):
    from django.core.files.storage import StorageHandler

    monkeypatch.delenv("KAM_ATTACHMENTS_S3_BUCKET", raising=False)
    monkeypatch.delenv("KAM_ATTACHMENTS_DIR", raising=False)
    storage = StorageHandler({"attachments": attachments_storage(environ.Env(), tmp_path / "privado")})["attachments"]
    assert Path(storage.location) == tmp_path / "privado"
    with pytest.raises(NotImplementedError):
        storage.url("1/abc")


# --- Registry -----------------------------------------------------------------------------------------
def test_an_unregistered_object_cannot_get_files(personas):
    with pytest.raises(LookupError):
        services.attachment_add(actor=personas.lead, target=personas.kam, upload=upload("a.pdf", PDF))
    assert client_for(personas.lead).get(reverse("accounts:attachments", args=["user", personas.kam.pk])
                                         ).status_code == 404


def test_two_models_cannot_share_a_key():
    from planning.models import AccountPlan

    class Fake:
        class _meta:  # noqa: N801
            model_name = "accountplan"

    with pytest.raises(ValueError):
        register(Fake, account_of=lambda o: o, may_read=lambda u, o: True, may_change=lambda u, o: True, label="x")
    assert AccountPlan  # the real registration stays


# --- Query budgets ------------------------------------------------------------------------------------
def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    return len(ctx)


def test_the_files_part_costs_the_same_with_3_or_40_files(personas):
    from tests.factories import UserFactory

    client = client_for(personas.kam)
    url = files_url(personas.account)
    people = [personas.kam, personas.lead, UserFactory(username="otro")]
    for i in range(3):
        services.attachment_add(actor=people[i % 3] if i % 3 != 2 else personas.kam, target=personas.account,
                                upload=upload(f"doc{i}.pdf", PDF))
    small = _queries(client, url)
    for i in range(37):
        a = services.attachment_add(actor=personas.kam if i % 2 else personas.lead, target=personas.account,
                                    upload=upload(f"mas{i}.pdf", PDF))
        if i % 5 == 0:
            services.attachment_remove(actor=personas.lead, attachment=a)
    assert _queries(client, url) == small <= 12
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("accounts:attachment_download", args=[a.pk - 1]))
    assert len(ctx) <= 8


def test_the_upload_keeps_its_csrf_protection(personas):
    """The view sets its limit before the body is read, so it is exempt from the middleware's check and
    protected inside: a POST without the token is still refused."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.kam)
    response = client.post(files_url(personas.account), {"file": upload("a.pdf", PDF)})
    assert response.status_code == 403 and not Attachment.objects.exists()


# --- Deployment ---------------------------------------------------------------------------------------
def test_the_stack_keeps_attached_files_in_a_volume():
    from tests.test_compose import COMPOSE, _config, _service

    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    assert "KAM_ATTACHMENTS_DIR=/attachments" in dockerfile
    if COMPOSE is None:
        pytest.skip("docker-compose is not installed")
    resolved = _config().stdout
    for service in ("web", "worker"):
        block = _service(resolved, service)
        assert "KAM_ATTACHMENTS_DIR: /attachments\n" in block
        assert "source: attachments" in block or "- attachments:/attachments" in block, service


def test_the_nightly_sweep_deletes_only_old_files_that_no_attachment_names(personas, storage_dir):
    import os
    import time

    kept = services.attachment_add(actor=personas.kam, target=personas.account, upload=upload("a.pdf", PDF))
    storage = Attachment._meta.get_field("file").storage
    orphan = storage.save(f"{personas.account.pk}/huerfano", io.BytesIO(b"rolled back"))
    recent = storage.save(f"{personas.account.pk}/subiendo", io.BytesIO(b"in progress"))
    two_days_ago = time.time() - 2 * 86400
    for name in (orphan, kept.file.name):
        os.utime(storage.path(name), (two_days_ago, two_days_ago))
    assert services.attachment_orphans_sweep() == 1
    assert not storage.exists(orphan) and storage.exists(recent) and storage.exists(kept.file.name)
