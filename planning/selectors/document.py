"""The plan as a document: what the client sees through a share link, and our own print. Which sections
a reader may see is decided here, once: a hidden section is neither fetched nor handed to the template,
which renders what it is given."""


from django.utils import timezone

from kam.tokens import token_hash

from .. import workflow
from ..models import Party, ShareLink, ShareSection
from .approvals import agreement_marks
from .client import changes_requested, client_targets, client_threads

# Readers without commercial access print what they may read on screen, nothing more.
NOT_COMMERCIAL = frozenset({ShareSection.OPPORTUNITY_VALUES, "value_amounts"})


def _commitments(plan, changes, *, internal: bool) -> dict:
    commitments = list(plan.commitments.select_related("department", "contact", "owner"))
    if internal:  # our own print marks what is late; the client's copy does not
        today = timezone.localdate()
        for c in commitments:
            c.overdue = c.is_overdue(today)
    return {"us": [c for c in commitments if c.party == Party.US],
            "client": [c for c in commitments if c.party == Party.CLIENT],
            "removed": changes["removed"] if changes else []}


def document_sections(plan, hidden=frozenset(), *, internal: bool = False) -> dict:
    """The sections of the plan's document a reader may see, each None when hidden (or, for reviews and
    value delivered, when there is nothing to show), plus the marks of what changed since the client's
    agreement in the visible ones (`agreement_marks`)."""
    marks = agreement_marks(plan, hidden)
    sections = {
        "conocimiento": ({"tasks": list(plan.tasks.all())} if ShareSection.CONOCIMIENTO not in hidden else None),
        "vision": ({"opportunities": list(plan.opportunities.all()),
                    "values": ShareSection.OPPORTUNITY_VALUES not in hidden}
                   if ShareSection.VISION not in hidden else None),
        "commitments": (_commitments(plan, marks["changes"], internal=internal)
                        if ShareSection.COMMITMENTS not in hidden else None),
        "signoffs": (list(plan.signoffs.filter(cleared_at__isnull=True).select_related("department", "signed_by"))
                     if ShareSection.SIGNOFFS not in hidden else None),
        "reviews": list(plan.reviews.all()) if ShareSection.REVIEWS not in hidden else None,
        "value": None,
    }
    if ShareSection.VALUE not in hidden:
        entries = list(plan.value_entries.all())
        sections["value"] = {"entries": entries, "amounts": "value_amounts" not in hidden} if entries else None
    return {"sections": sections, **marks}


def share_link_resolve(token: str) -> ShareLink | None:
    """The active link for `token`, or None for unknown, expired and revoked alike (the caller shows
    one page for all three, revealing nothing)."""
    if not token or len(token) > 100:
        return None
    link = (ShareLink.objects.select_related("plan__account", "contact")
            .filter(token_hash=token_hash(token)).first())
    if link is None or not link.is_active():
        return None
    return link


def share_document(link) -> dict:
    """What the verified client sees through `link` (an active link): the sections it does not hide,
    what they may act on, their requests with our answers, and whether the plan awaits their agreement
    (it does not while conditions they set are unanswered)."""
    plan = link.plan
    document = document_sections(plan, set(link.hidden_sections))
    return {"plan": plan, "link": link, **document, **client_targets(link, document["sections"]),
            "threads": client_threads(link),
            "changes_requested": changes_requested(plan), "actions": workflow.allowed(plan.status)}


def print_document(plan) -> dict:
    """Our own print of the plan (from `plan_get_for_user`): all of it, but commercial figures only for
    readers who may see them."""
    hidden = frozenset() if getattr(plan, "commercial", False) else NOT_COMMERCIAL
    return {"plan": plan, **document_sections(plan, hidden, internal=True), "internal": True,
            "now": timezone.now()}
