"""An attached file (imported by accounts.models, whose app it belongs to)."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam.history import Attributed


def attachment_storage():
    return storages["attachments"]


def stored_name(instance, filename):
    """Where the bytes go: the account's folder and a random name. The person's file name is kept in
    `original_name` only, so nothing they choose reaches a path."""
    return f"{instance.account_id}/{uuid.uuid4().hex}"


class Attachment(Attributed, models.Model):
    account = models.ForeignKey("accounts.Account", verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="attachments")
    # What it is attached to: empty for the account itself.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=stored_name, max_length=255,
                            blank=True)
    original_name = models.CharField(_("file name"), max_length=160)
    size = models.PositiveBigIntegerField(_("size"))
    media_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["account", "content_type", "object_id"], name="attachment_target_idx")]
        constraints = [
            models.CheckConstraint(name="attachment_target_whole",
                                   condition=Q(content_type__isnull=True, object_id__isnull=True)
                                   | Q(content_type__isnull=False, object_id__isnull=False)),
            models.CheckConstraint(name="attachment_removal_whole",
                                   condition=Q(removed_at__isnull=True) | Q(removed_by__isnull=False)),
        ]

    def __str__(self):
        return self.original_name

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
