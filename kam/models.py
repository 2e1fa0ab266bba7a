from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import (
    DAYS_MAX,
    default_work_days,
    hex_colour,
    iso_currency,
    validate_holidays,
    validate_work_days,
    visible_text,
)


class Department(models.Model):
    """Reference data: the supplier's departments that touch key accounts."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80, validators=[visible_text])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # People who sign off this department's commitments on any account's plan, besides the department's
    # people on the account's team (e.g. the head of operations).
    signers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("named signers"), blank=True,
                                     related_name="signing_departments",
                                     help_text=_("Besides the department's people on an account's team, these "
                                                 "people may sign off the department's commitments on any plan."))
    # Who may sign off is a permission: each change of the named signers is kept with who made it.
    history = HistoricalRecords(m2m_fields=[signers])

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return str(_(self.name))


def _pct(label, default):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


def _rate(label, default):
    """A yearly rate, 0–1 as the form's help says: CLV divides by (1 + d − r)."""
    return models.DecimalField(label, max_digits=4, decimal_places=3, default=Decimal(default),
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])


def _days(label, default):
    """A period in days. Ten years at most: the dashboards subtract it from today, and a date 2**31 days
    back does not exist."""
    return models.PositiveIntegerField(label, default=default,
                                       validators=[MinValueValidator(1), MaxValueValidator(DAYS_MAX)])


def _logo_storage():
    """The supplier's logo is kept with the attached files (private: it is read back by the PDF
    renderer, never served from a public URL)."""
    from django.core.files.storage import storages

    return storages["attachments"]


class RetentionMode(models.TextChoices):
    OBSERVED = "observed", _("Observed in the customer base")
    FIXED = "fixed", _("Fixed rate (the setting)")


class ParetoBasis(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    CONTRIBUTION = "contribution", _("Contribution")


class ProgrammeSettings(models.Model):
    """The programme's parameters: one row, edited by the programme lead, kept in history."""

    key_account_cap = models.PositiveIntegerField(_("key-account cap"), default=25,
                                                  validators=[MinValueValidator(1), MaxValueValidator(10_000)])
    # What the Pareto (ABC) classes rank by: the selection evidence and the snapshots follow it.
    pareto_basis = models.CharField(_("Pareto classes by"), max_length=12, choices=ParetoBasis.choices,
                                    default=ParetoBasis.REVENUE)
    attractiveness_threshold = _pct(_("attractiveness threshold"), "50")
    strength_threshold = _pct(_("strength threshold"), "50")
    # CLV (Gupta & Lehmann): yearly retention r and discount d.
    clv_retention = _rate(_("retention rate r"), "0.900")
    clv_discount = _rate(_("discount rate d"), "0.100")
    # Which r the CLV uses: the retention observed in the base (per segment, metrics.RetentionEstimate)
    # or the fixed rate above. Observed segments smaller than the minimum sample fall back to the rate.
    clv_retention_mode = models.CharField(_("retention used for CLV"), max_length=10,
                                          choices=RetentionMode.choices, default=RetentionMode.OBSERVED)
    retention_min_sample = models.PositiveIntegerField(
        _("minimum sample for an observed retention"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)])
    # Risk-adjusted CLV (after Ryals & Knox): r moves linearly with health between these bounds.
    retention_at_health_0 = _rate(_("retention at health 0"), "0.700")
    retention_at_health_100 = _rate(_("retention at health 100"), "0.950")
    # Health weights; they add up to 100 (the settings form checks it).
    weight_engagement = _pct(_("weight: engagement"), "20")
    weight_service = _pct(_("weight: service"), "20")
    weight_plan = _pct(_("weight: plan"), "16")
    weight_sponsor = _pct(_("weight: sponsor"), "12")
    weight_satisfaction = _pct(_("weight: satisfaction"), "12")
    weight_commercial = _pct(_("weight: commercial trajectory"), "20")
    sponsor_visit_days = _days(_("sponsor visit every (days)"), 90)
    plan_review_days = _days(_("plan review every (days)"), 90)
    plan_stale_days = _days(_("plan stale after (days without edits)"), 60)
    # Decision makers and champions not contacted for longer are flagged on the relationship map.
    stakeholder_contact_days = _days(_("key stakeholders contacted at least every (days)"), 90)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", db_default="EUR",
                                validators=[iso_currency],
                                help_text=_("ISO 4217 code of the programme's amounts, e.g. EUR, USD, GBP."))
    # A new key account is not expected to have an agreed plan on its first day: "no agreed plan" counts
    # against its health only after this many days as key.
    key_account_grace_days = _days(_("grace period for a new key account's plan (days)"), 90)
    # The client survey (touchpoints.surveys): how often each contact of a key account is asked, and
    # when an answer alerts the KAM and the sponsor (a score below the floor, or our rating and theirs
    # further apart than the gap).
    survey_cadence_days = _days(_("client survey every (days)"), 90)
    survey_score_alert_below = models.PositiveSmallIntegerField(
        _("alert when the client's score is below"), default=6, validators=[MaxValueValidator(10)])
    survey_gap_alert_above = models.PositiveSmallIntegerField(
        _("alert when the gap exceeds (points)"), default=2, validators=[MaxValueValidator(10)])
    # What the client's documents carry (the plan's client PDF).
    supplier_name = models.CharField(_("supplier name"), max_length=160, blank=True, validators=[visible_text])
    supplier_logo = models.ImageField(_("supplier logo"), blank=True, storage=_logo_storage,
                                      upload_to="branding/")
    supplier_colour = models.CharField(_("primary colour"), max_length=7, default="#1f4e79",
                                       validators=[hex_colour])
    # The second escalation rung of an SLA breach: this person hears of it after the further hours.
    operations_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("operations manager"),
                                           null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager_escalation_hours = models.PositiveIntegerField(
        _("escalate to the operations manager after (hours)"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)])
    # The business-hours calendar of SLA clocks, in the server's time zone (settings.TIME_ZONE).
    work_days = models.JSONField(_("working days"), default=default_work_days, validators=[validate_work_days])
    work_start_hour = models.PositiveSmallIntegerField(_("working day starts at (hour)"), default=9,
                                                       validators=[MaxValueValidator(23)])
    work_end_hour = models.PositiveSmallIntegerField(_("working day ends at (hour)"), default=18,
                                                     validators=[MinValueValidator(1), MaxValueValidator(24)])
    holidays = models.JSONField(_("holidays"), default=list, blank=True, validators=[validate_holidays])
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (kam.versioning)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme settings")
        verbose_name_plural = _("programme settings")
        constraints = [models.CheckConstraint(condition=models.Q(work_end_hour__gt=models.F("work_start_hour")),
                                              name="programme_working_day_ends_after_start")]

    def __str__(self):
        return str(_("Programme settings"))

    def clean(self):
        if self.work_start_hour is not None and self.work_end_hour is not None \
                and self.work_end_hour <= self.work_start_hour:
            raise ValidationError({"work_end_hour": _("The working day must end after it starts.")})

    @classmethod
    def current(cls) -> "ProgrammeSettings":
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj = cls.objects.create()
        return obj


