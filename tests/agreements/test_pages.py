"""The agreements' pages: what they show to whom, in Spanish, and their query budgets (pinned on a small
and on a larger data set)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import services
from agreements.models import AgreementStatus, FrameworkAgreement
from tests.agreements.factories import FrameworkAgreementFactory, TermFactory
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.planning.factories import PlanFactory

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 16


def _soon(account, days=30, **kw):
    renewal = datetime.date.today() + datetime.timedelta(days=days)
    return FrameworkAgreementFactory(account=account, status=kw.pop("status", AgreementStatus.ACTIVE),
                                     end_date=renewal, renewal_date=renewal,
                                     notice_date=renewal - datetime.timedelta(days=90), **kw)


def _populate(personas, n):
    for i in range(n):
        account = AccountFactory(name=f"Minera {i:03d} S.A.", tier="key", kam=personas.kam, sponsor=personas.sponsor)
        for a in (_soon(account, 20 + i), _soon(personas.account, 40 + i),
                  FrameworkAgreementFactory(account=personas.account, status="negotiation")):
            TermFactory(agreement=a)
            TermFactory(agreement=a, kind="volume", value=500, unit="t")
    agreement = FrameworkAgreement.objects.filter(account=personas.account, status="negotiation").first()
    for i in range(n):  # history rows
        agreement = services.agreement_update(actor=personas.kam, agreement=agreement,
                                              expected_version=agreement.version, data={"title": f"Acuerdo {i}"})
    return agreement


def _count(client, url, django_assert_max_num_queries, budget=PAGE_BUDGET):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        with django_assert_max_num_queries(budget):
            response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["detail", "account_list", "programme_list", "panel", "edit"])
def test_pages_cost_a_fixed_number_of_queries(personas, django_assert_max_num_queries, page):
    PlanFactory(account=personas.account)

    def url(agreement):
        return {"detail": reverse("agreements:detail", args=[agreement.pk]),
                "edit": reverse("agreements:edit", args=[agreement.pk]),
                "account_list": reverse("agreements:account_list", args=[personas.account.pk]),
                "programme_list": reverse("agreements:programme_list"),
                "panel": reverse("accounts:panel", args=[personas.account.pk, "agreements"])}[page]

    who = personas.lead if page == "programme_list" else personas.kam
    client = client_for(who)
    small = _count(client, url(_populate(personas, 2)), django_assert_max_num_queries)
    large = _count(client, url(_populate(personas, 15)), django_assert_max_num_queries)
    assert large == small, f"{page}: {small} queries on the small set, {large} on the larger one"


def test_the_kam_dashboard_lists_agreements_renewing_within_90_days_at_a_fixed_cost(personas,
                                                                                   django_assert_max_num_queries):
    from tests.metrics.test_views import BUDGET

    mine = _soon(personas.account, 45, title="Suministro de bobinas 2026")
    _soon(personas.account, 200, title="Acuerdo lejano")
    _soon(personas.other_account, 10, title="Acuerdo de otro KAM")
    _soon(personas.account, 20, status=AgreementStatus.ENDED, title="Acuerdo terminado")
    client = client_for(personas.kam)
    small = _count(client, reverse("metrics:dashboard_kam"), django_assert_max_num_queries, BUDGET)
    html = client.get(reverse("metrics:dashboard_kam")).content.decode()
    section = html[html.index('id="agreements-h"'):html.index('id="incidents-h"')]
    assert reverse("agreements:detail", args=[mine.pk]) in section
    assert "Acuerdo lejano" not in section and "Acuerdo de otro KAM" not in section
    assert "Acuerdo terminado" not in section
    _populate(personas, 12)
    large = _count(client, reverse("metrics:dashboard_kam"), django_assert_max_num_queries, BUDGET)
    assert large == small


def test_the_account_page_loads_the_agreements_panel_and_flags_those_renewing_soon(personas):
    soon = _soon(personas.account, 30, title="Bobinas 2026")
    _soon(personas.account, 300, title="Servicios técnicos")
    client = client_for(personas.kam)
    page = client.get(reverse("accounts:detail", args=[personas.account.pk])).content.decode()
    panel_url = reverse("accounts:panel", args=[personas.account.pk, "agreements"])
    assert panel_url in page
    html = client.get(panel_url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'data-testid="agreements-panel"' in html and "Acuerdos marco" in html
    expiring = html[html.index('data-testid="agreement-expiring"'):]
    assert reverse("agreements:detail", args=[soon.pk]) in expiring[:400]
    assert html.count('data-testid="agreement-expiring"') == 1


def test_operations_see_no_agreements_panel_even_on_the_team(personas):
    from tests.access import build_world

    world = build_world(personas)
    _soon(personas.account)
    html = client_for(world.ops_member).get(reverse("accounts:panel", args=[personas.account.pk, "agreements"]))
    assert 'data-testid="agreements-panel"' not in html.content.decode()


def test_the_programme_list_filters_by_status_and_renewal_window_and_scopes_the_sponsor(personas):
    soon = _soon(personas.account, 30, title="Renueva pronto")
    later = _soon(personas.account, 200, title="Renueva tarde")
    negotiating = FrameworkAgreementFactory(account=personas.account, status="negotiation", title="En la mesa")
    hidden = _soon(personas.other_account, 30, title="Cuenta ajena")
    lead = client_for(personas.lead)
    html = lead.get(reverse("agreements:programme_list"), {"within_days": 90}).content.decode()
    assert soon.title in html and hidden.title in html and later.title not in html and negotiating.title not in html
    html = lead.get(reverse("agreements:programme_list"), {"status": "negotiation"}).content.decode()
    assert negotiating.title in html and soon.title not in html
    # The sponsor reads the commercial data of the accounts they sponsor, not of every key account.
    html = client_for(personas.sponsor).get(reverse("agreements:programme_list")).content.decode()
    assert soon.title in html and hidden.title not in html


def test_the_detail_page_in_spanish_shows_terms_documents_history_and_the_editors_buttons(personas):
    agreement = FrameworkAgreementFactory(account=personas.account, status="negotiation")
    TermFactory(agreement=agreement, kind="payment", text="Pago a 60 días", value=60, unit="días")
    services.agreement_update(actor=personas.kam, agreement=agreement, expected_version=agreement.version,
                              data={"notice_days": 60})
    html = client_for(personas.kam).get(reverse("agreements:detail", args=[agreement.pk]),
                                        HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for text in ("Condiciones", "Documentos", "Historial", "Marcar como firmado", "Plazo de preaviso",
                 "Condiciones de pago", "Añadir una condición", "Añadir como compromiso del plan"):
        assert text in html, text
    assert 'data-testid="agreement-documents"' in html
    sponsor_html = client_for(personas.sponsor).get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert 'data-testid="action-sign"' not in sponsor_html and "Pago a 60 días" in sponsor_html


def test_signing_from_the_page_moves_the_status(personas):
    agreement = FrameworkAgreementFactory(account=personas.account, status="negotiation")
    TermFactory(agreement=agreement)
    response = client_for(personas.kam).post(reverse("agreements:transition", args=[agreement.pk, "sign"]),
                                             {"version": agreement.version})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_drafting_from_a_negotiation_on_the_page(personas):
    from planning.models import Negotiation, NegotiationAgreement

    neg = Negotiation.objects.create(account=personas.account, title="Renovación 2027", created_by=personas.kam)
    NegotiationAgreement.objects.create(negotiation=neg, description="Descuento del 3 %")
    client = client_for(personas.kam)
    assert 'data-testid="draft-from-negotiation"' in client.get(
        reverse("agreements:account_list", args=[personas.account.pk])).content.decode()
    response = client.post(reverse("agreements:from_negotiation", args=[personas.account.pk]),
                           {"negotiation": neg.pk})
    agreement = FrameworkAgreement.objects.get(negotiation=neg)
    assert response["Location"] == reverse("agreements:detail", args=[agreement.pk])
    assert list(agreement.terms.values_list("text", flat=True)) == ["Descuento del 3 %"]


def test_the_export_streams_the_programme_list(personas):
    _soon(personas.account, 30, title="=HYPERLINK(\"x\")")
    response = client_for(personas.lead).get(reverse("agreements:export"), HTTP_ACCEPT_LANGUAGE="es")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Fecha de renovación" in body.splitlines()[0] and "'=HYPERLINK" in body


def test_the_programme_dashboard_links_the_programme_list(personas):
    for who in (personas.lead, personas.sponsor):
        html = client_for(who).get(reverse("metrics:dashboard_program")).content.decode()
        assert f'href="{reverse("agreements:programme_list")}"' in html


def test_the_terms_read_price_first_then_payment_service_volume_and_the_rest(personas):
    agreement = FrameworkAgreementFactory(account=personas.account, status="negotiation")
    for kind, text in (("other", "Confidencialidad"), ("volume", "Mínimo 500 t"), ("price", "Tarifa base"),
                       ("payment", "Pago a 60 días"), ("price", "Descuento 2 %")):
        TermFactory(agreement=agreement, kind=kind, text=text)
    html = client_for(personas.kam).get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    order = ["Tarifa base", "Descuento 2 %", "Pago a 60 días", "Mínimo 500 t", "Confidencialidad"]
    assert sorted(order, key=html.index) == order


def test_an_edit_over_someone_elses_shows_both_versions_and_saves_nothing(personas):
    agreement = FrameworkAgreementFactory(account=personas.account, status="negotiation")
    form = {"title": "Acuerdo de la KAM", "start_date": agreement.start_date.isoformat(),
            "end_date": agreement.end_date.isoformat(), "notice_days": "60", "version": agreement.version}
    services.agreement_update(actor=personas.lead, agreement=agreement, expected_version=agreement.version,
                              data={"title": "Acuerdo del responsable"})
    response = client_for(personas.kam).post(reverse("agreements:edit", args=[agreement.pk]), form)
    assert response.status_code == 200 and 'data-testid="conflict"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "Acuerdo del responsable" and agreement.notice_days == 90


def test_renewing_from_a_stale_page_is_refused(personas):
    from kam.errors import Conflict

    agreement = _soon(personas.account, 30)
    stale = agreement.version
    services.agreement_update(actor=personas.lead, agreement=agreement, expected_version=stale,
                              data={"notice_days": 30})
    with pytest.raises(Conflict):
        services.agreement_renew(actor=personas.kam, agreement=agreement, expected_version=stale)
    assert FrameworkAgreement.objects.get(pk=agreement.pk).successor is None


@pytest.mark.parametrize("url_name", ["agreements:export", "agreements:export_xlsx", "agreements:programme_list"])
@pytest.mark.parametrize("query", ["?status=%ff%fe&within_days=99999999999999999999", "?within_days=-4&status=all",
                                   "?within_days=%00&status=expiring&status=x&page=-3"])
def test_hostile_filters_give_a_page_or_a_download_never_a_server_error(personas, url_name, query):
    _soon(personas.account)
    response = client_for(personas.lead).get(reverse(url_name) + query)
    assert response.status_code in (200, 400), (query, response.status_code)
