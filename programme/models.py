"""The programme review: a periodic record of the programme against its targets, the accounts proposed
to enter or leave it with the decisions taken, and what the programme will change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account, Tier, TierDecision
from kam.validators import free_text_length, sane_date, visible_text


class Cadence(models.IntegerChoices):
    QUARTERLY = 3, _("Quarterly")
    HALF_YEARLY = 6, _("Half-yearly")
    YEARLY = 12, _("Yearly")


class ReviewSettings(models.Model):
    """How often the programme is reviewed: one row, edited by the programme lead."""

    cadence_months = models.PositiveSmallIntegerField(_("review cadence"), choices=Cadence.choices,
                                                      default=Cadence.QUARTERLY)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme review settings")
        verbose_name_plural = _("programme review settings")

    def __str__(self):
        return str(self.get_cadence_months_display())

    @classmethod
    def current(cls) -> "ReviewSettings":
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj = cls.objects.create()
        return obj


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")


class ProgrammeReview(models.Model):
    """One period's review. While open its actuals are computed live; closing freezes them into
    `actuals` (kpi code → {"value", "rest"} as text), so the periods stay comparable after the data moves
    on. `targets` are the lead's (kpi code → value as text, in the KPI's unit)."""

    period_start = models.DateField(_("period start"), validators=[sane_date])
    period_end = models.DateField(_("period end"), validators=[sane_date])
    status = models.CharField(_("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    targets = models.JSONField(_("targets"), default=dict, blank=True)
    actuals = models.JSONField(_("actuals"), default=dict, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True, validators=[sane_date])
    notes = models.TextField(_("notes"), blank=True, validators=[free_text_length])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("programme review")
        verbose_name_plural = _("programme reviews")
        constraints = [
            models.UniqueConstraint(fields=["period_start"], name="programme_review_once_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="programme_review_period_ordered"),
        ]

    def __str__(self):
        return f"{self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED


class Direction(models.TextChoices):
    ENTER = "enter", _("Enter the programme")
    LEAVE = "leave", _("Leave the programme")


class Decision(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted: tier decided")
    REJECTED = "rejected", _("Rejected")


class ReviewProposal(models.Model):
    """An account proposed to enter (become key) or leave (another tier) the programme, with the tier
    evidence as it stood when proposed; accepting it is a tier decision (`tier_decision`)."""

    review = models.ForeignKey(ProgrammeReview, on_delete=models.CASCADE, related_name="proposals")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("proposal"), max_length=5, choices=Direction.choices)
    to_tier = models.CharField(_("to tier"), max_length=20, choices=Tier.choices)
    reason = models.TextField(_("reason"), validators=[free_text_length])
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, default=Decision.PROPOSED)
    decision_note = models.TextField(_("decision note"), blank=True, validators=[free_text_length])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    tier_decision = models.OneToOneField(TierDecision, verbose_name=_("tier decision"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="programme_proposal")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "created_at", "pk"]
        verbose_name = _("programme proposal")
        verbose_name_plural = _("programme proposals")
        constraints = [models.UniqueConstraint(fields=["review", "account"], name="programme_proposal_once")]

    def __str__(self):
        return f"{self.account_id} → {self.to_tier}"


class ReviewChange(models.Model):
    """One thing the programme will change after the review, in the lead's words."""

    review = models.ForeignKey(ProgrammeReview, on_delete=models.CASCADE, related_name="changes")
    text = models.CharField(_("what the programme will change"), max_length=400, validators=[visible_text])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "created_at", "pk"]
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")

    def __str__(self):
        return self.text
