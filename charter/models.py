from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Tier
from kam.history import Attributed
from kam.models import Department
from kam.validators import visible_text

from .kinds import SPECS, MeasureKind, Unit


def default_tiers() -> list[str]:
    return [Tier.KEY.value]


class Promise(Attributed, models.Model):
    """What one department promises the accounts of some tiers (key accounts unless said otherwise), held
    to a measure the platform computes from its own data and a target in that measure's unit."""

    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    text = models.CharField(_("what the account gets"), max_length=400, validators=[visible_text])
    measure = models.CharField(_("measure"), max_length=30, choices=MeasureKind.choices)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))])
    # Tier codes (accounts.models.Tier); a list so that one promise can cover key and development accounts.
    tiers = models.JSONField(_("applies to tiers"), default=default_tiers)
    active = models.BooleanField(_("in force"), default=True,
                                 help_text=_("A promise withdrawn stays in the history; it is no longer measured."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (kam.versioning)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__order", "order", "pk"]
        verbose_name = _("charter promise")
        verbose_name_plural = _("charter promises")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        text = self.text if len(self.text) <= 80 else self.text[:79] + "…"
        return f"{self.department}: {text}"

    @property
    def unit(self) -> str:
        return SPECS[self.measure].unit

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)

    @property
    def higher_is_better(self) -> bool:
        return SPECS[self.measure].higher_is_better

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.measure in SPECS and self.unit == Unit.PERCENT and self.target is not None and self.target > 100:
            errors["target"] = _("A share cannot be over 100 %.")
        tiers = self.tiers if isinstance(self.tiers, list) else []
        if not tiers or any(t not in Tier.values for t in tiers):
            errors["tiers"] = _("Choose at least one tier.")
        if errors:
            raise ValidationError(errors)
