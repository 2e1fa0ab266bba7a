"""Driving an import through its pages as the lead does: upload (the check runs), confirm (the import
runs), each background step run when the request's transaction commits, in line."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ImportJob


@dataclass
class ImportFlow:
    client: object
    capture: object

    def upload(self, kind: str, content: bytes, name: str = "datos.csv", *, decimal: str = ",", dates: str = "dmy",
               follow: bool = True):
        """The upload's answer: the job page after the check (or the form again with its error)."""
        with self.capture(execute=True):
            response = self.client.post(reverse("accounts:imports"), {
                "kind": kind, "decimal": decimal, "dates": dates,
                "file": SimpleUploadedFile(name, content, content_type="text/csv")})
        if follow and response.status_code == 302:
            return self.client.get(response["Location"])
        return response

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def job(self) -> ImportJob:
        return ImportJob.objects.order_by("-pk").first()

    def confirm(self, job: ImportJob | None = None, **extra):
        job = job or self.job()
        with self.capture(execute=True):
            response = self.client.post(reverse("accounts:import_job_confirm", args=[job.pk]), extra)
        return self.client.get(response["Location"]) if response.status_code == 302 else response

    def upload_and_import(self, kind: str, content: bytes, **kwargs):
        self.upload(kind, content, **kwargs)
        return self.confirm()


@pytest.fixture
def import_flow(settings, django_capture_on_commit_callbacks):
    """An ImportFlow for a client: `import_flow(client)`. Background steps run in line (not in a thread)."""
    settings.KAM_BACKGROUND_THREADS = False
    return lambda client: ImportFlow(client, django_capture_on_commit_callbacks)
