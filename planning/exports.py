"""The rows of an account's plans download (written by `kam.exports`): its plans, their commitments and
their opportunities, one table each. A fixed number of queries whatever the number of rows."""

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kam.exports import ROW_CHUNK, Sheet, choice_labels
from kam.people import person_label

from .models import Commitment, CommitmentStatus, Opportunity, OpportunityStage, Party, PeriodKind, PlanStatus
from .selectors import plans_for_account

SHEETS = ("plans", "commitments", "opportunities")
# Each sheet's labels are resolved when the sheet is made, in the request's language: its rows are
# produced later, while the response is sent.


def _plan_rows(account, kinds: dict, statuses: dict) -> Iterator[list]:
    p: Any  # annotated with its flags by `with_flags`
    for p in plans_for_account(account).iterator(chunk_size=ROW_CHUNK):
        yield [p.period_start, p.period_end, kinds.get(p.period_kind, p.period_kind),
               statuses.get(p.status, p.status), person_label(p.owner), p.pct_conocimiento, p.pct_vision,
               p.pct_compromiso, p.next_review_date, p.client_agreed_at, p.updated_at, p.is_stale,
               p.review_due, p.past_period]


def plan_sheet(account) -> Sheet:
    return Sheet(_("Plans"), [
        _("Period start"), _("Period end"), _("Period"), _("Status"), _("Owner"), "Conocimiento %", "Visión %",
        "Compromiso %", _("Next review"), _("Agreed by the client on"), _("Last edited"), _("Stale"),
        _("Review due"), _("Period over"),
    ], _plan_rows(account, choice_labels(PeriodKind.choices), choice_labels(PlanStatus.choices)))


def _commitment_rows(account, parties: dict, statuses: dict) -> Iterator[list]:
    today = timezone.localdate()
    rows = (Commitment.objects.filter(plan__account=account)
            .select_related("plan", "department", "owner", "contact")
            .order_by("-plan__period_start", "-plan_id", "due_date", "pk"))
    for c in rows.iterator(chunk_size=ROW_CHUNK):
        yield [c.plan.period_start, c.plan.period_end, parties.get(c.party, c.party),
               str(c.department) if c.department else "", person_label(c.owner),
               c.contact.name if c.contact else "", c.description, c.due_date, statuses.get(c.status, c.status),
               c.delivered_on, c.is_overdue(today)]


def commitment_sheet(account) -> Sheet:
    return Sheet(_("Commitments"), [
        _("Plan start"), _("Plan end"), _("Party"), _("Department"), _("Owner"), _("Client contact"),
        _("Commitment"), _("Due"), _("Status"), _("Delivered on"), pgettext("commitment", "Overdue"),
    ], _commitment_rows(account, choice_labels(Party.choices), choice_labels(CommitmentStatus.choices)))


def _opportunity_rows(account, commercial: bool, stages: dict) -> Iterator[list]:
    rows = (Opportunity.objects.filter(plan__account=account).select_related("plan")
            .order_by("-plan__period_start", "-plan_id", "expected_date", "pk"))
    for o in rows.iterator(chunk_size=ROW_CHUNK):
        yield [o.plan.period_start, o.plan.period_end, o.client_benefit, o.our_solution,
               stages.get(o.stage, o.stage), o.expected_date,
               *((o.value, o.probability, o.weighted_value) if commercial else (None, None, None))]


def opportunity_sheet(account, *, commercial: bool) -> Sheet:
    """Values and probabilities are commercial: blank for readers who may not see them, as on the plan."""
    return Sheet(_("Opportunities"), [
        _("Plan start"), _("Plan end"), _("Client benefit"), _("Our solution"), _("Stage"), _("Expected date"),
        _("Estimated value"), _("Probability (%)"), _("Weighted value"),
    ], _opportunity_rows(account, commercial, choice_labels(OpportunityStage.choices)))


def plan_sheets(account, *, commercial: bool) -> dict[str, Sheet]:
    return {"plans": plan_sheet(account), "commitments": commitment_sheet(account),
            "opportunities": opportunity_sheet(account, commercial=commercial)}
