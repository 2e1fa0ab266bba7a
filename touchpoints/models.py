from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Account, Contact, Tier
from kam.history import Attributed
from kam.models import Department
from kam.validators import COST_MAX, SLA_HOURS_MAX, free_text_length, sane_date, visible_text


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Messaging")
    SITE_VISIT = "site_visit", _("Site visit")
    EVENT = "event", _("Event")


class TouchpointKind(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial")
    OPERATIONAL = "operational", _("Operational")
    SERVICE = "service", _("Service")
    EXECUTIVE_VISIT = "executive_visit", _("Executive (sponsor) visit")
    REVIEW = "review", _("Review")
    SOCIAL = "social", _("Social")


def _money(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal("0"),
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(COST_MAX)])


class Touchpoint(Attributed, models.Model):
    """One contact between the organisations, from any department. A sponsor visit is a touchpoint of
    kind `executive_visit`; only the account's sponsor (or the programme lead) may log one."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="touchpoints")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, validators=[sane_date])
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON)
    kind = models.CharField(_("kind"), max_length=20, choices=TouchpointKind.choices,
                            default=TouchpointKind.OPERATIONAL)
    our_people = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("our people"), blank=True,
                                        related_name="touchpoints_attended")
    contacts = models.ManyToManyField(Contact, verbose_name=_("client contacts"), blank=True,
                                      related_name="touchpoints")
    summary = models.TextField(_("summary"), validators=[free_text_length])
    quality = models.PositiveSmallIntegerField(
        _("quality"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How did it go? 1 = badly, 5 = very well"),
    )
    follow_up = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_note = models.CharField(_("follow-up"), max_length=300, blank=True)
    # Who does the follow-up and by when: it appears in their "My work" and is reminded when due.
    follow_up_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("follow-up owner"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="follow_ups")
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True, validators=[sane_date])
    follow_up_closed_at = models.DateTimeField(_("follow-up done on"), null=True, blank=True)
    follow_up_closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("follow-up done by"),
                                            null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cost = _money(_("cost"))
    version = models.PositiveIntegerField(default=1)  # optimistic locking (kam.versioning)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True,
                                   on_delete=models.SET_NULL, related_name="touchpoints_logged")
    created_at = models.DateTimeField(auto_now_add=True)
    # Corrected in the back office, never deleted: each earlier text stays here with who changed it.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        indexes = [
            models.Index(fields=["account", "-occurred_at"]),
            # Sponsor-visit status: the latest executive visit per account.
            models.Index(fields=["account", "kind", "-occurred_at"]),
            models.Index(fields=["occurred_at"]),
            # Each person's open follow-ups, by due date ("My work", the daily reminder).
            models.Index(fields=["follow_up_owner", "follow_up_due"], name="touchpoints_follow_up_open_idx",
                         condition=Q(follow_up=True, follow_up_closed_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.account} · {self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up and self.follow_up_closed_at is None


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IncidentCategory(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    QUALITY = "quality", _("Quality")
    BILLING = "billing", _("Billing")
    TECHNICAL = "technical", _("Technical")
    SUPPORT = "support", _("Support")


class IncidentStatus(models.TextChoices):
    # Context: Spanish agrees the adjective with "incidencia" (feminine), unlike plans and commitments.
    OPEN = "open", pgettext_lazy("incident status", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident status", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("incident status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("incident status", "Resolved")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


# Statuses in which the incident is still the supplier's to solve.
ACTIVE_STATUSES = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS)
# The deadline that matters next: acknowledging while open, resolving while being worked; none after.
# The incident queue sorts on it, and a partial index on the same expression lets it read the most
# urgent active incidents first instead of sorting them all.
# Gravest first on every list of incidents: critical, high, medium, low. The queue's partial index
# leads with it.
SEVERITY_RANK = models.Case(
    models.When(severity="critical", then=models.Value(0)),
    models.When(severity="high", then=models.Value(1)),
    models.When(severity="medium", then=models.Value(2)),
    default=models.Value(3),
    output_field=models.IntegerField(),
)
# Severities that reach the account's KAM and sponsor at once on a key account.
SERIOUS = ("critical", "high")

NEXT_DUE = models.Case(
    models.When(status=IncidentStatus.OPEN, then=models.F("ack_due_at")),
    models.When(status__in=(IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS),
                then=models.F("resolve_due_at")),
    default=None,
    output_field=models.DateTimeField(),
)


class SlaClock(models.TextChoices):
    ALWAYS = "24x7", _("Around the clock (24×7)")
    BUSINESS = "business", _("Business hours")


class SlaPolicy(models.Model):
    """Hours to acknowledge and to resolve an incident, per account tier and severity, counted around
    the clock or in the programme's business hours (its calendar in kam.ProgrammeSettings)."""

    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    ack_hours = models.PositiveIntegerField(_("hours to acknowledge"),
                                            validators=[MinValueValidator(1), MaxValueValidator(SLA_HOURS_MAX)])
    resolve_hours = models.PositiveIntegerField(_("hours to resolve"),
                                                validators=[MinValueValidator(1), MaxValueValidator(SLA_HOURS_MAX)])
    clock = models.CharField(_("clock"), max_length=10, choices=SlaClock.choices, default=SlaClock.ALWAYS)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (kam.versioning)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier", "severity"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["tier", "severity"], name="sla_policy_once"),
            models.CheckConstraint(condition=Q(resolve_hours__gte=models.F("ack_hours")),
                                   name="sla_resolve_after_ack"),
        ]

    def __str__(self):
        return f"{self.get_tier_display()} · {self.get_severity_display()}"


