"""The client's side of a share link: the one-time codes that verify the contact it is addressed to,
the short client sessions they open, what the client did through the link, and the threads of change
requests the KAM answers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Contact
from kam.validators import free_text_length, sane_date

from .plan import AccountPlan
from .rows import Commitment
from .sharing import ShareLink


class ShareCode(models.Model):
    """A six-digit code e-mailed to the link's contact. Stored as a keyed hash (a bare hash of six digits
    is reversed by trying a million of them); spent by the first right answer or by too many wrong ones."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="codes")
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.link_id} · {self.created_at:%Y-%m-%d %H:%M}"


class ClientSession(models.Model):
    """A verified client's few hours on one link. The browser holds the key in a cookie scoped to the
    link's path; only its hash is stored. It opens that link's client actions and nothing else."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="client_sessions")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.link_id} · {self.created_at:%Y-%m-%d %H:%M}"


class ClientActionKind(models.TextChoices):
    VERIFIED = "verified", _("Opened the plan with a code")
    COMMITMENT_DONE = "commitment_done", _("Marked a commitment of theirs done")
    COMMITMENT_AT_RISK = "commitment_at_risk", _("Marked a commitment of theirs at risk")
    VALUE_CONFIRMED = "value_confirmed", _("Confirmed value delivered")
    VALUE_DISPUTED = "value_disputed", _("Disputed value delivered")
    CHANGE_REQUESTED = "change_requested", _("Requested a change")
    ACCEPTED = "accepted", _("Accepted the plan")
    ACCEPTED_WITH_CONDITIONS = "conditions", _("Accepted with conditions")


class ClientAction(models.Model):
    """Who on the client's side did what through a link, when and from where."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="client_actions")
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="client_actions")
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("action"), max_length=20, choices=ClientActionKind.choices)
    subject = models.CharField(_("on"), max_length=400, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[free_text_length])
    on_date = models.DateField(_("date"), null=True, blank=True, validators=[sane_date])
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("client action")
        verbose_name_plural = _("client activity")
        indexes = [models.Index(fields=["plan", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class ThreadKind(models.TextChoices):
    CHANGE = "change", _("Change requested")
    CONDITIONS = "conditions", _("Accepted with conditions")
    COMMENT = "comment", _("Comment")


class ClientThread(models.Model):
    """A change the client asks for (on a section or a commitment), or the conditions they accepted
    under, answered by the KAM from the plan page. Conditions stay open until the KAM has answered and
    shared the plan again: until then the plan's state is "changes requested", not agreed."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="client_threads")
    link = models.ForeignKey(ShareLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads")
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=ThreadKind.choices, default=ThreadKind.CHANGE)
    section = models.CharField(_("section"), max_length=20, blank=True)
    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="client_threads")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("client request")
        verbose_name_plural = _("client requests")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"


class ClientMessage(models.Model):
    """One message of a thread: the client's (a contact, or a name for comments made before links were
    addressed) or our answer (a user)."""

    thread = models.ForeignKey(ClientThread, on_delete=models.CASCADE, related_name="messages")
    author_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    author_name = models.CharField(_("name"), max_length=160, blank=True)
    body = models.TextField(_("message"), validators=[free_text_length])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:40]

    @property
    def from_client(self) -> bool:
        return self.author_user_id is None
