import datetime
import json

import pytest
from django.utils import timezone

from accounts.models import Account, AccountTeamMember, Assessment, Contact, FinancialRecord, Tier, TierDecision
from tests.conftest import client_for
from tests.factories import AccountFactory, ContactFactory, department

pytestmark = pytest.mark.django_db


def test_teammate_sees_the_account_and_outsider_gets_404(personas):
    url = f"/accounts/{personas.account.pk}/"
    assert client_for(personas.teammate).get(url).status_code == 200
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.outsider).get(f"/accounts/{personas.account.pk}/contacts/").status_code == 404


def test_list_is_scoped_filtered_and_explains_empty_states(personas):
    body = client_for(personas.teammate).get("/accounts/").content.decode()
    assert personas.account.name in body and personas.other_account.name not in body
    lead = client_for(personas.lead)
    body = lead.get("/accounts/?tier=standard").content.decode()
    assert personas.other_account.name in body and personas.account.name not in body
    assert "No account matches these filters" in lead.get("/accounts/?q=zzzz").content.decode()
    assert "not on any account" in client_for(personas.outsider).get("/accounts/").content.decode()


def test_list_sorts_by_revenue(personas):
    Account.objects.filter(pk=personas.other_account.pk).update(revenue_12m=900)
    Account.objects.filter(pk=personas.account.pk).update(revenue_12m=100)
    body = client_for(personas.lead).get("/accounts/?sort=-revenue").content.decode()
    assert body.index(personas.other_account.name) < body.index(personas.account.name)


def test_archived_accounts_leave_the_list_but_keep_their_page(personas):
    client = client_for(personas.kam)
    client.post(f"/accounts/{personas.account.pk}/archive/")
    assert personas.account.name not in client.get("/accounts/").content.decode()
    assert personas.account.name in client.get("/accounts/?archived=true").content.decode()
    page = client.get(f"/accounts/{personas.account.pk}/")
    assert page.status_code == 200 and b"archived-notice" in page.content
    client.post(f"/accounts/{personas.account.pk}/unarchive/")
    assert Account.objects.get(pk=personas.account.pk).archived_at is None


def test_create_and_edit_account_and_stale_edit_is_refused(personas):
    client = client_for(personas.kam)
    response = client.post("/accounts/new/", {"name": "Conservas Atlánticas S.A.", "tax_id": "a77777777",
                                              "industry": "food", "country": "es", "status": "active",
                                              "kam": personas.kam.pk, "relationship_stage": "basic"})
    account = Account.objects.get(name="Conservas Atlánticas S.A.")
    assert response.status_code == 302 and account.tax_id == "A77777777" and account.country == "ES"
    form = {"name": "Conservas Atlánticas S.A.", "tax_id": "A77777777", "industry": "food", "country": "ES",
            "status": "active", "kam": personas.kam.pk, "version": account.version, "region": "Galicia"}
    assert client.post(f"/accounts/{account.pk}/edit/", form).status_code == 302
    stale = client.post(f"/accounts/{account.pk}/edit/", {**form, "region": "Asturias"})
    text = stale.content.decode()
    assert stale.status_code == 200 and "Someone else saved this while you were editing" in text
    table = text[text.index('data-testid="conflict-changes"'):]
    assert "Galicia" in table and "Asturias" in table  # saved now, and theirs kept beside it
    account.refresh_from_db()
    assert account.region == "Galicia"


