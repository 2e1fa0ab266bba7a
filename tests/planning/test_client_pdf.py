"""The client's PDF of the plan: what a share link hides is absent, internal figures never appear, the
supplier's name and page numbers do; who may download it."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kam.models import ProgrammeSettings
from planning import services
from planning.models import ShareSection
from tests.conftest import client_for
from tests.factories import ContactFactory
from tests.planning.client import share_url, verified_client

pytestmark = pytest.mark.django_db

OPPORTUNITY_VALUE = Decimal("987654")


def text_of(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def plan(world):
    from tests.planning.factories import OpportunityFactory

    settings = ProgrammeSettings.current()
    settings.supplier_name = "Suministros Iberia"
    settings.supplier_colour = "#8a1c1c"
    settings.save()
    p = world.plan
    p.industry_variables = "Analisis interno del mercado siderurgico"
    p.save()
    OpportunityFactory(plan=p, client_benefit="Reducir paradas de linea", our_solution="Mantenimiento predictivo",
                       value=OPPORTUNITY_VALUE, probability=37)
    return p


def link_for(world, plan, hidden):
    contact = ContactFactory(account=plan.account, email="compras@cliente.example")
    link, token = services.share_link_create(actor=world.kam, plan=plan, hidden_sections=hidden, label="Compras",
                                             contact=contact)
    return link, token


def client_pdf(link, token) -> str:
    """The PDF as the link's client downloads it: after entering the e-mailed code."""
    browser = verified_client(link, token, HTTP_ACCEPT_LANGUAGE="es")
    return text_of(browser.get(reverse("planning:share_pdf", args=[token])))


def test_hidden_sections_and_internal_values_are_not_in_the_client_pdf(world, plan):
    link, token = link_for(world, plan, [ShareSection.CONOCIMIENTO, ShareSection.OPPORTUNITY_VALUES,
                                         ShareSection.SIGNOFFS])
    text = client_pdf(link, token)
    assert "Suministros Iberia" in text
    assert "Página 1 de 1" in text
    assert "Reducir paradas de linea" in text  # the visible section
    assert "siderurgico" not in text  # conocimiento hidden
    assert "987" not in text and "37 %" not in text  # values and probabilities hidden
    assert "Aprobaciones internas" not in text and "(interno)" not in text
    assert "Firma" in text and "Por Suministros Iberia" in text  # the signature block


def test_visible_values_follow_the_link(world, plan):
    link, token = link_for(world, plan, [])
    text = client_pdf(link, token)
    assert "987" in text and "siderurgico" in text and "Aprobaciones internas" in text


def test_editor_downloads_the_links_pdf_others_may_not(world, plan):
    link, _token = link_for(world, plan, [ShareSection.CONOCIMIENTO])
    url = reverse("planning:share_link_pdf", args=[link.pk])
    text = text_of(client_for(world.kam).get(url))
    assert "siderurgico" not in text and "Suministros Iberia" in text
    assert client_for(world.teammate).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404


def test_the_client_needs_the_code_before_the_pdf(world, plan, client):
    link, token = link_for(world, plan, [])
    response = client.get(reverse("planning:share_pdf", args=[token]))
    assert response.status_code == 302 and response["Location"] == share_url(token)
    assert not response.content.startswith(b"%PDF")


def test_revoked_or_unknown_token_gets_no_pdf(world, plan):
    link, token = link_for(world, plan, [])
    browser = verified_client(link, token)
    services.share_link_revoke(actor=world.kam, link=link)
    assert browser.get(reverse("planning:share_pdf", args=[token])).status_code == 404
    assert browser.get(reverse("planning:share_pdf", args=["x" * 40])).status_code == 404


def test_internal_print_is_marked_and_never_titled_as_the_joint_plan(world, plan):
    url = reverse("planning:plan_print", args=[plan.pk])
    page = client_for(world.kam).get(url).content.decode()
    assert "Internal — not for the client" in page and "Joint account plan" not in page
    page = client_for(world.kam).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Interno — no es para el cliente" in page
