"""Choices and field-name constants of the account plan, its rows, sharing and negotiation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class OpportunityStage(models.TextChoices):
    IDEA = "idea", _("Idea")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSED = "proposed", _("Proposed")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Party(models.TextChoices):
    US = "us", _("Us")
    CLIENT = "client", _("Client")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")


class ShareSection(models.TextChoices):
    """Parts of the plan that may be hidden from the client on a share link."""

    CONOCIMIENTO = "conocimiento", _("Conocimiento (our analysis of the client)")
    VISION = "vision", _("Visión")
    OPPORTUNITY_VALUES = "opportunity_values", _("Opportunity values and probabilities")
    COMMITMENTS = "commitments", _("Commitments")
    SIGNOFFS = "signoffs", _("Internal sign-offs")
    REVIEWS = "reviews", _("Reviews")
    VALUE = "value", _("Value delivered")


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
