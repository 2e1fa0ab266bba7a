"""The CVC account plan (Conocimiento, Visión, Compromiso) and what hangs from it, by concern."""

from .choices import (
    CONOCIMIENTO_FIELDS,
    MATERIAL_TEXT_FIELDS,
    SUMMARY_FIELDS,
    TEXT_FIELDS,
    VISION_FIELDS,
    AgreementChannel,
    CommitmentStatus,
    NegotiationStrategy,
    OpportunityStage,
    Party,
    PeriodKind,
    PlanStatus,
    Priority,
    ShareSection,
)
from .client import (
    ClientAction,
    ClientActionKind,
    ClientMessage,
    ClientSession,
    ClientThread,
    ShareCode,
    ThreadKind,
)
from .negotiation import Concession, Negotiation, NegotiationAgreement, NegotiationObjective, NegotiationVariable
from .plan import AccountPlan, AgreedVersion, SignOff
from .rows import Commitment, KnowledgeTask, Opportunity, PlanReview, ValueDelivered
from .sharing import ShareLink, ShareView

__all__ = [
    "CONOCIMIENTO_FIELDS", "MATERIAL_TEXT_FIELDS", "SUMMARY_FIELDS", "TEXT_FIELDS", "VISION_FIELDS",
    "AgreementChannel", "CommitmentStatus", "NegotiationStrategy", "OpportunityStage", "Party", "PeriodKind",
    "PlanStatus", "Priority", "ShareSection",
    "AccountPlan", "AgreedVersion", "SignOff",
    "Commitment", "KnowledgeTask", "Opportunity", "PlanReview", "ValueDelivered",
    "ShareLink", "ShareView",
    "ClientAction", "ClientActionKind", "ClientMessage", "ClientSession", "ClientThread", "ShareCode", "ThreadKind",
    "Concession", "Negotiation", "NegotiationAgreement", "NegotiationObjective", "NegotiationVariable",
]
