"""Creation forms act once (kam.idempotency): the same form sent twice, by a double click or a proxy
that retries, creates one object, and every creation form of the site carries its one-time token."""

import threading

import pytest
from django.urls import resolve, reverse

from bench.htmlforms import fill_valid, parse_forms
from kam.idempotency import FIELD, once_per_submit
from tests.access import all_cases
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _form(page, action=None, having=None):
    """The page's POST form sent to `action` (None: the page's own form), or holding field `having`."""
    for form in parse_forms(page.content.decode()):
        if form.method != "post":
            continue
        if having is not None and form.field(having) is None:
            continue
        if (form.action or None) == action:
            return form
    raise AssertionError(f"no POST form for {action or 'the page itself'} on the page")


def _twice(client, url, data, **headers):
    assert data.get(FIELD), "the form carries no one-time token"
    return client.post(url, data, **headers), client.post(url, data, **headers)


def _redirected_alike(first, second):
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]


# --- One object per form sent, whatever the number of POSTs -------------------------------------------
def test_an_account_sent_twice_is_created_once(personas):
    from accounts.models import Account

    client = client_for(personas.kam)
    url = reverse("accounts:create")
    data = fill_valid(_form(client.get(url)), text="Forjas del Cantábrico")
    before = Account.objects.count()
    first, second = _twice(client, url, data)
    _redirected_alike(first, second)
    assert Account.objects.count() == before + 1


def test_an_incident_sent_twice_is_opened_once(personas):
    from touchpoints.models import ServiceIncident

    client = client_for(personas.operator)
    url = reverse("touchpoints:incident_new") + f"?account={personas.account.pk}"
    first, second = _twice(client, url, fill_valid(_form(client.get(url)), text="Lote defectuoso"))
    _redirected_alike(first, second)
    assert ServiceIncident.objects.count() == 1
    # The second answer says what happened instead of pretending to have done it again.
    assert "already sent" in client.get(second["Location"]).content.decode()


def test_a_touchpoint_sent_twice_is_logged_once(personas):
    from touchpoints.models import Touchpoint

    client = client_for(personas.kam)
    url = reverse("touchpoints:touchpoint_new") + f"?account={personas.account.pk}"
    first, second = _twice(client, url, fill_valid(_form(client.get(url)), text="Llamada de seguimiento"))
    _redirected_alike(first, second)
    assert Touchpoint.objects.count() == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_an_opportunity_sent_twice_is_added_once(personas, htmx):
    from planning.models import Opportunity
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(account=personas.account)
    client = client_for(personas.kam)
    action = reverse("planning:row_add", args=[plan.pk, "opportunity"])
    data = fill_valid(_form(client.get(reverse("planning:plan_detail", args=[plan.pk])), action),
                      text="Monitorización de bombas")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    first, second = _twice(client, action, data, **headers)
    if htmx:
        # The first answer already put the new row on the page: the second swaps nothing in.
        assert first.status_code == 200 and "Monitorización de bombas" in first.content.decode()
        assert second.status_code == 204
    else:
        _redirected_alike(first, second)
    assert Opportunity.objects.filter(plan=plan).count() == 1


def test_a_share_link_sent_twice_is_created_once(personas):
    from planning.models import ShareLink
    from tests.factories import ContactFactory
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(account=personas.account)
    contact = ContactFactory(account=personas.account)
    client = client_for(personas.kam)
    url = reverse("planning:plan_sharing", args=[plan.pk])
    data = {**fill_valid(_form(client.get(url)), text="Director de compras"), "contact": str(contact.pk)}
    first, second = _twice(client, url, data)
    assert first.status_code == 200 and "new-share-url" in first.content.decode()
    assert second.status_code == 302 and second["Location"] == url
    assert ShareLink.objects.filter(plan=plan).count() == 1


