"""The CVC account plan (Conocimiento, Visión, Compromiso) and what hangs from it.

A plan is "internal consumption" until the client agrees to it, so the workflow records both our
internal sign-offs and the client's agreement. `version` guards every edit of the plan's text and of
its rows against lost updates (see planning.services).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In internal review")
    COMMITTED = "committed", _("Committed (our side signed off)")
    AGREED = "agreed", _("Agreed with the client")
    CLOSED = "closed", _("Closed")


class AgreementChannel(models.TextChoices):
    MEETING = "meeting", _("In a meeting")
    EMAIL = "email", _("By e-mail")
    SIGNED = "signed", _("Signed document")
    SHARE_LINK = "share_link", _("Accepted through the share link")


# The plan's text, by CVC phase. Completeness is the share of these that are filled in, plus the
# phase's rows (see AccountPlan.compute_completeness): documented here because dashboards read it.
CONOCIMIENTO_FIELDS = ("industry_variables", "operations_state", "competitive_advantages",
                       "business_problems", "value_chain")
VISION_FIELDS = ("vision_statement",)
SUMMARY_FIELDS = ("summary", "next_review_date")
TEXT_FIELDS = SUMMARY_FIELDS + CONOCIMIENTO_FIELDS + VISION_FIELDS
# What the sponsor approves and the client agrees to in the plan's text (the next review date is
# housekeeping, not content).
MATERIAL_TEXT_FIELDS = tuple(f for f in TEXT_FIELDS if f != "next_review_date")


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


class OpportunityStage(models.TextChoices):
    IDEA = "idea", _("Idea")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSED = "proposed", _("Proposed")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


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


class Party(models.TextChoices):
    US = "us", _("Us")
    CLIENT = "client", _("Client")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")


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
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("value delivered")
        verbose_name_plural = _("value delivered")

    def __str__(self):
        return self.outcome


class ShareSection(models.TextChoices):
    """Parts of the plan that may be hidden from the client on a share link."""

    CONOCIMIENTO = "conocimiento", _("Conocimiento (our analysis of the client)")
    VISION = "vision", _("Visión")
    OPPORTUNITY_VALUES = "opportunity_values", _("Opportunity values and probabilities")
    COMMITMENTS = "commitments", _("Commitments")
    SIGNOFFS = "signoffs", _("Internal sign-offs")
    REVIEWS = "reviews", _("Reviews")
    VALUE = "value", _("Value delivered")


class ShareLink(models.Model):
    """A read-only client view of one plan. Only the SHA-256 of the token is stored, so a copy of
    the database does not hand out working links; the token itself is shown once, at creation."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("for"), max_length=160, blank=True, validators=[visible_text])
    contact = models.ForeignKey(Contact, verbose_name=_("client contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
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


class ShareComment(models.Model):
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="comments")
    author = models.CharField(_("your name"), max_length=160, validators=[visible_text])
    body = models.TextField(_("comment"), validators=[free_text_length])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("client comment")
        verbose_name_plural = _("client comments")

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


# --- Negotiation preparation -------------------------------------------------------------------

class NegotiationStrategy(models.TextChoices):
    COLLABORATIVE = "collaborative", _("Collaborative (win-win)")
    COMPETITIVE = "competitive", _("Competitive")
    ACCOMMODATING = "accommodating", _("Accommodating")
    COMPROMISE = "compromise", _("Compromise")
    AVOIDING = "avoiding", _("Avoid / postpone")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Negotiation(Attributed, models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="negotiations")
    plan = models.ForeignKey(AccountPlan, verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="negotiations")
    title = models.CharField(_("subject"), max_length=200, validators=[visible_text])
    scheduled_on = models.DateField(_("date"), null=True, blank=True, validators=[sane_date])
    our_batna = models.TextField(_("our BATNA (MAPAN)"), blank=True,
                                 help_text=_("Our best alternative if there is no agreement."),
                                 validators=[free_text_length])
    their_batna = models.TextField(_("the client's BATNA (MAPAN)"), blank=True, validators=[free_text_length])
    strategy = models.CharField(_("strategy"), max_length=14, choices=NegotiationStrategy.choices,
                                blank=True)
    strategy_notes = models.TextField(_("strategy notes"), blank=True, validators=[free_text_length])
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("negotiation")
        verbose_name_plural = _("negotiations")

    def __str__(self):
        return self.title


class NegotiationObjective(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="objectives")
    party = models.CharField(_("side"), max_length=6, choices=Party.choices)
    description = models.CharField(_("objective"), max_length=300, validators=[visible_text])
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.MEDIUM)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["party", "priority", "pk"]

    def __str__(self):
        return self.description


class NegotiationVariable(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(_("variable"), max_length=160, help_text=_("e.g. price, term, volume"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.MEDIUM)
    our_target = models.CharField(_("our target"), max_length=160)
    our_limit = models.CharField(_("our limit"), max_length=160)
    client_position = models.CharField(_("client's expected position"), max_length=160, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self):
        return self.name


class Concession(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="concessions")
    party = models.CharField(_("given by"), max_length=6, choices=Party.choices)
    description = models.CharField(_("concession"), max_length=300, validators=[visible_text])
    in_exchange_for = models.CharField(_("in exchange for"), max_length=300, blank=True)
    made_on = models.DateField(_("date"), default=timezone.localdate)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_on", "pk"]

    def __str__(self):
        return self.description


class NegotiationAgreement(Attributed, models.Model):
    """An agreement written down at the table; following it up means turning it into a commitment."""

    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="agreements")
    description = models.CharField(_("agreement"), max_length=400, validators=[visible_text])
    party = models.CharField(_("who delivers"), max_length=6, choices=Party.choices, default=Party.US)
    due_date = models.DateField(_("due"), null=True, blank=True, validators=[sane_date])
    commitment = models.OneToOneField(Commitment, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="negotiation_agreement")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description
