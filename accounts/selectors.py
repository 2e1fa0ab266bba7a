import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam import departments
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR, user_roles

from . import scoring
from .models import (
    Account,
    AccountTeamMember,
    Activity,
    Assessment,
    Attitude,
    Contact,
    DecisionRole,
    FinancialRecord,
    ImportJob,
    ImportStatus,
    Influence,
    Quadrant,
    RelationshipStageChange,
    SelectionCriterion,
    Tier,
    TierDecision,
)
from .pareto import pareto_basis, pareto_rows, pareto_summary  # noqa: F401  (re-exported: the Pareto reads)


def account_visibility_q(user) -> Q | None:
    """The filter for accounts `user` may see (None: all of them). Mirrors
    kam.permissions.can_view_account, as a query instead of a per-object test."""
    roles = user_roles(user)
    if roles & {LEAD, OPERATIONS}:
        return None
    on_team = Exists(AccountTeamMember.objects.filter(account=OuterRef("pk"), user_id=user.pk))
    q = Q(kam_id=user.pk) | Q(sponsor_id=user.pk) | Q(on_team)
    if SPONSOR in roles:
        q |= Q(tier=Tier.KEY)
    return q


def commercial_visibility_q(user) -> Q | None:
    """The filter for accounts whose commercial data (revenue, margins, contribution, CLV) `user` may
    read (None: all of them). Mirrors kam.permissions.can_view_commercial as a query."""
    roles = user_roles(user)
    if LEAD in roles:
        return None
    if not user.is_authenticated:
        return Q(pk__in=[])
    team = AccountTeamMember.objects.filter(account=OuterRef("pk"), user_id=user.pk)
    if KAM not in roles:
        team = team.filter(department__code__in=departments.COMMERCIAL)
    return Q(kam_id=user.pk) | Q(sponsor_id=user.pk) | Q(Exists(team))


def with_commercial(qs: QuerySet, user) -> QuerySet:
    """Annotate `commercial` (whether `user` reads the row's commercial data) and `revenue_visible`
    (the 12-month revenue, or NULL where it is not theirs to read, for sorting): lists hide figures
    row by row in one query."""
    q = commercial_visibility_q(user)
    if q is None:
        return qs.annotate(commercial=Value(True, output_field=BooleanField()), revenue_visible=F("revenue_12m"))
    return qs.annotate(
        commercial=Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField()),
        revenue_visible=Case(When(q, then=F("revenue_12m")), default=Value(None),
                             output_field=DecimalField(max_digits=16, decimal_places=2)))


def commercial_of_account(user, account_field: str = "account"):
    """An expression for rows of other models (incidents, touchpoints): whether `user` reads the
    commercial data of the row's account, as `with_commercial` says for accounts."""
    q = commercial_visibility_q(user)
    if q is None:
        return Value(True, output_field=BooleanField())
    return Exists(Account.objects.filter(q, pk=OuterRef(f"{account_field}_id")))


def reads_commercial_anywhere(user) -> bool:
    """Whether `user` may read the commercial data of at least one account (one query at most)."""
    if not user.is_authenticated:
        return False
    q = commercial_visibility_q(user)
    return q is None or accounts_visible_to(user, include_archived=True).filter(q).exists()


def accounts_visible_to(user, *, include_archived: bool = False) -> QuerySet[Account]:
    qs = Account.objects.select_related("kam", "sponsor")
    if not include_archived:
        qs = qs.active()
    if not user.is_authenticated:
        return qs.none()
    q = account_visibility_q(user)
    return qs if q is None else qs.filter(q)


def account_get_for_user(user, pk) -> Account:
    """The account if `user` may see it, else 404 (archived accounts stay reachable by their page)."""
    return get_object_or_404(accounts_visible_to(user, include_archived=True).select_related("parent"), pk=pk)


# --- Account page ----------------------------------------------------------------------------------
def account_team(account) -> QuerySet:
    return account.team_members.select_related("user", "department").order_by("department__order", "user__last_name")


def stage_history(account) -> QuerySet:
    return account.stage_changes.select_related("changed_by").order_by("-changed_on", "-pk")


def tier_decisions_for(account) -> QuerySet:
    return account.tier_decisions.select_related("decided_by").order_by("-decided_at", "-pk")


