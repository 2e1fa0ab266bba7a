from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, ParetoClass, Quadrant, Tier


def _money(label, null=False):
    return models.DecimalField(label, max_digits=16, decimal_places=2, null=null, blank=null,
                               default=None if null else 0)


def _score(label):
    return models.PositiveSmallIntegerField(label, null=True, blank=True)


class RetentionSource(models.TextChoices):
    INDUSTRY = "industry", _("observed in the account's industry")
    TIER = "tier", _("observed in the account's tier")
    OVERALL = "overall", _("observed in the whole base")
    FIXED = "fixed", _("the programme's fixed rate")
    FALLBACK = "fallback", _("the programme's rate: too few accounts to observe one")


class AccountSnapshot(models.Model):
    """One account's figures on one day: the history behind every trend. Written only by the
    recompute (set-based, upserted on (account, day)), never edited by hand."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField(_("day"))
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, blank=True)
    revenue_12m = _money(_("12-month revenue"))
    revenue_prev_12m = _money(_("previous 12-month revenue"))
    cost_of_goods_12m = _money(_("12-month cost of goods"))
    # Cost to serve and its parts: what finance recorded plus what the platform sees.
    cts_recorded_12m = _money(_("recorded cost to serve"))
    cts_incidents_12m = _money(_("incident costs"))
    cts_touchpoints_12m = _money(_("touchpoint costs"))
    cost_to_serve_12m = _money(_("12-month cost to serve"))
    contribution_12m = _money(_("12-month contribution"))
    has_financials = models.BooleanField(default=False)
    yoy_growth = models.DecimalField(_("year-on-year growth"), max_digits=9, decimal_places=4, null=True,
                                     blank=True)
    clv = _money(_("CLV"), null=True)
    clv_risk_adjusted = _money(_("risk-adjusted CLV"), null=True)
    retention_risk_adjusted = models.DecimalField(_("risk-adjusted retention"), max_digits=5,
                                                  decimal_places=4, null=True, blank=True)
    # The yearly retention r the CLV used and where it came from (metrics.retention.choose_retention).
    clv_retention = models.DecimalField(_("retention used for CLV"), max_digits=5, decimal_places=4,
                                        null=True, blank=True)
    clv_retention_source = models.CharField(_("source of the CLV retention"), max_length=10,
                                            choices=RetentionSource.choices, blank=True)
    health = _score(_("health"))
    health_engagement = _score(_("engagement"))
    health_service = _score(_("service"))
    health_plan = _score(_("plan"))
    health_sponsor = _score(_("sponsor"))
    health_satisfaction = _score(_("satisfaction"))
    health_commercial = _score(_("commercial trajectory"))
    # The weights and parameters this row was computed with (metrics.services.snapshot_parameters), so
    # every figure stays reproducible after the programme settings change.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    attractiveness = models.DecimalField(_("attractiveness"), max_digits=5, decimal_places=2, null=True,
                                         blank=True)
    strength = models.DecimalField(_("relative strength"), max_digits=5, decimal_places=2, null=True,
                                   blank=True)
    quadrant = models.CharField(_("quadrant"), max_length=20, choices=Quadrant.choices, blank=True)
    pareto_class = models.CharField(_("Pareto class"), max_length=1, choices=ParetoClass.choices,
                                    blank=True)

    class Meta:
        ordering = ["account", "day"]
        verbose_name = _("account snapshot")
        verbose_name_plural = _("account snapshots")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="snapshot_once_per_day")]
        indexes = [models.Index(fields=["day", "account"])]

    def __str__(self):
        return f"{self.account_id} {self.day}"


class RecomputeRun(models.Model):
    """One run of the recompute: what it did, how long it took and whether it failed (whole, or for some
    accounts). A failed run is recorded after its work was rolled back."""

    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    accounts = models.PositiveIntegerField(_("accounts"), default=0)
    snapshots_written = models.PositiveIntegerField(_("snapshots written"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    trigger = models.CharField(_("trigger"), max_length=40, blank=True)

    class Status(models.TextChoices):
        OK = "ok", _("completed")
        PARTIAL = "partial", _("completed, some accounts failed")
        FAILED = "failed", _("failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OK)
    failed_accounts = models.PositiveIntegerField(_("accounts that failed"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("metrics recompute")
        verbose_name_plural = _("metrics recomputes")

    def __str__(self):
        return f"{self.day} ({self.seconds:.1f} s)"


class RetentionEstimate(models.Model):
    """Yearly retention observed in the customer base by one recompute, for one segment: of the
    `sample` accounts that bought in the previous 12 complete months, `retained` bought again in the
    last 12 (metrics.retention.retention_rate). `used` says whether the sample reached the programme's
    minimum, so the CLV could rely on it."""

    class Segment(models.TextChoices):
        OVERALL = "overall", _("Whole base")
        TIER = "tier", _("Tier")
        INDUSTRY = "industry", _("Industry")

    run = models.ForeignKey(RecomputeRun, on_delete=models.CASCADE, related_name="retention_estimates")
    day = models.DateField(_("day"))
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices)
    value = models.CharField(_("tier or industry"), max_length=30, blank=True)
    sample = models.PositiveIntegerField(_("accounts that bought the year before"))
    retained = models.PositiveIntegerField(_("of them, bought again last year"))
    rate = models.DecimalField(_("observed retention"), max_digits=5, decimal_places=4)
    used = models.BooleanField(_("sample large enough"), default=False)

    class Meta:
        ordering = ["run", "segment", "value"]
        verbose_name = _("observed retention")
        verbose_name_plural = _("observed retention")
        constraints = [models.UniqueConstraint(fields=["run", "segment", "value"], name="retention_once_per_run")]

    def __str__(self):
        return f"{self.day} {self.segment} {self.value}: {self.rate}"
