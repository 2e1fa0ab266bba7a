"""The CVC account plan (Conocimiento, Visión, Compromiso) and what hangs from it.

A plan is "internal consumption" until the client agrees to it, so the workflow records both our
internal sign-offs and the client's agreement. `version` guards every edit of the plan's text and of
its rows against lost updates (see planning.services).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account, Contact
from kam.history import Attributed
from kam.models import Department
from kam.records import Kept
from kam.validators import free_text_length, sane_date, visible_text

from .choices import CONOCIMIENTO_FIELDS, AgreementChannel, PeriodKind, PlanStatus


class AccountPlan(Attributed, models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="plans")
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices,
                                   default=PeriodKind.YEAR)
    period_start = models.DateField(_("period start"), validators=[sane_date])
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_plans")
    version = models.PositiveIntegerField(default=1)
    next_review_date = models.DateField(_("next review"), null=True, blank=True, validators=[sane_date])
    summary = models.TextField(_("one-page summary"), blank=True, validators=[free_text_length])

    industry_variables = models.TextField(_("industry variables"), blank=True,
                                          help_text=_("Market, regulation, prices and cycles that move "
                                                      "the client's business."), validators=[free_text_length])
    operations_state = models.TextField(_("state of the client's operations"), blank=True,
                                        validators=[free_text_length])
    competitive_advantages = models.TextField(_("competitive advantages"), blank=True, validators=[free_text_length])
    business_problems = models.TextField(_("main business problems"), blank=True, validators=[free_text_length])
    value_chain = models.TextField(_("value chain, customers and environment"), blank=True,
                                   validators=[free_text_length])
    vision_statement = models.TextField(_("vision statement"), blank=True,
                                        help_text=_("How our solutions improve the client's business."),
                                        validators=[free_text_length])

    client_agreed_by = models.CharField(_("agreed by (client)"), max_length=160, blank=True, validators=[visible_text])
    client_agreed_contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True,
                                              blank=True, on_delete=models.SET_NULL, related_name="+")
    client_agreed_at = models.DateTimeField(_("agreed on"), null=True, blank=True)
    client_agreement_channel = models.CharField(_("how"), max_length=12, choices=AgreementChannel.choices,
                                                blank=True)
    client_agreement_note = models.TextField(_("agreement note"), blank=True, validators=[free_text_length])
    needs_reagreement = models.BooleanField(_("needs the client's agreement again"), default=False)

    pct_conocimiento = models.PositiveSmallIntegerField(_("Conocimiento complete (%)"), default=0)
    pct_vision = models.PositiveSmallIntegerField(_("Visión complete (%)"), default=0)
    pct_compromiso = models.PositiveSmallIntegerField(_("Compromiso complete (%)"), default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["pct_conocimiento", "pct_vision", "pct_compromiso"])
    # Not stored: set by the access-scoped getter, whether its reader may see the commercial content.
    commercial: bool

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [
            models.UniqueConstraint(fields=["account", "period_kind", "period_start"],
                                    name="plan_once_per_account_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="plan_period_ordered"),
        ]
        indexes = [
            models.Index(fields=["account", "-period_start"]),
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["status", "next_review_date"]),
        ]

    def __str__(self):
        return f"{self.account} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("planning:plan_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        start, end = (date_format(d, "SHORT_DATE_FORMAT") for d in (self.period_start, self.period_end))
        return f"{self.get_period_kind_display()} {start}–{end}"

    @property
    def is_open(self) -> bool:
        return self.status != PlanStatus.CLOSED

    @property
    def is_agreed(self) -> bool:
        return self.status == PlanStatus.AGREED

    def compute_completeness(self, *, tasks: int, opportunities: int, commitments_us: int,
                             commitments_client: int, signoffs_ok: bool) -> None:
        """Completeness per CVC phase, 0-100, from what is filled in:
        - Conocimiento: its five text fields and "at least one knowledge task", 6 parts.
        - Visión: the vision statement and "at least one opportunity", 2 parts.
        - Compromiso: "at least one commitment of ours", "at least one of the client's",
          "internal sign-offs complete" and "client agreement recorded", 4 parts.
        """
        def pct(parts):
            return round(100 * sum(1 for p in parts if p) / len(parts))

        self.pct_conocimiento = pct([getattr(self, f).strip() for f in CONOCIMIENTO_FIELDS] + [tasks > 0])
        self.pct_vision = pct([self.vision_statement.strip(), opportunities > 0])
        self.pct_compromiso = pct([commitments_us > 0, commitments_client > 0, signoffs_ok,
                                   self.client_agreed_at is not None and not self.needs_reagreement])


class SignOff(Attributed, Kept):
    """An internal approval of the plan: the sponsor's (department empty) or a department's. When what
    it approved changes (the plan back to draft, the department's commitments edited, the plan's text
    edited after the sponsor's approval) it is cleared, not deleted: the record of who approved what,
    and when it stopped counting, stays."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.PROTECT, related_name="signoffs")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"),
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed on"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True, validators=[visible_text])
    cleared_at = models.DateTimeField(_("cleared on"), null=True, blank=True)
    cleared_reason = models.CharField(_("cleared because"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["plan", "department"], condition=Q(cleared_at__isnull=True),
                                    name="signoff_once_per_department"),
            models.UniqueConstraint(fields=["plan"], condition=Q(department__isnull=True, cleared_at__isnull=True),
                                    name="signoff_once_by_sponsor"),
        ]

    def __str__(self):
        return str(self.department or _("Executive sponsor"))


class AgreedVersion(Kept):
    """What the client agreed to, as they saw it: the plan's text and the commitments of both sides at
    the moment of agreement. Kept for every agreement, so the share link can show the agreed version
    with the changes made since, and a later edit never reads as agreed."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.PROTECT, related_name="agreed_versions")
    plan_version = models.PositiveIntegerField()
    agreed_at = models.DateTimeField(_("agreed on"), default=timezone.now)
    agreed_by = models.CharField(_("agreed by (client)"), max_length=160, validators=[visible_text])
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("how"), max_length=12, choices=AgreementChannel.choices)
    content = models.JSONField(default=dict)

    class Meta:
        ordering = ["-agreed_at", "-pk"]
        verbose_name = _("agreed version")
        verbose_name_plural = _("agreed versions")

    def __str__(self):
        return f"{self.plan} · {self.agreed_at:%Y-%m-%d}"
