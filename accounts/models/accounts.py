"""Accounts, their teams and contacts, monthly financials and the event stream."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam import messages
from kam.history import Attributed
from kam.models import Department
from kam.validators import free_text_length, iso_country, sane_date, visible_text


class Tier(models.TextChoices):
    KEY = "key", _("Key account")
    DEVELOPMENT = "development", _("Development")
    STANDARD = "standard", _("Standard")


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active customer")
    INACTIVE = "inactive", _("Inactive")


class RelationshipStage(models.TextChoices):
    """Relationship development stages (after Millman & Wilson)."""

    EXPLORATORY = "exploratory", _("Exploratory")
    BASIC = "basic", _("Basic")
    COOPERATIVE = "cooperative", _("Cooperative")
    INTERDEPENDENT = "interdependent", _("Interdependent")
    INTEGRATED = "integrated", _("Integrated")
    DISINTEGRATING = "disintegrating", _("Disintegrating")


class Industry(models.TextChoices):
    OIL_GAS = "oil_gas", _("Oil & gas")
    STEEL = "steel", _("Steel")
    MINING = "mining", _("Mining")
    RETAIL = "retail", _("Retail chains")
    FOOD = "food", _("Food & beverage")
    CHEMICALS = "chemicals", _("Chemicals")
    AUTOMOTIVE = "automotive", _("Automotive")
    UTILITIES = "utilities", _("Utilities")
    CONSTRUCTION = "construction", _("Construction")
    PHARMA = "pharma", _("Pharmaceuticals")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class Quadrant(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    STAR = "star", _("Star")
    STATUS = "status", _("Status")
    STREAMLINE = "streamline", _("Streamline")


class ParetoClass(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class AccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def key(self):
        return self.filter(tier=Tier.KEY)


class Account(Attributed, models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[visible_text])
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    customer_number = models.CharField(_("customer number"), max_length=40, blank=True, default="",
                                       db_default="",
                                       help_text=_("The customer's id in the ERP; imports match accounts by it."))
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, default=Industry.OTHER)
    country = models.CharField(_("country"), max_length=2, default="ES", validators=[iso_country],
                               help_text=_("ISO 3166 code, e.g. ES"))
    region = models.CharField(_("region"), max_length=100, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent account"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    status = models.CharField(_("status"), max_length=20, choices=AccountStatus.choices,
                              default=AccountStatus.ACTIVE)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    kam = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("key account manager"), null=True,
                            blank=True, on_delete=models.PROTECT, related_name="kam_accounts")
    sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("executive sponsor"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="sponsored_accounts")
    relationship_stage = models.CharField(_("relationship stage"), max_length=20,
                                          choices=RelationshipStage.choices,
                                          default=RelationshipStage.EXPLORATORY)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Denormalised figures, written by the services that own them (scores by assessments, Pareto by
    # the revenue recompute, health and CLV by metrics), so lists sort and filter on indexed columns.
    revenue_12m = models.DecimalField(_("12-month revenue"), max_digits=16, decimal_places=2, default=0)
    pareto_class = models.CharField(_("Pareto class"), max_length=1, choices=ParetoClass.choices, blank=True)
    attractiveness = models.DecimalField(_("attractiveness"), max_digits=5, decimal_places=2, null=True,
                                         blank=True)
    strength = models.DecimalField(_("relative strength"), max_digits=5, decimal_places=2, null=True,
                                   blank=True)
    quadrant = models.CharField(_("quadrant"), max_length=20, choices=Quadrant.choices, blank=True)
    health_score = models.PositiveSmallIntegerField(_("health"), null=True, blank=True)
    clv = models.DecimalField(_("CLV"), max_digits=16, decimal_places=2, null=True, blank=True)
    metrics_updated_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: an edit made on a stale copy of the account is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    # The version is kept: an edit refused as stale says what changed since the version it started from.
    history = HistoricalRecords(excluded_fields=["revenue_12m", "pareto_class", "health_score", "clv",
                                                 "metrics_updated_at", "updated_at"])
    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["tax_id"], condition=~Q(tax_id=""), name="account_tax_id_unique"),
            models.UniqueConstraint(fields=["customer_number"], condition=~Q(customer_number=""),
                                    name="account_customer_number_unique"),
        ]
        indexes = [
            models.Index(fields=["tier", "name"]),
            models.Index(fields=["kam", "name"]),
            models.Index(fields=["sponsor", "name"]),
            models.Index(fields=["-revenue_12m"]),
            models.Index(fields=["health_score"]),
            models.Index(fields=["clv"]),
            models.Index(fields=["quadrant"]),
            models.Index(fields=["pareto_class"]),
            # The account list's default order and every count of active accounts (an index-only scan
            # instead of reading the table at 100,000 accounts); the portfolio's assessed accounts.
            models.Index(fields=["name", "id"], condition=Q(archived_at__isnull=True), name="account_active_name_idx"),
            models.Index(fields=["-attractiveness", "-strength", "id"], name="account_assessed_idx",
                         condition=Q(archived_at__isnull=True, attractiveness__isnull=False,
                                     strength__isnull=False)),
            # The portfolio's count of accounts nobody has assessed yet, most of a large base.
            models.Index(fields=["id"], condition=Q(archived_at__isnull=True, attractiveness__isnull=True),
                         name="account_unassessed_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def country_name(self) -> str:
        """The country's name in the reader's language (django-countries), or its code if unknown."""
        from django_countries import countries

        return str(countries.name(self.country)) or self.country

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_key(self) -> bool:
        return self.tier == Tier.KEY


class AccountTeamMember(Attributed, models.Model):
    """A person of ours, from any department, on the account's team. Drives object permissions."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                             related_name="account_memberships")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT)
    role = models.CharField(_("role on the account"), max_length=120, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking, as on Account
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__order", "user__last_name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="team_member_once")]

    def __str__(self):
        return f"{self.user} · {self.account}"


