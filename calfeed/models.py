"""A person's private calendar address (an ICS feed of their dates)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarFeed(models.Model):
    """One secret feed address of one person. Only the SHA-256 of the token is stored (as for plan share
    links), so a copy of the database does not hand out working addresses; the token is shown once.
    Revoking is the feed's delete: who revoked it and when stay in the history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            # One working address per person: making a new one revokes the old.
            models.UniqueConstraint(fields=["user"], condition=models.Q(revoked_at__isnull=True),
                                    name="calendar_feed_one_active_per_user"),
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
