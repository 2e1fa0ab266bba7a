"""Share links: the token is long, random, stored hashed, expires and can be revoked; the link is
addressed to one contact, who proves it with a one-time code before the plan opens; hidden sections
never leave the server."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from kam.errors import DomainError, Invalid
from kam.models import Notification
from planning import selectors, services
from planning.models import ClientSession, ShareCode, ShareLink, ShareView
from planning.views import SHARE_LIMIT
from tests.factories import ContactFactory, department
from tests.planning.client import last_code, share_url, verified_client
from tests.planning.factories import CommitmentFactory, OpportunityFactory, PlanFactory, share_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(personas):
    plan = PlanFactory(account=personas.account, industry_variables="SECRETO-ANALISIS-INTERNO",
                       vision_statement="Visión compartida")
    OpportunityFactory(plan=plan, value=987654, client_benefit="Menos paradas")
    CommitmentFactory(plan=plan, department=department("finance"), owner=personas.teammate,
                      description="Informe mensual de costes")
    return plan


def _commit(plan, personas):
    services.plan_submit(actor=personas.kam, plan=plan)
    services.plan_sign_off(actor=personas.sponsor, plan=plan, note="FIRMA-INTERNA")
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    services.plan_commit(actor=personas.kam, plan=plan)


def test_token_is_long_random_and_only_its_hash_is_stored(personas, plan):
    link, token = share_link(personas.kam, plan)
    assert len(token) >= 43
    assert token not in link.token_hash and link.token_hash == selectors.token_hash(token)
    assert not ShareLink.objects.filter(token_hash=token).exists()
    _other, token2 = share_link(personas.kam, plan)
    assert token2 != token


def test_a_link_is_addressed_to_a_contact_of_the_account_with_an_email(personas, plan):
    with pytest.raises(Invalid) as exc:
        services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[], contact=None)
    assert "contact" in exc.value.errors
    with pytest.raises(Invalid):
        share_link(personas.kam, plan, contact=ContactFactory(account=plan.account, email=""))
    with pytest.raises(Invalid):
        share_link(personas.kam, plan, contact=ContactFactory())  # another account's
    contact = ContactFactory(account=plan.account, name="Luis Pérez")
    link, _token = share_link(personas.kam, plan, contact=contact)
    assert link.email == contact.email and link.label == "Luis Pérez"


def test_the_plan_opens_only_after_the_code(personas, plan):
    _commit(plan, personas)
    link, token = share_link(personas.kam, plan, hidden_sections=["conocimiento", "opportunity_values", "signoffs"])
    html = Client().get(share_url(token)).content.decode()
    assert 'data-testid="share-verify"' in html
    assert "Visión compartida" not in html and plan.account.name not in html and link.email not in html
    html = verified_client(link, token).get(share_url(token)).content.decode()
    assert "Visión compartida" in html and "Menos paradas" in html and "Informe mensual de costes" in html
    assert "SECRETO-ANALISIS-INTERNO" not in html
    assert not re.search(r"987[.,\u00a0 ]?654", html) and 'data-testid="opportunity-value"' not in html
    assert "FIRMA-INTERNA" not in html and 'data-section="signoffs"' not in html


def test_codes_are_stored_hashed_single_use_and_expire(personas, plan):
    link, token = share_link(personas.kam, plan)
    client = Client()
    client.post(share_url(token), {"action": "send_code"})
    code = last_code(link.email)
    stored = ShareCode.objects.get(link=link)
    assert code not in stored.code_hash and stored.code_hash == selectors.code_hash(link.pk, code)
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=10)
    assert client.post(share_url(token), {"action": "verify", "code-code": code}).status_code == 302
    # Spent: the same code opens nothing in another browser.
    other = Client()
    response = other.post(share_url(token), {"action": "verify", "code-code": code})
    assert response.status_code == 400 and "Ask for a new code" in response.content.decode()
    # Expired: a new code left past its ten minutes opens nothing.
    other.post(share_url(token), {"action": "send_code"})
    ShareCode.objects.filter(link=link, used_at__isnull=True).update(expires_at=timezone.now())
    response = other.post(share_url(token), {"action": "verify", "code-code": last_code(link.email)})
    assert response.status_code == 400 and not ClientSession.objects.filter(link=link).exclude(
        pk=ClientSession.objects.get(link=link).pk).exists()


def test_five_wrong_tries_spend_the_code(personas, plan):
    link, token = share_link(personas.kam, plan)
    client = Client()
    client.post(share_url(token), {"action": "send_code"})
    code = last_code(link.email)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        html = client.post(share_url(token), {"action": "verify", "code-code": wrong}).content.decode()
        assert f"Tries left: {left}" in html
    html = client.post(share_url(token), {"action": "verify", "code-code": wrong}).content.decode()
    assert "no tries are left" in html
    assert client.post(share_url(token), {"action": "verify", "code-code": code}).status_code == 400
    assert not ClientSession.objects.exists()


def test_a_new_code_replaces_the_old_one(personas, plan):
    link, token = share_link(personas.kam, plan)
    client = Client()
    client.post(share_url(token), {"action": "send_code"})
    first = last_code(link.email)
    client.post(share_url(token), {"action": "send_code"})
    if first != last_code(link.email):
        assert client.post(share_url(token), {"action": "verify", "code-code": first}).status_code == 400


def test_code_requests_are_rate_limited_per_link_and_per_address(personas, plan):
    link, token = share_link(personas.kam, plan)
    for i in range(services.CODE_REQUESTS_PER_LINK.limit):
        Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(share_url(token), {"action": "send_code"})
    sent = len(mail.outbox)
    Client(REMOTE_ADDR="10.0.1.1").post(share_url(token), {"action": "send_code"})
    assert len(mail.outbox) == sent  # the link's allowance is spent, whatever the address
    # Per address: one address asking codes for many links is stopped too.
    mail.outbox.clear()
    for _ in range(services.CODE_REQUESTS_PER_ADDRESS.limit + 1):
        other, other_token = share_link(personas.kam, plan)
        Client(REMOTE_ADDR="10.0.2.1").post(share_url(other_token), {"action": "send_code"})
    assert len(mail.outbox) == services.CODE_REQUESTS_PER_ADDRESS.limit


def test_the_session_is_the_links_alone_and_revoking_ends_it(personas, plan):
    _commit(plan, personas)
    link, token = share_link(personas.kam, plan)
    other, other_token = share_link(personas.kam, plan)
    client = verified_client(link, token)
    assert 'data-testid="share-verify"' in client.get(share_url(other_token)).content.decode()
    cookie = client.cookies[f"kam_client_{link.pk}"]
    assert cookie["path"] == share_url(token) and cookie["httponly"]
    # Nothing of ours opens with it.
    assert client.get(reverse("planning:plan_detail", args=[plan.pk])).status_code in (302, 404)
    services.share_link_revoke(actor=personas.kam, link=link)
    assert ClientSession.objects.get(link=link).ended_at is not None
    assert client.get(share_url(token)).status_code == 404


def test_each_view_is_logged(personas, plan):
    link, token = share_link(personas.kam, plan)
    Client(HTTP_USER_AGENT="Cliente/1.0").get(share_url(token))
    view = ShareView.objects.get(link=link)
    assert view.ip == "127.0.0.1" and view.user_agent == "Cliente/1.0"


@pytest.mark.parametrize("state", ["expired", "revoked", "tampered", "unknown"])
def test_invalid_links_show_the_same_page_revealing_nothing(personas, plan, state):
    link, token = share_link(personas.kam, plan)
    if state == "expired":
        ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif state == "revoked":
        services.share_link_revoke(actor=personas.kam, link=link)
    elif state == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    else:
        token = "x" * 43
    response = Client().get(share_url(token))
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="share-invalid"' in html
    assert plan.account.name not in html and "Visión compartida" not in html
    assert not ShareView.objects.exists()


def test_default_expiry_is_30_days(personas, plan):
    link, _token = share_link(personas.kam, plan)
    assert abs((link.expires_at - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(minutes=1)


def test_only_editors_create_revoke_and_send_links(personas, plan):
    with pytest.raises(DomainError):
        share_link(personas.sponsor, plan)
    link, token = share_link(personas.kam, plan)
    with pytest.raises(DomainError):
        services.share_link_revoke(actor=personas.teammate, link=link)
    with pytest.raises(DomainError):
        services.share_link_send(actor=personas.teammate, link=link, token=token, url="https://x/")


def test_send_to_contact_needs_the_links_own_token_and_explains_the_code(personas, plan):
    link, token = share_link(personas.kam, plan)
    _other, other_token = share_link(personas.kam, plan)
    with pytest.raises(Invalid):
        services.share_link_send(actor=personas.kam, link=link, token=other_token, url="https://x/")
    client = Client()
    client.force_login(personas.kam)
    client.post(reverse("planning:share_send", args=[link.pk]), {"token": token})
    message = mail.outbox[-1]
    assert message.to == [link.email] and token in message.body and "code" in message.body


def test_the_sharing_page_shows_the_new_link_once_with_send(personas, plan):
    contact = ContactFactory(account=plan.account, name="Luis Pérez")
    ContactFactory(account=plan.account, name="Sin Correo", email="")
    client = Client()
    client.force_login(personas.kam)
    page = client.get(reverse("planning:plan_sharing", args=[plan.pk])).content.decode()
    assert "Luis Pérez" in page and "Sin Correo" not in page  # only contacts with an address
    response = client.post(reverse("planning:plan_sharing", args=[plan.pk]), {
        "contact": contact.pk, "hidden_sections": ["conocimiento"], "days": "30"})
    html = response.content.decode()
    assert 'data-testid="new-share-url"' in html and 'data-testid="send-to-contact"' in html
    again = client.get(reverse("planning:plan_sharing", args=[plan.pk])).content.decode()
    assert 'data-testid="new-share-url"' not in again and "Luis Pérez" in again
    response = client.post(reverse("planning:plan_sharing", args=[plan.pk]), {"hidden_sections": [], "days": "30"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_lookups_are_rate_limited_per_address(personas, plan):
    _link, token = share_link(personas.kam, plan)
    client = Client()
    for _ in range(SHARE_LIMIT.limit):
        client.get(share_url("guess" * 9))
    assert client.get(share_url(token)).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.9").get(share_url(token)).status_code == 200


def test_verifying_is_recorded_with_who_when_and_where(personas, plan):
    link, token = share_link(personas.kam, plan)
    verified_client(link, token, addr="203.0.113.7", HTTP_USER_AGENT="Navegador/2")
    action = link.client_actions.get()
    assert action.kind == "verified" and action.contact == link.contact
    assert action.ip == "203.0.113.7" and action.user_agent == "Navegador/2"
    assert Activity.objects.filter(account=plan.account, subkind="client_verified").exists()
    assert not Notification.objects.filter(event_key__startswith="client-action:").exists()


def test_old_codes_and_sessions_are_purged_with_the_views(personas, plan, settings):
    link, token = share_link(personas.kam, plan)
    verified_client(link, token)
    later = timezone.now() + datetime.timedelta(days=settings.KAM_SHARE_VIEW_RETENTION_DAYS + 1)
    services.share_views_purge(now=later)
    assert not ShareCode.objects.exists() and not ClientSession.objects.exists()
    assert link.client_actions.exists()  # what the client did stays