class Influence(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class Attitude(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    SCEPTIC = "sceptic", _("Sceptic")
    BLOCKER = "blocker", _("Blocker")


class DecisionRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    BUYER = "buyer", _("Buyer")
    TECHNICAL = "technical", _("Technical evaluator")
    NONE = "none", _("None")


class Contact(Attributed, models.Model):
    """One of the client's people. The position outlives the person: when someone leaves, the
    successor takes the position and the history stays."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=160, validators=[visible_text])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=160, blank=True)
    # What we write to the person in (the client survey's e-mail and page); empty: the programme's.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    reports_to = models.ForeignKey("self", verbose_name=_("reports to"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="direct_reports")
    influence = models.PositiveSmallIntegerField(_("influence"), choices=Influence.choices,
                                                 default=Influence.MEDIUM)
    attitude = models.CharField(_("attitude"), max_length=20, choices=Attitude.choices,
                                default=Attitude.NEUTRAL)
    decision_role = models.CharField(_("decision role"), max_length=20, choices=DecisionRole.choices,
                                     default=DecisionRole.NONE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("our relationship owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="owned_contacts")
    last_contact_date = models.DateField(_("last contact"), null=True, blank=True, validators=[sane_date])
    left_at = models.DateField(_("left the company on"), null=True, blank=True, validators=[sane_date])
    successor = models.ForeignKey("self", verbose_name=_("successor"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="predecessors")
    notes = models.TextField(_("notes"), blank=True, validators=[free_text_length])
    # Set by the erasure (accounts.services.contact_erase): the row stays, anonymised, so that what
    # pointed at the person (touchpoints, commitments, the org chart) still points somewhere.
    erased_at = models.DateTimeField(_("personal data erased on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking, as on Account
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["account", "left_at"])]

    def __str__(self):
        return f"{self.name} ({self.position})" if self.position else self.name

    @property
    def is_gone(self) -> bool:
        return self.left_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class FinancialRecord(models.Model):
    """One account's month: revenue, cost of goods and the cost to serve entered or imported from
    the ERP. Incident and touchpoint costs are added on top by metrics."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="financials")
    month = models.DateField(_("month"), help_text=_("First day of the month"), validators=[sane_date])
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, default=0)
    cost_of_goods = models.DecimalField(_("cost of goods"), max_digits=14, decimal_places=2, default=0)
    cost_to_serve = models.DecimalField(_("cost to serve"), max_digits=14, decimal_places=2, default=0)
    # The import row that wrote these figures (accounts.imports.financials.row_digests); empty once they
    # are written any other way. A row of a later file with the same digest is known unchanged.
    source_digest = models.BigIntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["source_digest"])

    class Meta:
        ordering = ["account", "-month"]
        verbose_name = _("monthly financials")
        verbose_name_plural = _("monthly financials")
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="financial_month_once")]
        indexes = [models.Index(fields=["month", "account"]),
                   models.Index(fields=["source_digest"], name="financial_source_digest",
                                condition=models.Q(source_digest__isnull=False))]

    def __str__(self):
        return f"{self.account} {self.month:%Y-%m}"


class ActivityKind(models.TextChoices):
    """Kinds of events on an account's stream; apps add rows through `activity_record`."""

    TOUCHPOINT = "touchpoint", _("Touchpoint")
    INCIDENT_OPENED = "incident_opened", _("Incident opened")
    INCIDENT_UPDATED = "incident_updated", _("Incident updated")
    INCIDENT_BREACHED = "incident_breached", _("SLA breached")
    SPONSOR_VISIT = "sponsor_visit", _("Sponsor visit")
    FEEDBACK = "feedback", _("Client feedback")
    PLAN_EVENT = "plan_event", _("Plan")
    TIER_DECISION = "tier_decision", _("Tier decision")
    STAGE_CHANGE = "stage_change", _("Relationship stage")
    ASSESSMENT = "assessment", _("Assessment")
    ACCOUNT = "account", _("Account")


class Activity(models.Model):
    """Each account's event stream. The timeline is one indexed query over this table."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    subkind = models.CharField(_("detail"), max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(_("summary"), max_length=300)
    link = models.CharField(max_length=300, blank=True)
    # Plan events carry commercial content that operations must not read.
    commercial = models.BooleanField(default=False)
    # The event as a kind of kam.messages plus its parameters, put into words in the reader's language;
    # `summary` (in the writer's) is what rows without a kind show.
    message = models.CharField(max_length=60, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "-occurred_at", "-id"]),
            models.Index(fields=["account", "kind", "-occurred_at"]),
            models.Index(fields=["account", "department", "-occurred_at"]),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return messages.text_or(self.message, self.params, self.summary)


class RelationshipStageChange(models.Model):
    """The dated history of an account's relationship stage: KAM takes years, and how the relationship
    moved (or slid back into Disintegrating) is part of the evidence for tier decisions."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=RelationshipStage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=RelationshipStage.choices)
    changed_on = models.DateField(_("since"), default=timezone.localdate, validators=[sane_date])
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A backdated change relinks the next one (its "from"): the earlier link stays here.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-changed_on", "-pk"]
        verbose_name = _("relationship stage change")
        verbose_name_plural = _("relationship stage changes")
        indexes = [models.Index(fields=["account", "-changed_on"])]

    def __str__(self):
        return f"{self.account}: {self.get_to_stage_display()} ({self.changed_on})"
