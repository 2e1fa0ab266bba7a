"""Import templates people download, the customer number on the account pages, ISO countries on the
account form, and amounts shown in the programme's currency."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts import imports
from accounts.models import Account
from kam.models import ProgrammeSettings
from kam.money import money
from tests.conftest import client_for
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _get(client, kind, fmt):
    return client.get(reverse("accounts:import_template", args=[kind, fmt]))


@pytest.mark.parametrize("kind", ["accounts", "contacts", "financials"])
def test_each_template_imports_back_once_its_account_exists(personas, kind):
    client = client_for(personas.lead)
    AccountFactory(customer_number="C-10023")
    for fmt, name in (("csv", "t.csv"), ("xlsx", "t.xlsx")):
        response = _get(client, kind, fmt)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        header, rows = imports.read_table(response.content, filename=name, max_rows=10)
        required, optional = imports.COLUMNS[kind]
        assert header == required + optional and len(rows) == 1
    with translation.override("es"):
        data = _get(client, kind, "csv").content
    result = imports.run_import(kind=kind, data=data, filename="t.csv", actor=personas.lead)
    assert result.ok, (result.file_error, result.errors)


def test_the_xlsx_template_lists_the_allowed_values_in_the_readers_language(personas):
    client = client_for(personas.lead)
    with translation.override("es"):
        response = client.get(reverse("accounts:import_template", args=["accounts", "xlsx"]),
                              HTTP_ACCEPT_LANGUAGE="es")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(book.worksheets) == 2
    values = [tuple(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert ("industry", "Minería", "mining") in values
    assert any(r[0] == "country" and "ISO 3166" in r[1] for r in values)
    allowed = _get(client, "contacts", "values").content.decode("utf-8-sig")
    assert "decision_role;" in allowed


def test_templates_are_the_leads_and_unknown_kinds_are_not_found(personas):
    assert _get(client_for(personas.kam), "accounts", "csv").status_code == 403
    assert _get(client_for(personas.lead), "opportunities", "csv").status_code == 404
    assert _get(client_for(personas.lead), "accounts", "ods").status_code == 404
    page = client_for(personas.lead).get(reverse("accounts:imports")).content.decode()
    assert 'data-testid="import-templates"' in page
    assert reverse("accounts:import_template", args=["financials", "xlsx"]) in page


def test_customer_number_on_the_form_detail_list_search_and_export(personas):
    client = client_for(personas.lead)
    account = personas.account
    form = {"name": account.name, "tax_id": account.tax_id, "customer_number": " ERP-991 ", "industry": "food",
            "country": "Portugal", "status": "active", "version": account.version, "region": ""}
    assert client.post(reverse("accounts:edit", args=[account.pk]), form).status_code == 302
    account.refresh_from_db()
    assert (account.customer_number, account.country) == ("ERP-991", "PT")
    assert "ERP-991" in client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    listed = client.get(reverse("accounts:list"), {"q": "erp-991"}).content.decode()
    assert account.name in listed and personas.other_account.name not in listed
    other = personas.other_account
    taken = client.post(reverse("accounts:edit", args=[other.pk]),
                        {**form, "name": other.name, "tax_id": other.tax_id, "version": other.version})
    assert "Another account already has this customer number." in taken.content.decode()
    exported = list(imports.export_rows(Account.objects.filter(pk=account.pk)))
    assert exported[1][exported[0].index("customer_number")] == "ERP-991"


def test_the_country_field_is_a_list_of_names_in_the_readers_language(personas):
    client = client_for(personas.lead)
    with translation.override("es"):
        page = client.get(reverse("accounts:create"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<option value="DE">Alemania</option>' in page
    bad = client.post(reverse("accounts:create"), {"name": "Nueva S.A.", "country": "XX", "industry": "food",
                                                   "status": "active"})
    assert "Choose a country from the list" in bad.content.decode()


def test_amounts_follow_the_programmes_currency_and_the_readers_language(personas):
    with translation.override("es"):
        assert money(Decimal("12500.4")) == "12.500\xa0€"
    with translation.override("en"):
        assert money(Decimal("12500.4")) == "€12,500"
        assert money(Decimal("-3.456"), 2) == "-€3.46"
        assert money(None) == "–"
    settings = ProgrammeSettings.current()
    settings.currency = "USD"
    settings.save()  # the cached currency goes with the write (kam.datastamps)
    with translation.override("en"):
        assert Template("{% load kam_tags %}{{ v|money }} ({% currency_symbol %})").render(
            Context({"v": 1234})) == "$1,234 ($)"
    # Imports accept the programme's symbol too.
    account = personas.account
    text = f'account_tax_id,month,revenue\n{account.tax_id},2026-01,"US$1,234.50"\n'.encode()
    result = imports.run_import(kind="financials", data=text, filename="f.csv", actor=personas.lead,
                                conventions=imports.Conventions(decimal=".", dates="mdy"))
    assert result.ok, result.errors


def test_the_programme_settings_refuse_an_unknown_currency(personas):
    from metrics.forms import ProgrammeSettingsForm

    settings = ProgrammeSettings.current()
    data = {f: getattr(settings, f) for f in ProgrammeSettingsForm._meta.fields}
    form = ProgrammeSettingsForm({**data, "currency": "XYZ", "version": settings.version}, instance=settings)
    assert not form.is_valid() and "currency" in form.errors
