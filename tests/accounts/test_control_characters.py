"""Account and contact names come in on one line, whatever the form or the file carried: they end up in
e-mail subjects, where a line break makes Django refuse the header, and in page titles and exports."""

import pytest
from django.utils import timezone

from accounts import imports
from accounts.models import Account, Contact
from tests.conftest import client_for
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_account_form_takes_line_breaks_out_of_the_name(personas):
    client = client_for(personas.kam)
    response = client.post("/accounts/new/", {"name": "Conservas\r\nAtlánticas\tS.A.", "country": "ES",
                                              "industry": "food", "status": "active", "kam": personas.kam.pk,
                                              "relationship_stage": "basic"})
    assert response.status_code == 302
    account = Account.objects.get(name="Conservas Atlánticas S.A.")
    form = {"name": "Conservas\nAtlánticas\u2028S.A.\x1b", "country": "ES", "industry": "food",
            "status": "active", "kam": personas.kam.pk, "version": account.version}
    assert client.post(f"/accounts/{account.pk}/edit/", form).status_code == 302
    account.refresh_from_db()
    assert account.name == "Conservas Atlánticas S.A."


def test_contact_forms_take_line_breaks_out_of_names(personas):
    account = personas.account
    client = client_for(personas.kam)
    response = client.post(f"/accounts/{account.pk}/contacts/new/", {
        "name": "María\nPérez", "influence": 2, "attitude": "neutral", "decision_role": "none"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Contact.objects.filter(account=account, name="María Pérez").exists()
    gone = ContactFactory(account=account, name="Jefe Compras")
    response = client.post(f"/contacts/{gone.pk}/gone/", {"left_at": timezone.localdate().isoformat(),
                                                           "successor_name": "Nuevo\r\nJefe"})
    assert response.status_code == 302
    assert Contact.objects.filter(account=account, name="Nuevo Jefe").exists()


def _import(kind, text, actor):
    return imports.run_import(kind=kind, data=text.encode(), filename="x.csv", actor=actor)


def test_imports_take_line_breaks_out_of_names(personas):
    result = _import("accounts", 'name;tax_id;country\n"Minera\ndel Sur";A11111111;ES\n', personas.lead)
    assert result.ok, result.errors
    assert Account.objects.get(tax_id="A11111111").name == "Minera del Sur"
    # The account is found by its name written the same broken way, and the contact's name is cleaned.
    result = _import("contacts", 'name;account_name;account_country\n"Luis\r\nGómez";"Minera\ndel Sur";ES\n',
                     personas.lead)
    assert result.ok, result.errors
    assert Contact.objects.get(account__tax_id="A11111111").name == "Luis Gómez"


def test_invisible_formatting_characters_are_refused_by_the_service_too(personas):
    """Line breaks are cleaned; bidi controls and zero-width spaces are refused, whatever the path: a
    name that displays differently from what it holds would let one account pass for another."""
    from accounts import services
    from kam.errors import Invalid

    before = Account.objects.count()
    with pytest.raises(Invalid) as refused:
        services.account_create(actor=personas.lead, name="Aceros\u202e.S.A", country="ES", industry="food",
                                status="active")
    assert "invisible formatting characters" in str(refused.value)
    assert Account.objects.count() == before
    result = _import("accounts", "name;tax_id;country\nAce\u200bros S.A.;A11111112;ES\n", personas.lead)
    assert not result.ok
    assert Account.objects.count() == before