def test_create_rejects_bad_input_with_messages(personas):
    response = client_for(personas.lead).post("/accounts/new/", {"name": "", "country": "XX", "industry": "food",
                                                                  "status": "active", "relationship_stage": "basic"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choose a country from the list" in text and "This field is required" in text


def test_teammate_cannot_edit_or_manage_team(personas):
    client = client_for(personas.teammate)
    assert client.get(f"/accounts/{personas.account.pk}/edit/").status_code == 403
    assert client.post(f"/accounts/{personas.account.pk}/team/", {}).status_code == 403
    assert client.post(f"/accounts/{personas.other_account.pk}/financials/", {}).status_code == 404


def test_kam_manages_the_team(personas):
    client = client_for(personas.kam)
    response = client.post(f"/accounts/{personas.account.pk}/team/", {
        "user": personas.outsider.pk, "department": department("supply_chain").pk, "role": "Planificación"})
    assert response.status_code == 302
    member = AccountTeamMember.objects.get(account=personas.account, user=personas.outsider)
    assert client_for(personas.outsider).get(f"/accounts/{personas.account.pk}/").status_code == 200
    client.post(f"/accounts/{personas.account.pk}/team/{member.pk}/remove/", {"version": member.version})
    assert client_for(personas.outsider).get(f"/accounts/{personas.account.pk}/").status_code == 404


def test_stage_change_form(personas):
    client = client_for(personas.kam)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    bad = client.post(f"/accounts/{personas.account.pk}/stage/", {"to_stage": "basic", "changed_on": future})
    assert "cannot be dated in the future" in bad.content.decode()
    ok = client.post(f"/accounts/{personas.account.pk}/stage/", {"to_stage": "basic",
                                                                "changed_on": timezone.localdate().isoformat()})
    assert ok.status_code == 302
    assert "Basic" in client.get(f"/accounts/{personas.account.pk}/").content.decode()


def test_relationship_map_org_chart_and_contact_gone(personas):
    account = personas.account
    boss = ContactFactory(account=account, name="Directora General", attitude="champion")
    buyer = ContactFactory(account=account, name="Jefe Compras", reports_to=boss, decision_role="decision_maker")
    client = client_for(personas.kam)
    body = client.get(f"/accounts/{account.pk}/contacts/").content.decode()
    chart = body[body.index('data-testid="org-chart"'):]
    assert chart.index("Directora General") < chart.index("Jefe Compras")
    assert chart.index("<ul>") < chart.index("Jefe Compras")  # nested below the boss
    assert "a decision maker nobody on our side owns" in body
    response = client.post(f"/contacts/{buyer.pk}/gone/", {"left_at": timezone.localdate().isoformat(),
                                                            "successor_name": "Nuevo Jefe"})
    assert response.status_code == 302
    new = Contact.objects.get(name="Nuevo Jefe")
    assert new.reports_to == boss
    body = client.get(f"/accounts/{account.pk}/contacts/").content.decode()
    assert "People who left" in body and "Nuevo Jefe" in body


def test_contact_form_refuses_a_reporting_cycle(personas):
    account = personas.account
    boss = ContactFactory(account=account, name="A")
    sub = ContactFactory(account=account, name="B", reports_to=boss)
    response = client_for(personas.kam).post(f"/contacts/{boss.pk}/edit/", {
        "name": "A", "reports_to": sub.pk, "influence": 2, "attitude": "neutral", "decision_role": "none",
        "version": boss.version})
    assert response.status_code == 200 and "circle" in response.content.decode()


def test_financials_entry(personas):
    client = client_for(personas.teammate)  # Finance on the account's team
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    response = client.post(f"/accounts/{personas.account.pk}/financials/", {
        "month": month, "revenue": "12000", "cost_of_goods": "7000", "cost_to_serve": "800"})
    assert response.status_code == 302
    assert FinancialRecord.objects.get(account=personas.account).revenue == 12000
    personas.account.refresh_from_db()
    assert personas.account.revenue_12m == 12000
    bad = client.post(f"/accounts/{personas.account.pk}/financials/", {"month": "2020-13", "revenue": "-1",
                                                                       "cost_of_goods": "x", "cost_to_serve": "0"})
    assert bad.status_code == 200 and FinancialRecord.objects.count() == 1


def test_sponsor_assesses_and_lead_decides_the_tier(personas):
    account = personas.other_account
    lead = client_for(personas.lead)
    form = {"assessed_on": timezone.localdate().isoformat(), "note": "Revisión"}
    from accounts.models import SelectionCriterion

    for c in SelectionCriterion.objects.filter(active=True):
        form[f"score_{c.pk}"] = "5"
    assert lead.post(f"/accounts/{account.pk}/assess/", form).status_code == 302
    account.refresh_from_db()
    assert (account.attractiveness, account.strength, account.quadrant) == (100, 100, "strategic")
    # Empty assessment: a clear error, nothing saved.
    empty = lead.post(f"/accounts/{account.pk}/assess/", {"assessed_on": timezone.localdate().isoformat()})
    assert "Score at least one criterion" in empty.content.decode()
    assert Assessment.objects.count() == 1
    no_reason = lead.post(f"/accounts/{account.pk}/tier/", {"expected_tier": "standard", "to_tier": "key"})
    assert no_reason.status_code == 200 and not TierDecision.objects.exists()
    ok = lead.post(f"/accounts/{account.pk}/tier/", {"expected_tier": "standard", "to_tier": "key",
                                                     "reason": "Estratégica y clase A", "kam": personas.other_kam.pk,
                                                     "sponsor": personas.sponsor.pk})
    assert ok.status_code == 302
    account.refresh_from_db()
    assert account.tier == Tier.KEY
    assert "Estratégica y clase A" in lead.get(f"/accounts/{account.pk}/tier/").content.decode()
    # The sponsor of a key account may assess it; a sponsor cannot assess accounts they cannot see.
    other = AccountFactory(tier="standard")
    assert client_for(personas.sponsor).get(f"/accounts/{personas.account.pk}/assess/").status_code == 200
    assert client_for(personas.sponsor).get(f"/accounts/{other.pk}/assess/").status_code == 404


def test_selection_page_shows_cap_and_mismatches_and_criterion_edit_rescores(personas):
    client = client_for(personas.lead)
    body = client.get("/accounts/selection/").content.decode()
    assert "Reciprocity" in body and "Key account never assessed" in body
    assert "1</span> / 25" in body
    from accounts.models import SelectionCriterion

    c = SelectionCriterion.objects.get(code="brand_image")
    response = client.post(f"/accounts/selection/criteria/{c.pk}/", {
        "name": c.name, "axis": c.axis, "weight": "0", "scale_max": 5, "active": "on", "order": c.order,
        "version": c.version})
    assert response.status_code == 302
    assert "weight 0" in client.get("/accounts/selection/").content.decode()


def test_portfolio_and_pareto_pages_show_data_and_lists(personas):
    Account.objects.filter(pk=personas.account.pk).update(attractiveness=80, strength=30, quadrant="star",
                                                           revenue_12m=100, pareto_class="B")
    Account.objects.filter(pk=personas.other_account.pk).update(revenue_12m=900, pareto_class="A")
    lead = client_for(personas.lead)
    portfolio = lead.get("/accounts/portfolio/")
    assert b"portfolio-data" in portfolio.content and personas.account.name.encode() in portfolio.content
    Account.objects.filter(pk=personas.other_account.pk).update(attractiveness=80, strength=80, quadrant="strategic")
    pareto = lead.get("/accounts/pareto/").content.decode()
    disagreeing = pareto[pareto.index('data-testid="tier-disagreements"'):].split("</table>")[0]
    assert personas.other_account.name in disagreeing and "Strategic account outside the programme" in disagreeing
    # A KAM sees only their accounts in the Pareto lists.
    assert personas.other_account.name not in client_for(personas.kam).get("/accounts/pareto/").content.decode()


def test_panel_endpoint(personas):
    client = client_for(personas.kam)
    assert client.get(f"/accounts/{personas.account.pk}/panels/unknown/").status_code == 404
    assert client.get(f"/accounts/{personas.account.pk}/panels/planning/").status_code == 200


def test_pages_read_in_spanish(personas):
    client = client_for(personas.lead)
    client.cookies["django_language"] = "es"
    body = client.get("/accounts/portfolio/").content.decode()
    assert "Matriz de cartera" in body and "Portfolio matrix" not in body
    body = client.get("/accounts/selection/").content.decode()
    assert "Reciprocidad (¿devolverá el cliente la inversión?)" in body
    body = client.get(f"/accounts/{personas.account.pk}/").content.decode()
    assert "Puntuaciones de selección" in body and "Cuenta clave" in body


def test_stale_contact_and_criterion_edits_are_refused(personas):
    contact = ContactFactory(account=personas.account, name="Original")
    client = client_for(personas.kam)
    form = {"name": "Primera", "influence": 2, "attitude": "neutral", "decision_role": "none",
            "version": contact.version}
    assert client.post(f"/contacts/{contact.pk}/edit/", form).status_code == 302
    stale = client.post(f"/contacts/{contact.pk}/edit/", {**form, "name": "Segunda"})
    assert "Someone else saved this while you were editing" in stale.content.decode()
    contact.refresh_from_db()
    assert contact.name == "Primera"

    from accounts.models import SelectionCriterion

    c = SelectionCriterion.objects.get(code="growth")
    lead = client_for(personas.lead)
    data = {"name": c.name, "axis": c.axis, "weight": "12", "scale_max": 5, "active": "on", "order": c.order,
            "version": c.version}
    assert lead.post(f"/accounts/selection/criteria/{c.pk}/", data).status_code == 302
    stale = lead.post(f"/accounts/selection/criteria/{c.pk}/", {**data, "weight": "40"})
    assert "Someone else saved this while you were editing" in stale.content.decode()
    c.refresh_from_db()
    assert c.weight == 12


def _portfolio_points(response):
    html = response.content.decode()
    marker = '<script id="portfolio-data" type="application/json">'
    start = html.index(marker) + len(marker)
    return {p["name"]: p for p in json.loads(html[start:html.index("</script>", start)])["points"]}


def test_portfolio_chart_is_cached_per_person_and_filter_and_follows_every_change(
        personas, django_assert_max_num_queries):
    from tests.factories import UserFactory

    Account.objects.filter(pk=personas.account.pk).update(attractiveness=80, strength=30, revenue_12m=100)
    Account.objects.filter(pk=personas.other_account.pk).update(attractiveness=20, strength=60, revenue_12m=50)
    lead = client_for(personas.lead)
    with django_assert_max_num_queries(30) as cold:
        first = lead.get("/accounts/portfolio/")
    with django_assert_max_num_queries(30) as warm:
        assert _portfolio_points(lead.get("/accounts/portfolio/")) == _portfolio_points(first)
    # The points and the filter's lists of people are not read again.
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 3
    assert set(_portfolio_points(first)) == {"Aceros del Norte S.A.", "Otra Cuenta S.L."}

    # Another person, another filter: their own points, not the cached ones.
    kam = _portfolio_points(client_for(personas.kam).get("/accounts/portfolio/"))
    assert set(kam) == {"Aceros del Norte S.A."}
    assert set(_portfolio_points(lead.get("/accounts/portfolio/", {"tier": "key"}))) == {"Aceros del Norte S.A."}

    # A re-assessment written in bulk moves the bubble on the next load.
    Account.objects.filter(pk=personas.account.pk).update(attractiveness=45, strength=75)
    moved = _portfolio_points(lead.get("/accounts/portfolio/"))["Aceros del Norte S.A."]
    assert (moved["x"], moved["y"]) == (75.0, 45.0)

    # A new KAM appears in the filter's list of KAMs (users and their roles are in the form's key).
    UserFactory(username="kam_nueva", first_name="Nuria", last_name="Vidal", roles=["KAM"])
    for url in ("/accounts/portfolio/", "/accounts/"):
        assert "Nuria Vidal" in lead.get(url).content.decode(), url