def latest_assessments(account) -> list:
    """Each assessor's latest assessment of the account (one query; an account has few assessments)."""
    latest: dict[int, Assessment] = {}
    for a in (Assessment.objects.filter(account=account).select_related("assessor")
              .order_by("-assessed_on", "-pk")):
        latest.setdefault(a.assessor_id, a)
    return list(latest.values())


def revenue_trend(account, months: int = 24, today=None) -> list[dict]:
    """Monthly revenue of the last `months` complete months, with months without a record as zero so
    the chart shows gaps as gaps in business, not as missing points."""
    _start, end = trailing_window(today)
    first = end
    for _i in range(months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    records = {r.month: r for r in FinancialRecord.objects.filter(account=account, month__gte=first, month__lt=end)}
    rows = []
    month = first
    while month < end:
        r = records.get(month)
        rows.append({"month": month, "revenue": r.revenue if r else Decimal(0),
                     "cost_of_goods": r.cost_of_goods if r else Decimal(0),
                     "cost_to_serve": r.cost_to_serve if r else Decimal(0), "recorded": r is not None})
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return rows


def revenue_change(trend: list[dict]) -> Decimal | None:
    """Last 12 months against the 12 before, as a percentage (None without a base)."""
    if len(trend) < 24:
        return None
    previous = sum(r["revenue"] for r in trend[:12])
    current = sum(r["revenue"] for r in trend[12:])
    if previous <= 0:
        return None
    return ((current - previous) / previous * 100).quantize(Decimal("0.1"))


# --- Relationship map ------------------------------------------------------------------------------
@dataclass
class OrgNode:
    contact: Contact
    children: list = field(default_factory=list)


def relationship_map(account) -> dict:
    """The org chart (current people nested by reports-to), the people who left, and coverage warnings;
    from one query."""
    contacts = list(Contact.objects.filter(account=account).select_related("owner", "successor", "reports_to")
                    .order_by("name"))
    current = [c for c in contacts if c.left_at is None]
    days = _stakeholder_contact_days()
    before = timezone.localdate() - datetime.timedelta(days=days)
    for c in current:
        c.not_contacted_lately = stakeholder_is_stale(c, before=before)  # type: ignore[attr-defined]
    nodes = {c.pk: OrgNode(c) for c in current}
    roots = []
    for c in current:
        parent = nodes.get(c.reports_to_id) if c.reports_to_id is not None else None
        # A reports-to chain that loops or points at someone who left starts a new root.
        if parent is not None and not _creates_cycle(c, nodes):
            parent.children.append(nodes[c.pk])
        else:
            roots.append(nodes[c.pk])
    return {"roots": roots, "current": current, "gone": [c for c in contacts if c.left_at is not None],
            "warnings": coverage_warnings(current) + stale_warnings(current, days),
            "stakeholder_days": days}


# Who the relationship hangs on: the client's decision makers and our champions there.
KEY_STAKEHOLDER = Q(decision_role=DecisionRole.DECISION_MAKER) | Q(attitude=Attitude.CHAMPION)


def _stakeholder_contact_days() -> int:
    return ProgrammeSettings.current().stakeholder_contact_days


def stakeholder_is_stale(contact, *, before: datetime.date) -> bool:
    """A decision maker or champion still at the client, not contacted since `before` (or never): the
    programme's rule (`ProgrammeSettings.stakeholder_contact_days`); `stale_stakeholders` is its query."""
    key = contact.decision_role == DecisionRole.DECISION_MAKER or contact.attitude == Attitude.CHAMPION
    return (key and contact.left_at is None and contact.erased_at is None
            and (contact.last_contact_date is None or contact.last_contact_date < before))


def stale_stakeholders(accounts_qs, *, today: datetime.date | None = None,
                       days: int | None = None) -> QuerySet[Contact]:
    """The key stakeholders of `accounts_qs` not contacted within the programme's days, longest
    silent first (never contacted before all), with their account."""
    today = today or timezone.localdate()
    before = today - datetime.timedelta(days=days if days is not None else _stakeholder_contact_days())
    return (Contact.objects.filter(KEY_STAKEHOLDER, account__in=accounts_qs, left_at__isnull=True,
                                   erased_at__isnull=True)
            .filter(Q(last_contact_date__isnull=True) | Q(last_contact_date__lt=before))
            .select_related("account", "owner")
            .order_by(F("last_contact_date").asc(nulls_first=True), "account__name", "name", "pk"))


def stale_warnings(current_contacts, days: int) -> list[dict]:
    return [{"code": "not_contacted", "contact": c,
             "message": _("%(name)s (%(role)s) has not been contacted in the last %(days)d days.")
             % {"name": c.name, "days": days,
                "role": _("champion") if c.attitude == Attitude.CHAMPION else _("decision maker")}}
            for c in current_contacts if getattr(c, "not_contacted_lately", False)]


def _creates_cycle(contact, nodes) -> bool:
    seen = {contact.pk}
    node = nodes.get(contact.reports_to_id)
    while node is not None:
        if node.contact.pk in seen:
            return True
        seen.add(node.contact.pk)
        node = nodes.get(node.contact.reports_to_id)
    return False


def has_champion() -> Exists:
    """For an account query: whether someone still at the client champions us."""
    return Exists(Contact.objects.filter(account=OuterRef("pk"), left_at__isnull=True, attitude=Attitude.CHAMPION))


def coverage_warnings(current_contacts) -> list[dict]:
    """Gaps in our coverage of the client's buying centre (people still in the company only)."""
    warnings = []
    if current_contacts and not any(c.attitude == Attitude.CHAMPION for c in current_contacts):
        warnings.append({"code": "no_champion", "message": _("Nobody at the client champions us.")})
    if not current_contacts:
        warnings.append({"code": "no_contacts", "message": _("No contacts recorded: add the client's people.")})
    for c in current_contacts:
        if c.decision_role == DecisionRole.DECISION_MAKER and c.owner_id is None:
            warnings.append({"code": "unowned_decision_maker", "contact": c,
                             "message": _("%(name)s is a decision maker nobody on our side owns.") % {"name": c.name}})
        if c.attitude == Attitude.BLOCKER and c.influence == Influence.HIGH:
            warnings.append({"code": "influential_blocker", "contact": c,
                             "message": _("%(name)s blocks us and has high influence.") % {"name": c.name}})
    return warnings


# --- Programme: Pareto, portfolio, tier mismatches -------------------------------------------------
def portfolio_points(accounts_qs: QuerySet) -> list[dict]:
    """One bubble per assessed account of `accounts_qs` (annotated by `with_commercial`): x strength,
    y attractiveness, r from 12-month revenue. No URL per
    point: the chart builds each from `portfolio_detail_url()` and the id (reversing two thousand URLs
    took most of the view, and they were a third of the page's weight)."""
    rows = list(accounts_qs.filter(attractiveness__isnull=False, strength__isnull=False)
                .order_by(F("revenue_visible").desc(nulls_last=True), "pk")
                .values("pk", "name", "tier", "attractiveness", "strength", "revenue_visible", "quadrant"))
    top = max((r["revenue_visible"] or Decimal(0) for r in rows), default=Decimal(0))
    # An account whose figures the reader may not see is drawn at the floor, without its revenue.
    return [{"id": r["pk"], "name": r["name"], "tier": r["tier"], "x": float(r["strength"]),
             "y": float(r["attractiveness"]),
             "revenue": None if r["revenue_visible"] is None else float(r["revenue_visible"]),
             "r": bubble_radius(r["revenue_visible"], top), "quadrant": r["quadrant"]} for r in rows]


def bubble_radius(revenue: Decimal | None, top: Decimal) -> float:
    """An account's bubble on the portfolio matrix, wherever it is drawn: its area, not its radius,
    proportional to 12-month revenue (`top` is the largest shown); a floor keeps small accounts clickable."""
    share = float(max(revenue or Decimal(0), Decimal(0)) / top) if top > 0 else 0.0
    return round(4 + 22 * share ** 0.5, 1)


def portfolio_scales() -> dict:
    """The portfolio matrix's axes (Chart.js scales), wherever it is drawn: relative strength across,
    growing to the right, attractiveness up, both 0–100; so strategic accounts are top right."""
    return {"x": {"min": 0, "max": 100, "title": {"display": True, "text": str(_("Our relative strength"))}},
            "y": {"min": 0, "max": 100, "title": {"display": True, "text": str(_("Account attractiveness"))}}}


def portfolio_detail_url() -> str:
    """The account page URL with 0 for the id, for the chart script to substitute."""
    return reverse("accounts:detail", args=[0])


MISMATCH_LABELS = {
    "key_streamline": gettext_lazy("Key account in Streamline (low attractiveness, low strength)"),
    "key_losing_money": gettext_lazy("Key account that loses money (negative contribution)"),
    "key_class_c": gettext_lazy("Key account in Pareto class C"),
    "key_unassessed": gettext_lazy("Key account never assessed"),
    "strategic_not_key": gettext_lazy("Strategic account outside the programme"),
}


def tier_mismatches(accounts_qs: QuerySet | None = None) -> QuerySet:
    """The one rule for "evidence that disagrees with the tier", used by every page that lists it
    (selection, programme dashboard, Pareto): active accounts of `accounts_qs` (default: all), each
    annotated with `mismatch`, the code in MISMATCH_LABELS of the first rule that applies. A key account
    disagrees when the portfolio puts it in Streamline, it loses money (negative CLV, which has the sign
    of its contribution), its revenue is in Pareto class C, or nobody has assessed it; an account outside
    the programme disagrees when the portfolio calls it Strategic. Revenue alone does not make a key
    account: a large buyer in Status or Streamline is served well, not partnered. One query."""
    qs = accounts_qs if accounts_qs is not None else Account.objects.select_related("kam", "sponsor")
    # Every rule needs a key account or a Strategic one: said first, it lets the indexes on tier and
    # quadrant pick the few candidates instead of evaluating the rules over every account.
    candidates = Q(tier=Tier.KEY) | Q(quadrant=Quadrant.STRATEGIC)
    return (qs.filter(candidates, archived_at__isnull=True).annotate(mismatch=Case(
        When(tier=Tier.KEY, quadrant=Quadrant.STREAMLINE, then=Value("key_streamline")),
        When(tier=Tier.KEY, clv__lt=0, then=Value("key_losing_money")),
        When(tier=Tier.KEY, pareto_class="C", then=Value("key_class_c")),
        When(tier=Tier.KEY, attractiveness__isnull=True, then=Value("key_unassessed")),
        When(~Q(tier=Tier.KEY) & Q(quadrant=Quadrant.STRATEGIC), then=Value("strategic_not_key")),
        default=Value(""), output_field=CharField()))
        .exclude(mismatch="").order_by("tier", "name", "pk"))


def programme_size() -> dict:
    from kam.models import ProgrammeSettings

    cap = ProgrammeSettings.current().key_account_cap
    count = Account.objects.active().key().count()
    return {"count": count, "cap": cap, "over": count > cap, "free": max(cap - count, 0),
            "pct": min(round(count / cap * 100) if cap else 100, 100)}


def recent_tier_decisions() -> QuerySet:
    return TierDecision.objects.select_related("account", "decided_by").order_by("-decided_at", "-pk")


def unique_criterion_code(name: str) -> str:
    base = slugify(name)[:34] or "criterion"
    code, n = base, 2
    while SelectionCriterion.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


# --- Personal data (the programme lead's export) ---------------------------------------------------
def _contact_row(contact) -> dict:
    return {
        "id": contact.pk, "account": contact.account.name, "name": contact.name, "email": contact.email,
        "phone": contact.phone, "position": contact.position,
        "reports_to": contact.reports_to.name if contact.reports_to_id else "",
        "influence": contact.get_influence_display(), "attitude": contact.get_attitude_display(),
        "decision_role": contact.get_decision_role_display(), "our_relationship_owner": person_label(contact.owner),
        "last_contact_date": contact.last_contact_date, "left_at": contact.left_at,
        "successor": contact.successor.name if contact.successor_id else "", "notes": contact.notes,
        "erased_at": contact.erased_at,
    }


def contact_mention_terms(contact) -> tuple[str, ...]:
    """The names and addresses the export searches for, and the erasure replaces, in free text."""
    from . import personal_data

    return personal_data.Person.of(contact).terms


def contact_personal_data(contact) -> dict:
    """Everything held about one client contact, from every app (accounts.personal_data): the contact
    and its history, then each app's sections. Plain values only, for JSON and for the page alike."""
    from kam.models import Notification

    from . import personal_data

    contact = Contact.objects.select_related("account", "reports_to", "successor", "owner").get(pk=contact.pk)
    person = personal_data.Person.of(contact)
    account = contact.account
    history = [
        {"when": h.history_date, "change": h.get_history_type_display(), "by": person_label(h.history_user),
         "name": h.name, "email": h.email, "phone": h.phone, "position": h.position, "notes": h.notes,
         "left_at": h.left_at}
        for h in contact.history.select_related("history_user").order_by("history_date", "history_id")
    ]
    activities = [
        {"when": a.occurred_at, "kind": a.get_kind_display(), "by": person_label(a.actor), "summary": a.summary}
        for a in Activity.objects.filter(account=account).filter(person.q("summary")).select_related("actor")
        .order_by("occurred_at", "pk") if person.mentioned_in(a.summary)
    ]
    texts = (personal_data.mentions(person, Contact.objects.filter(account=account).exclude(pk=contact.pk), ["notes"])
             + personal_data.mentions(person, RelationshipStageChange.objects.filter(account=account), ["note"])
             + personal_data.mentions(person, TierDecision.objects.filter(account=account), ["reason"]))
    notifications = [
        {"when": n.created_at, "recipient": person_label(n.recipient), "title": n.title, "body": n.body}
        for n in Notification.objects.filter(person.q("title", "body")).select_related("recipient")
        .order_by("created_at", "pk") if person.mentioned_in(n.title) or person.mentioned_in(n.body)
    ]
    sections = [
        personal_data.Section("contact", _("The contact"), [_contact_row(contact)]),
        personal_data.Section("contact_history", _("Every saved version of the contact"), history),
        personal_data.Section("activities", _("Account events mentioning them"), activities),
        personal_data.Section("account_texts", _("Other account records mentioning them"), texts),
        personal_data.Section("notifications", _("Notifications to our people mentioning them"), notifications),
    ]
    for source in personal_data.sources():
        sections.extend(source.export(person))
    return {"contact_id": contact.pk, "account": account.name, "searched_for": list(person.terms),
            "sections": [{"key": s.key, "title": str(s.title), "rows": s.rows} for s in sections]}


# --- Reads the services decide on ------------------------------------------------------------------
def criteria_specs(criteria=None) -> dict[int, scoring.CriterionSpec]:
    if criteria is None:
        criteria = SelectionCriterion.objects.filter(active=True)
    return {c.pk: scoring.CriterionSpec(c.pk, c.axis, c.weight, c.scale_max) for c in criteria if c.active}


def tier_evidence(account: Account) -> dict:
    """The facts a tier decision stands on, frozen into the decision as they are now."""
    def num(v):
        return None if v is None else str(v)
    return {
        "attractiveness": num(account.attractiveness),
        "strength": num(account.strength),
        "quadrant": account.quadrant,
        "pareto_class": account.pareto_class,
        "revenue_12m": num(account.revenue_12m),
        "relationship_stage": account.relationship_stage,
        "health_score": account.health_score,
    }


def key_account_count(exclude_pk=None) -> int:
    qs = Account.objects.active().key()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


def trailing_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve complete months: [first day 12 months before this month, first day of this month).
    The running month is left out because its figures are partial until the ERP closes it."""
    today = today or timezone.localdate()
    end = today.replace(day=1)
    start = end.replace(year=end.year - 1)
    return start, end


# --- Imports -----------------------------------------------------------------------------------------


def import_progress_key(job_id: int) -> str:
    return f"kam:import-job:{job_id}:progress"


def import_jobs():
    """Every import, newest first, without the files' bytes."""
    return ImportJob.objects.defer("data", "checked_plan").select_related("created_by")


def import_job_get(pk: int) -> ImportJob:
    """One import (the programme lead sees every import; the view checks the role)."""
    return get_object_or_404(import_jobs(), pk=pk)


def import_job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) of an import: the running import's latest count from the cache, else what
    its row says (see accounts.services.imports._ProgressRecorder)."""
    if job.status == ImportStatus.RUNNING:
        cached = cache.get(import_progress_key(job.pk))
        if cached:
            return int(cached[0]), int(cached[1])
    return job.rows_done, job.rows_total


def contact_language(contact) -> str:
    """The language to write to a client contact in (e-mails, documents): their own, else the
    programme's default. Share links and surveys both follow it."""
    return contact.language if contact is not None and contact.language else settings.LANGUAGE_CODE


def contact_page_language(contact) -> str:
    """The contact's own language for a client page, or "" to follow the browser."""
    return contact.language if contact is not None else ""
