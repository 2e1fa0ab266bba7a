"""Selection criteria, assessments, tier decisions and the record of erasures."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam.history import Attributed
from kam.records import Kept
from kam.validators import free_text_length, sane_date, visible_text

from .accounts import Account, Contact, Tier


class Axis(models.TextChoices):
    ATTRACTIVENESS = "attractiveness", _("Account attractiveness")
    STRENGTH = "strength", _("Our relative strength")


class SelectionCriterion(Attributed, models.Model):
    """A criterion management selects key accounts by. Weights are relative within an axis; a weight of 0
    keeps the criterion visible (and its scores kept) without counting it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, validators=[visible_text])
    description = models.CharField(_("what to judge"), max_length=300, blank=True)
    axis = models.CharField(_("axis"), max_length=20, choices=Axis.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    scale_max = models.PositiveSmallIntegerField(_("scale (1 to …)"), default=5,
                                                 validators=[MinValueValidator(2), MaxValueValidator(10)])
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1)  # optimistic locking, as on Account
    history = HistoricalRecords()

    class Meta:
        ordering = ["axis", "order", "name"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        # Default criteria are stored in English and translated through the catalogue
        # (accounts/criteria_names.py); a name the lead typed has no entry and shows as typed.
        return gettext(self.name)


class Assessment(Kept):
    """One assessor's scoring of an account against the criteria, looking three years ahead. The axis
    scores of this assessment are stored so that the spread between assessors is cheap to show. The
    evidence behind tier decisions: kept, never deleted (kam/records.py)."""

    HORIZON_YEARS = 3

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT,
                                 related_name="account_assessments")
    assessed_on = models.DateField(_("date"), default=timezone.localdate, validators=[sane_date])
    note = models.TextField(_("overall note"), blank=True, validators=[free_text_length])
    attractiveness = models.DecimalField(_("attractiveness"), max_digits=5, decimal_places=2, null=True)
    strength = models.DecimalField(_("relative strength"), max_digits=5, decimal_places=2, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["account", "assessor", "-assessed_on"])]

    def __str__(self):
        return f"{self.account} · {self.assessor} · {self.assessed_on}"


class AssessmentScore(Kept):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(SelectionCriterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="score_once_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class TierDecision(Kept):
    """Promoting or demoting an account, with the evidence as it stood when the decision was taken, so a
    later review can ask whether the decision was consistent with the criteria. The programme's record
    of its decisions: never deleted, nor the account or the person it names (kam/records.py)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="tier_decisions")
    from_tier = models.CharField(_("from"), max_length=20, choices=Tier.choices)
    to_tier = models.CharField(_("to"), max_length=20, choices=Tier.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"), validators=[free_text_length])
    evidence = models.JSONField(_("evidence"), default=dict)
    cap_override = models.BooleanField(_("beyond the cap"), default=False)
    override_reason = models.TextField(_("reason for exceeding the cap"), blank=True,
                                       validators=[free_text_length])

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("tier decision")
        verbose_name_plural = _("tier decisions")
        indexes = [models.Index(fields=["account", "-decided_at"]), models.Index(fields=["-decided_at"])]

    def __str__(self):
        return f"{self.account}: {self.from_tier} → {self.to_tier}"


class ErasureRecord(Kept):
    """The log of erasures of a contact's personal data: who erased it, when, why, and how many rows of
    each kind were scrubbed. It names the person by the contact's id only (the row left anonymised),
    and the reason is scrubbed of their names like everything else. Kept, never deleted."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("erased by"), on_delete=models.PROTECT,
                                  related_name="+")
    erased_at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"), validators=[free_text_length])
    scrubbed = models.JSONField(_("rows scrubbed"), default=dict)

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")

    def __str__(self):
        return f"#{self.contact_id} · {self.erased_at:%Y-%m-%d}"
