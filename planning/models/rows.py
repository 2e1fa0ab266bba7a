"""The plan's rows: knowledge tasks, opportunities, commitments, reviews and value delivered."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Contact
from kam.history import Attributed
from kam.models import Department
from kam.validators import free_text_length, sane_date, visible_text

from .choices import CommitmentStatus, OpportunityStage, Party
from .plan import AccountPlan


class KnowledgeTask(models.Model):
    """Something we do to know the client better, e.g. attend their induction course."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="tasks")
    description = models.CharField(_("task"), max_length=300, validators=[visible_text])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(_("due"), null=True, blank=True, validators=[sane_date])
    done = models.BooleanField(_("done"), default=False)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["done", "due_date", "pk"]
        verbose_name = _("knowledge task")
        verbose_name_plural = _("knowledge tasks")

    def __str__(self):
        return self.description


class Opportunity(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="opportunities")
    client_benefit = models.CharField(_("client benefit"), max_length=300, validators=[visible_text])
    our_solution = models.CharField(_("our solution"), max_length=300, validators=[visible_text])
    value = models.DecimalField(_("estimated value (€)"), max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=50,
                                                   validators=[MaxValueValidator(100)])
    stage = models.CharField(_("stage"), max_length=12, choices=OpportunityStage.choices,
                             default=OpportunityStage.IDEA)
    expected_date = models.DateField(_("expected date"), null=True, blank=True, validators=[sane_date])
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["expected_date", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self):
        return self.client_benefit

    @property
    def weighted_value(self) -> Decimal:
        return (self.value * self.probability / Decimal(100)).quantize(Decimal("0.01"))


class Commitment(Attributed, models.Model):
    """A deliverable promise of either party. Ours name a department and an owner (who signs off and
    reports its status); the client's name a contact."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="commitments")
    party = models.CharField(_("party"), max_length=6, choices=Party.choices, default=Party.US)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="plan_commitments")
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(_("commitment"), max_length=400, validators=[visible_text])
    due_date = models.DateField(_("due"), validators=[sane_date])
    status = models.CharField(_("status"), max_length=8, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.OPEN)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True, validators=[sane_date])
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(party="client") | Q(department__isnull=False),
                                   name="commitment_us_has_department"),
        ]

    def __str__(self):
        return self.description

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in (CommitmentStatus.OPEN, CommitmentStatus.AT_RISK) and self.due_date < today


class PlanReview(models.Model):
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="reviews")
    planned_on = models.DateField(_("planned for"), validators=[sane_date])
    held_on = models.DateField(_("held on"), null=True, blank=True, validators=[sane_date])
    attendees = models.TextField(_("attendees"), blank=True, validators=[free_text_length])
    outcome = models.TextField(_("outcome"), blank=True, validators=[free_text_length])
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self):
        return f"{self.plan} · {self.planned_on}"


class ValueDelivered(models.Model):
    """The ledger of value we delivered to the client, confirmed by them or not yet."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="value_entries")
    outcome = models.CharField(_("outcome"), max_length=300, validators=[visible_text])
    amount = models.DecimalField(_("amount (€)"), max_digits=14, decimal_places=2)
    delivered_on = models.DateField(_("delivered on"), validators=[sane_date])
    confirmed_by_client = models.BooleanField(_("confirmed by the client"), default=False)
    # The client's own word through a share link: a dispute stands until they confirm or we correct it.
    disputed_by_client = models.BooleanField(_("disputed by the client"), default=False)
    client_note = models.CharField(_("client's note"), max_length=500, blank=True, validators=[visible_text])
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("value delivered")
        verbose_name_plural = _("value delivered")

    def __str__(self):
        return self.outcome