class Notification(models.Model):
    """An in-app notice to one person. `event_key` is unique per recipient: each event notifies
    each person once, however often the job that raises it runs."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    event_key = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Delivery failures of this notice's e-mail (kam.services.notification_emails_deliver): retried a
    # bounded number of times, the last error kept for the administrator.
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    # The notice as a kind of kam.messages plus its parameters, put into words in the reader's language;
    # `title` and `body` (in the writer's) are what rows without a kind show.
    message = models.CharField(max_length=60, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.title_text

    @property
    def title_text(self) -> str:
        from .messages import text_or

        return text_or(self.message, self.params, self.title)

    @property
    def body_text(self) -> str:
        from .messages import text_or

        return text_or(self.message, self.params, self.body, part="body")


class OutboxTask(models.Model):
    """Background work asked for by web code (kam.tasks.enqueue), written in the same transaction as
    the change that asked for it: it exists if and only if that change was committed, and no request
    ever waits on the message broker to ask for it. A worker runs pending rows (kam.services.
    outbox_dispatch, every few seconds from beat), records the outcome and retries failures a bounded
    number of times."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not to be run before this (the retry delay after a failure).
    run_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker running it holds it until then; after that (the worker died) another may run it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Given up after the last attempt; `last_error` says why.
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["run_after"], name="outbox_pending",
                                condition=models.Q(done_at__isnull=True, failed_at__isnull=True))]
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")

    def __str__(self):
        return f"{self.task} #{self.pk}"


# Department names are reference data stored in English; these markers put them in the catalogue
# so that `str(department)` shows them in the user's language.
DEPARTMENT_NAMES = (
    _("Sales"), _("Operations"), _("Supply chain"), _("Customer service"), _("Finance"), _("Technical"),
    _("Executive"),
)


class SubmittedForm(models.Model):
    """A creation form already acted on, by its one-time token (`kam.idempotency`): a second POST of the
    same form (a double click, a proxy's retry) gets the first one's result instead of a duplicate."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    location = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return str(self.token)


class UserProfile(models.Model):
    """A person's own settings. `language` empty: not chosen yet, the browser's is used."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="kam_profile")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)
