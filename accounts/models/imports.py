"""Import jobs: an uploaded file, its check, its progress and its result."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    FINANCIALS = "financials", _("Monthly financials")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Checking the file")
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportJob(models.Model):
    """One uploaded file on its way in: checked without writing (the preview), confirmed, then imported
    in the background, all or nothing. The file's bytes are kept in the row, not on a disk, because the
    worker that imports it runs in another container with no volume shared with the web; they are
    emptied once the job is over."""

    ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)
    OVER = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("file"), max_length=200)
    data = models.BinaryField(_("file contents"), default=b"", editable=False)
    # The rows the check planned, compressed (imports.financials), written by the import when nothing the
    # check compared has changed since, instead of reading and planning the file again.
    checked_plan = models.BinaryField(_("checked plan"), default=b"", editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    decimal = models.CharField(_("decimal separator"), max_length=1, default=",")
    dates = models.CharField(_("date order"), max_length=3, default="dmy")
    # The uploader's language: the check and the import word their messages in it, whoever runs them.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    previewed_at = models.DateTimeField(_("checked"), null=True, blank=True)
    queued_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    lease_until = models.DateTimeField(_("running until at most"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status"], name="importjob_status")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def over(self) -> bool:
        return self.status in self.OVER

    @property
    def seconds(self) -> float | None:
        """How long the import itself took (from start to finish)."""
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


# Defined in its own module (the attachments package); imported here so Django finds it with the app.
