"""Share links of a plan for the client and their views (what the client does through them: client.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Contact
from kam.validators import visible_text

from .plan import AccountPlan


class ShareLink(models.Model):
    """A read-only client view of one plan. Only the SHA-256 of the token is stored, so a copy of
    the database does not hand out working links; the token itself is shown once, at creation."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("for"), max_length=160, blank=True, validators=[visible_text])
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # The address the one-time codes go to, fixed when the link is made: editing the contact later
    # does not redirect codes of a link already sent.
    email = models.EmailField(_("e-mail"), blank=True)
    hidden_sections = models.JSONField(_("hidden sections"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Revoking is the link's delete: who revoked it and when stay in the history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self):
        return self.label or str(self.contact or self.plan)

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ShareView(models.Model):
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.viewed_at:%Y-%m-%d %H:%M} {self.ip or ''}"
