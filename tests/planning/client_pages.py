"""Every state of the client's page of a share link, for every combination of hidden sections, and
what must never appear in it. `client_pages(plan, kam)` yields (state, hidden_sections, html); a later
client document (a PDF's text, say) joins the safety test by yielding the same triples from its own
generator and passing them to `assert_no_internal_values`."""

import datetime
import itertools
import re
from collections.abc import Iterator
from decimal import Decimal

from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from planning import services
from planning.models import (
    AccountPlan,
    ClientSession,
    Negotiation,
    PlanStatus,
    ShareLink,
    ShareSection,
)
from planning.views import session_cookie_name
from tests.planning.client import last_code, share_url

SECTIONS = tuple(ShareSection.values)
ALL_HIDDEN_COMBINATIONS = tuple(frozenset(c) for n in range(len(SECTIONS) + 1)
                                for c in itertools.combinations(SECTIONS, n))
STATES = ("before_code", "code_wrong", "verified", "changes_requested", "accepted", "expired", "revoked")
# The states in which the client reads the plan; in the others the page shows nothing of it.
READING = ("verified", "changes_requested", "accepted")


def _addr(i: int) -> str:
    return f"10.{i // 60000 % 250}.{i // 250 % 240}.{i % 250 + 1}"


def _cookie(link, key) -> str:
    name = session_cookie_name(link)
    return signing.get_cookie_signer(salt=name + f"planning.share.{link.pk}").sign(key)


def _verified(link, n) -> str:
    """The key of a client session on `link`, opened the way the client does (code by e-mail)."""
    origin = services.Origin(ip=_addr(n), user_agent="Prueba/1")
    services.share_code_request(link=link, origin=origin)
    _session, key = services.share_code_verify(link=link, code=last_code(link.email), origin=origin)
    return key


