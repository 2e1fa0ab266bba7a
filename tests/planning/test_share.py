"""Share links: the token is the only credential, so it is long, random, stored hashed, expires, can be
revoked, and hidden sections never leave the server."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kam.errors import DomainError
from planning import selectors, services
from planning.models import PlanStatus, ShareLink, ShareView
from planning.views import SHARE_LIMIT
from tests.factories import department
from tests.planning.factories import CommitmentFactory, OpportunityFactory, PlanFactory

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


def _url(token):
    return reverse("planning:share", args=[token])


def test_token_is_long_random_and_only_its_hash_is_stored(personas, plan):
    link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    assert len(token) >= 43
    assert token not in link.token_hash and link.token_hash == selectors.token_hash(token)
    assert not ShareLink.objects.filter(token_hash=token).exists()
    _other, token2 = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    assert token2 != token


def test_hidden_sections_are_absent_from_the_html(personas, plan):
    _commit(plan, personas)
    _link, token = services.share_link_create(
        actor=personas.kam, plan=plan, hidden_sections=["conocimiento", "opportunity_values", "signoffs"])
    html = Client().get(_url(token)).content.decode()
    assert "Visión compartida" in html and "Menos paradas" in html and "Informe mensual de costes" in html
    assert "SECRETO-ANALISIS-INTERNO" not in html
    # The value in any formatting (the page's one-time form tokens are random and may hold these digits).
    assert not re.search(r"987[.,\u00a0 ]?654", html) and 'data-testid="opportunity-value"' not in html
    assert "FIRMA-INTERNA" not in html and 'data-section="signoffs"' not in html
    assert 'data-section="conocimiento"' not in html
    # Not hidden: shown.
    _link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    html = Client().get(_url(token)).content.decode()
    assert "SECRETO-ANALISIS-INTERNO" in html and 'data-testid="opportunity-value"' in html


def test_each_view_is_logged(personas, plan):
    link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    Client(HTTP_USER_AGENT="Cliente/1.0").get(_url(token))
    view = ShareView.objects.get(link=link)
    assert view.ip == "127.0.0.1" and view.user_agent == "Cliente/1.0"


@pytest.mark.parametrize("state", ["expired", "revoked", "tampered", "unknown"])
def test_invalid_links_show_the_same_page_revealing_nothing(personas, plan, state):
    link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    if state == "expired":
        ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif state == "revoked":
        services.share_link_revoke(actor=personas.kam, link=link)
    elif state == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    else:
        token = "x" * 43
    response = Client().get(_url(token))
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="share-invalid"' in html
    assert plan.account.name not in html and "Visión compartida" not in html
    assert not ShareView.objects.exists()


def test_default_expiry_is_30_days(personas, plan):
    link, _token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    assert abs((link.expires_at - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(minutes=1)


def test_only_editors_create_and_revoke_links(personas, plan):
    with pytest.raises(DomainError):
        services.share_link_create(actor=personas.sponsor, plan=plan, hidden_sections=[])
    link, _token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    with pytest.raises(DomainError):
        services.share_link_revoke(actor=personas.teammate, link=link)


def test_client_accepts_through_the_link(personas, plan):
    _commit(plan, personas)
    _link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    client = Client()
    client.get(_url(token))
    response = client.post(_url(token), {"action": "accept", "accept-name": "Luis Pérez, Director de compras",
                                         "accept-comment": "Conforme"}, follow=True)
    assert 'data-testid="accepted"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED and plan.client_agreement_channel == "share_link"
    assert plan.client_agreed_by == "Luis Pérez, Director de compras"
    assert plan.history.filter(history_change_reason="client agreed").exists()


def test_client_cannot_accept_before_commitment_and_can_comment(personas, plan):
    link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    client = Client()
    response = client.post(_url(token), {"action": "accept", "accept-name": "Luis"}, follow=True)
    assert "once our teams have committed" in response.content.decode()
    assert plan.__class__.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    client.post(_url(token), {"action": "comment", "comment-name": "Luis", "comment-body": "Falta el plazo"})
    assert link.comments.get().body == "Falta el plazo"
    response = client.post(_url(token), {"action": "comment", "comment-name": "", "comment-body": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_lookups_are_rate_limited_per_address(personas, plan):
    _link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[])
    client = Client()
    for _ in range(SHARE_LIMIT.limit):
        client.get(_url("guess" * 9))
    assert client.get(_url(token)).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.9").get(_url(token)).status_code == 200


def test_sharing_page_shows_the_new_link_once(personas, plan):
    client = Client()
    client.force_login(personas.kam)
    response = client.post(reverse("planning:plan_sharing", args=[plan.pk]), {
        "label": "Luis Pérez", "hidden_sections": ["conocimiento"], "days": "30"})
    html = response.content.decode()
    assert 'data-testid="new-share-url"' in html and "/share/" in html
    again = client.get(reverse("planning:plan_sharing", args=[plan.pk])).content.decode()
    assert 'data-testid="new-share-url"' not in again and "Luis Pérez" in again
