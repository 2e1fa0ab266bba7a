"""Reads of the client's side of a share link: the codes' rules, the client's session, what the client
may act on through a link, and the client's activity and requests as the plan page shows them."""


from django.db.models import Prefetch
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kam.tokens import token_hash

from ..models import (
    ClientAction,
    ClientMessage,
    ClientSession,
    ClientThread,
    Party,
    ShareLink,
    ShareSection,
    ThreadKind,
)

# A code is six digits, lives ten minutes and allows five tries: a guesser has five chances in a
# million per code, and a new code needs a request that the rate limits count.
CODE_DIGITS = 6
CODE_MINUTES = 10
CODE_TRIES = 5
# A verified client's session: long enough to read and discuss a plan, short enough that a borrowed
# computer does not keep it open for the day.
CLIENT_SESSION_HOURS = 4
# Sections the client may ask to change (the summary and the general "the plan as a whole" always).
GENERAL = "general"


def code_hash(link_id: int, code: str) -> str:
    # Keyed (the site's secret) and tied to the link: six digits hashed bare are read back by trying
    # all of them.
    return salted_hmac("planning.share-code", f"{link_id}:{code}", algorithm="sha256").hexdigest()


def session_key_hash(key: str) -> str:
    return token_hash(key)


def masked_email(email: str) -> str:
    """Enough of the address for the client to recognise it, not enough to harvest it."""
    name, _sep, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else "•••"


def client_session_resolve(link: ShareLink, key: str | None) -> ClientSession | None:
    """The verified session of `link` whose key the browser holds, or None. A key of another link, an
    ended or expired session, or a link no longer active opens nothing."""
    if not key or len(key) > 100 or not link.is_active():
        return None
    return (ClientSession.objects.select_related("contact")
            .filter(link=link, key_hash=session_key_hash(key), ended_at__isnull=True,
                    expires_at__gt=timezone.now()).first())


def changes_requested(plan) -> bool:
    """The client accepted with conditions we have not yet resolved by sharing the plan again: the plan
    is not agreed, and the client cannot accept it until we have."""
    return ClientThread.objects.filter(plan=plan, kind=ThreadKind.CONDITIONS, resolved_at__isnull=True).exists()


def _threads(qs):
    return qs.select_related("contact", "commitment").prefetch_related(
        Prefetch("messages", queryset=ClientMessage.objects.select_related("author_contact", "author_user")))


def client_targets(link: ShareLink, sections: dict | None = None) -> dict:
    """What the client may act on through `link`: their own commitments and the value entries, each only
    when the link shows its section, and the sections they may ask to change. `sections` (the
    document's, from `document_sections`) saves fetching the rows again."""
    hidden = set(link.hidden_sections)
    plan = link.plan
    if sections is None:
        commitments = ([] if ShareSection.COMMITMENTS in hidden
                       else list(plan.commitments.select_related("contact")))
        values = [] if ShareSection.VALUE in hidden else list(plan.value_entries.all())
    else:
        shown = sections["commitments"]
        commitments = shown["us"] + shown["client"] if shown else []
        values = sections["value"]["entries"] if sections["value"] else []
    request_sections = [(GENERAL, None)] + [(key, label) for key, label in ShareSection.choices
                                            if key in (ShareSection.CONOCIMIENTO, ShareSection.VISION,
                                                       ShareSection.COMMITMENTS, ShareSection.REVIEWS)
                                            and key not in hidden]
    # Requests may name any commitment the link shows, ours too: asking us to change ours is the point.
    return {"client_commitments": [c for c in commitments if c.party == Party.CLIENT], "value_entries": values,
            "request_sections": request_sections, "request_commitments": commitments}


def client_threads(link: ShareLink) -> list[ClientThread]:
    """The requests made on the plan through this link, with our answers: never another link's."""
    return list(_threads(ClientThread.objects.filter(link=link)))


def plan_client_activity(plan) -> dict:
    """The plan page's "client" panel: the client's recent actions and every request thread."""
    actions = list(ClientAction.objects.filter(plan=plan).select_related("contact")[:30])
    threads = list(_threads(ClientThread.objects.filter(plan=plan)))
    return {"client_actions": actions, "client_threads": threads, "changes_requested": changes_requested(plan),
            "open_requests": sum(1 for t in threads if t.answered_at is None and t.resolved_at is None)}