def test_a_form_with_errors_can_be_corrected_and_sent_with_the_same_token(personas):
    from touchpoints.models import ServiceIncident

    client = client_for(personas.operator)
    url = reverse("touchpoints:incident_new") + f"?account={personas.account.pk}"
    data = fill_valid(_form(client.get(url)), text="Lote defectuoso")
    refused = client.post(url, {**data, "title": ""})
    assert refused.status_code == 200 and not ServiceIncident.objects.exists()
    assert client.post(url, data).status_code == 302
    assert ServiceIncident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_the_same_moment_opens_one_incident():
    """Two requests in flight together (a proxy retrying while the first still runs) on PostgreSQL:
    the second waits for the first's token, then answers with the first's result."""
    from django.db import connection, connections

    from kam.roles import OPERATIONS
    from tests.factories import AccountFactory, UserFactory
    from touchpoints.models import ServiceIncident

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    operator = UserFactory(username="operator-once", roles=[OPERATIONS])
    account = AccountFactory(tier="key")
    url = reverse("touchpoints:incident_new") + f"?account={account.pk}"
    data = fill_valid(_form(client_for(operator).get(url)), text="Parada de línea")
    clients = [client_for(operator), client_for(operator)]
    start = threading.Barrier(len(clients))
    responses, errors = [None] * len(clients), []

    def post(i):
        try:
            start.wait(10)
            responses[i] = clients[i].post(url, data)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and all(r is not None for r in responses)
    _redirected_alike(*responses)
    assert ServiceIncident.objects.count() == 1


# --- Every creation form carries its token ------------------------------------------------------------
# The views that create something. Each must act once, and each must have at least one form on the
# site's pages that carries the token (found below by reading the pages).
CREATION_VIEWS = {
    "accounts:create", "accounts:contact_new", "accounts:assess", "accounts:team", "accounts:financials",
    "accounts:criterion_new", "accounts:stage", "accounts:tier", "accounts:imports", "accounts:import_job_confirm",
    "planning:plan_create", "planning:row_add", "planning:plan_sharing", "planning:negotiation_list",
    "planning:negotiation_row", "planning:agreement_commitment", "planning:share",
    "touchpoints:touchpoint_new", "touchpoints:incident_new", "touchpoints:feedback_new",
    "touchpoints:partnership_rating_new",
    "programme:review_create", "programme:proposal_add", "programme:change_add", "programme:proposal_decide",
    "roster:assess", "roster:course_new", "roster:competence_new",
}


# The code of the wrapper `once_per_submit` puts around a view (functools.wraps copies the view's names
# onto it, so its code is what tells it apart).
ONCE_WRAPPER = once_per_submit(lambda request: None).__code__


def _acts_once(view) -> bool:
    while view is not None:
        if getattr(view, "__code__", None) is ONCE_WRAPPER:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_every_creation_view_acts_once():
    from tests.test_access_matrix import URLS

    assert {name for name in CREATION_VIEWS if not _acts_once(URLS[name])} == set()


def _pages(world):
    """Every page of the access table, as the first persona that may open it, plus the quick-logging
    forms, which need an account in the query string."""
    for url_name, case in sorted(all_cases().items()):
        # Pages that show their form only to those allowed to post it (financials: finance, the lead)
        # are read as the first persona whose POST the write case accepts.
        writers = [p for p, status in (case.post_expected or {}).items() if status in (200, 302)]
        readers = [p for p, status in case.expected.items() if status == 200]
        persona = next((p for p in writers if p in readers), None) or next(iter(readers), None)
        if persona is not None:
            yield persona, reverse(url_name, kwargs=case.resolve_kwargs(world)) + case.query
    for name, persona in (("touchpoints:touchpoint_new", "kam"), ("touchpoints:incident_new", "operator")):
        yield persona, reverse(name) + f"?account={world.account.pk}"


def test_every_form_sent_to_a_creation_view_carries_its_token(world):
    from tests.test_access_matrix import URLS

    seen, missing = set(), []
    for persona, url in _pages(world):
        response = client_for(getattr(world, persona)).get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in parse_forms(response.content.decode()):
            if form.method != "post":
                continue
            match = resolve((form.action or url).split("?")[0])
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
            if not _acts_once(URLS.get(name)):
                continue
            seen.add(name)
            if form.field(FIELD) is None:
                missing.append(f"{url} -> {name}")
    assert missing == [], "creation forms without {% submit_once %}: " + ", ".join(missing)
    assert CREATION_VIEWS - seen == set(), "creation views whose form was not found on any page"