class ServiceIncident(models.Model):
    """A service problem on an account, worked by operations against SLA deadlines that are fixed when
    the incident is opened: a later policy change never moves an existing target."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="incidents")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, validators=[sane_date])
    title = models.CharField(_("title"), max_length=200, validators=[visible_text])
    description = models.TextField(_("description"), blank=True, validators=[free_text_length])
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=20, choices=IncidentStatus.choices,
                              default=IncidentStatus.OPEN)
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="incidents")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True,
                                  on_delete=models.SET_NULL, related_name="incidents_opened")
    # The person in operations working the incident; empty until someone takes or is given it.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="incidents_assigned")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    in_progress_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The policy's clock when the incident was opened: a pause is counted the same way its deadlines were.
    sla_clock = models.CharField(_("clock"), max_length=10, choices=SlaClock.choices, default=SlaClock.ALWAYS)
    # Set while the incident waits on the client: the SLA clocks stand still until it is cleared.
    waiting_since = models.DateTimeField(_("waiting on the client since"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    # Stamped once when a breach is recorded (by the escalation job, or by a late transition), so a
    # breach is escalated exactly once and counted in the service metrics.
    ack_breached_at = models.DateTimeField(_("acknowledge SLA breached at"), null=True, blank=True)
    resolve_breached_at = models.DateTimeField(_("resolve SLA breached at"), null=True, blank=True)
    # The second rung: stamped once when the breach is passed on to the operations manager.
    manager_escalated_at = models.DateTimeField(_("escalated to the operations manager at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True, validators=[free_text_length])
    # Required to close a critical incident: why it happened and what stops it happening again.
    root_cause = models.TextField(_("root cause"), blank=True, validators=[free_text_length])
    corrective_action = models.TextField(_("corrective action"), blank=True, validators=[free_text_length])
    cost = _money(_("cost of the incident"))
    version = models.PositiveIntegerField(default=1)  # optimistic locking (kam.versioning)
    updated_at = models.DateTimeField(auto_now=True)
    # Each saved version, so a refused save can say what the other person changed since.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("service incident")
        verbose_name_plural = _("service incidents")
        indexes = [
            models.Index(fields=["status", "ack_due_at"]),
            models.Index(fields=["status", "resolve_due_at"]),
            models.Index(fields=["account", "status"]),
            models.Index(fields=["opened_at"]),
            models.Index(SEVERITY_RANK, NEXT_DUE, name="touchpoints_incident_queue_idx",
                         condition=Q(status__in=ACTIVE_STATUSES)),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_waiting(self) -> bool:
        return self.waiting_since is not None


class ClientFeedback(models.Model):
    """The client's satisfaction (0-10) as told by one of its people."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="client_feedback")
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, on_delete=models.SET_NULL,
                                related_name="feedback_given")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(10)],
                                             help_text=_("0 = very dissatisfied, 10 = delighted"))
    comment = models.TextField(_("comment"), blank=True, validators=[free_text_length])
    received_on = models.DateField(_("received on"), default=timezone.localdate, validators=[sane_date])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("client feedback")
        verbose_name_plural = _("client feedback")
        indexes = [models.Index(fields=["account", "-received_on", "-id"])]

    def __str__(self):
        return f"{self.account} {self.score}/10 {self.received_on}"


class PartnershipRating(models.Model):
    """Our own team's rating of the partnership (0-10): set against the client's feedback it shows
    whether the feeling is mutual."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="partnership_ratings")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rated by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(10)],
                                             help_text=_("0 = a purely transactional supplier, 10 = a true partner"))
    comment = models.TextField(_("comment"), blank=True, validators=[free_text_length])
    rated_on = models.DateField(_("rated on"), default=timezone.localdate, validators=[sane_date])
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-rated_on", "-pk"]
        verbose_name = _("partnership rating")
        verbose_name_plural = _("partnership ratings")
        indexes = [models.Index(fields=["account", "-rated_on", "-id"])]

    def __str__(self):
        return f"{self.account} {self.score}/10 {self.rated_on}"


def _scale(label, low: int, high: int):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(low), MaxValueValidator(high)])


class SurveyLink(models.Model):
    """One client contact's invitation to the survey: answered once, through a link that expires and can
    be revoked. Only the SHA-256 of the token is stored (as for the plan's share links), so a copy of the
    database hands out no working link; the token travels only in the e-mail (or the page that made it)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="survey_links")
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), on_delete=models.CASCADE,
                                related_name="survey_links")
    token_hash = models.CharField(max_length=64, unique=True)
    # The language it was written in (the contact's, else the programme's): the page opens in it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # None: sent by the survey schedule, not by a person.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        indexes = [models.Index(fields=["contact", "-created_at"])]

    def __str__(self):
        return f"{self.contact} {self.created_at:%Y-%m-%d}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.answered_at is None and self.expires_at > now


class SurveyResponse(models.Model):
    """The client's answer to the survey. Its satisfaction is also a ClientFeedback row, so everything
    that reads the client's satisfaction (health, the programme review, the panels) counts it."""

    link = models.OneToOneField(SurveyLink, on_delete=models.PROTECT, related_name="response")
    feedback = models.OneToOneField(ClientFeedback, on_delete=models.CASCADE, related_name="survey_response")
    satisfaction = _scale(_("How satisfied are you with us overall?"), 0, 10)
    recommend = _scale(_("How likely are you to recommend us to a colleague?"), 0, 10)
    understands = _scale(_("They understand our business"), 1, 5)
    delivers = _scale(_("They deliver what they promise"), 1, 5)
    easy = _scale(_("Working together is easy"), 1, 5)
    comment = models.TextField(_("comment"), blank=True, validators=[free_text_length])
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self):
        return f"{self.link} {self.satisfaction}/10"