def client_pages(plan: AccountPlan, kam, contact, combinations=ALL_HIDDEN_COMBINATIONS
                 ) -> Iterator[tuple[str, frozenset, str]]:
    """(state, hidden sections, html) of the client's page of `plan`, through one link per combination
    of hidden sections addressed to `contact`. A committed plan goes through every state (verified,
    changes requested, answered and accepted); a plan in another status shows the states it can."""
    links = []
    for n, hidden in enumerate(combinations):
        link, token = services.share_link_create(actor=kam, plan=plan, hidden_sections=sorted(hidden),
                                                 contact=contact)
        links.append((hidden, link, token, _verified(link, n)))
        mail.outbox.clear()

    def render(state, *, verified=True, status=200):
        for n, (hidden, link, token, key) in enumerate(links):
            browser = Client(REMOTE_ADDR=_addr(n))
            if verified:
                browser.cookies[session_cookie_name(link)] = _cookie(link, key)
            if state == "code_wrong":
                response = browser.post(share_url(token), {"action": "verify", "code-code": "000000"})
                assert response.status_code == 400, state
            else:
                response = browser.get(share_url(token))
                assert response.status_code == status, (state, hidden, response.status_code)
            yield state, hidden, response.content.decode()

    yield from render("before_code", verified=False)
    yield from render("code_wrong", verified=False)
    yield from render("verified")
    plan.refresh_from_db()
    if plan.status == PlanStatus.COMMITTED:
        _hidden, first, _token, key = links[0]
        session = ClientSession.objects.get(link=first, key_hash=_key_hash(key))
        thread = services.client_accept(session=session, conditions="Con la formación en marzo",
                                        origin=services.Origin())
        yield from render("changes_requested")
        services.client_thread_answer(actor=kam, thread=thread, body="Formación en marzo")
        services.share_link_reopen(actor=kam, link=first)
        services.client_accept(session=session, origin=services.Origin())
        yield from render("accepted")
    elif plan.status == PlanStatus.AGREED:
        yield from render("accepted")
    ShareLink.objects.filter(pk__in=[link.pk for _h, link, _t, _k in links]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    yield from render("expired", status=404)
    ShareLink.objects.filter(pk__in=[link.pk for _h, link, _t, _k in links]).update(
        expires_at=timezone.now() + datetime.timedelta(days=1))
    for _h, link, _t, _k in links:
        services.share_link_revoke(actor=kam, link=link)
    yield from render("revoked", status=404)


def client_pdfs(plan: AccountPlan, kam, contact, combinations=ALL_HIDDEN_COMBINATIONS
                ) -> Iterator[tuple[str, frozenset, str]]:
    """("verified", hidden sections, text) of the client's PDF of `plan` through one link per
    combination, downloaded as the client does: with the link's verified session."""
    import io

    from pypdf import PdfReader

    for n, hidden in enumerate(combinations):
        link, token = services.share_link_create(actor=kam, plan=plan, hidden_sections=sorted(hidden),
                                                 contact=contact)
        browser = Client(REMOTE_ADDR=_addr(n))
        browser.cookies[session_cookie_name(link)] = _cookie(link, _verified(link, n))
        mail.outbox.clear()
        response = browser.get(share_url(token) + "plan.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", (hidden, response)
        reader = PdfReader(io.BytesIO(response.content))
        yield "verified", hidden, "\n".join(page.extract_text() for page in reader.pages)


def _key_hash(key):
    from planning import selectors

    return selectors.session_key_hash(key)


def _amount_pattern(value: Decimal) -> str:
    """A figure in any formatting: 987654 as 987654, 987.654, 987,654 or 987 654."""
    digits = str(int(value))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return r"(?<![\d])" + r"[.,\u00a0\u202f ]?".join(groups) + r"(?![\d])"


def internal_values(plan: AccountPlan) -> dict:
    """What of ours the client never reads, by the section that hides it (None: never shown at all)."""
    texts: dict = {None: [], ShareSection.CONOCIMIENTO: [], ShareSection.SIGNOFFS: []}
    amounts: dict = {ShareSection.OPPORTUNITY_VALUES: []}
    for field in ("industry_variables", "operations_state", "competitive_advantages", "business_problems",
                  "value_chain"):
        if getattr(plan, field).strip():
            texts[ShareSection.CONOCIMIENTO].append(getattr(plan, field).strip())
    for s in plan.signoffs.all():
        # The signers' names also appear as owners of our commitments: the section itself is what is
        # checked (data-section), and the notes, which are never shown.
        texts[None] += [s.note, s.cleared_reason]
    for o in plan.opportunities.all():
        if o.value >= 1000:
            amounts[ShareSection.OPPORTUNITY_VALUES].append(o.value)
    for n in Negotiation.objects.filter(account=plan.account).prefetch_related("variables"):
        texts[None] += [n.our_batna, n.their_batna, n.strategy_notes]
        for v in n.variables.all():
            texts[None] += [v.our_target, v.our_limit]
    for c in plan.account.contacts.all():
        texts[None].append(c.notes)
    # Short texts ("2", "Sí") would match anything; what is checked is what could identify a value.
    return {"texts": {k: [t for t in v if t and len(t.strip()) >= 12] for k, v in texts.items()},
            "amounts": amounts}


def _flat(text: str) -> str:
    return " ".join(text.split())


INTERNAL_MARKS = ('data-testid="internal-mark"', "BATNA", "MAPAN", "cost to serve", "contribution margin")


def assert_no_internal_values(plan: AccountPlan, pages) -> int:
    """Check each (state, hidden, html): nothing of ours appears, the hidden sections' content is absent,
    and before the code (or on a dead link) nothing of the plan appears at all. Returns the pages seen."""
    values = internal_values(plan)
    seen = 0
    for state, hidden, raw in pages:
        seen += 1
        # Whitespace folded on both sides: a PDF breaks a text's lines where its page does.
        html = _flat(raw)
        where = f"{plan} · {state} · hidden={sorted(hidden)}"
        for mark in INTERNAL_MARKS:
            assert mark not in html, f"{where}: {mark}"
        for text in values["texts"][None]:
            assert _flat(text) not in html, f"{where}: internal text {text[:40]!r}"
        for section in (ShareSection.CONOCIMIENTO, ShareSection.SIGNOFFS):
            if section in hidden or state not in READING:
                for text in values["texts"][section]:
                    assert _flat(text) not in html, f"{where}: {section} {text[:40]!r}"
                assert f'data-section="{section}"' not in html, where
        values_hidden = (state not in READING or ShareSection.OPPORTUNITY_VALUES in hidden
                         or ShareSection.VISION in hidden)
        if values_hidden:
            assert 'data-testid="opportunity-value"' not in html, where
            for amount in values["amounts"][ShareSection.OPPORTUNITY_VALUES]:
                assert not re.search(_amount_pattern(amount), html), f"{where}: opportunity value {amount}"
        for section in SECTIONS:
            if section in hidden and section in ("vision", "commitments", "reviews", "value"):
                assert f'data-section="{section}"' not in html, f"{where}: {section}"
        if state not in READING:
            assert plan.account.name not in html, where
            if plan.summary.strip():
                assert _flat(plan.summary) not in html, where
            assert 'data-testid="plan-document"' not in html, where
    return seen
