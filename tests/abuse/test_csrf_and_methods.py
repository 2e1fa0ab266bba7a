"""Every state-changing request needs POST with a CSRF token: walking every URL pattern, a GET never
writes to the database, and a POST without the token is refused (403) and writes nothing."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access import all_cases, url_names
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

# Writes a GET may make on purpose: the session (a signed-in user's expiry), and the audit trail of
# share-link views (every view of a shared plan is logged, by design).
GET_MAY_WRITE = ("django_session", "planning_shareview")
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


URL_NAMES = url_names()


def _writes(queries):
    found = []
    for q in queries:
        sql = q["sql"].lstrip()
        if sql.upper().startswith(WRITE_VERBS) and not any(f'"{t}"' in sql for t in GET_MAY_WRITE):
            found.append(sql[:160])
    return found


def _url(world, url_name):
    case = all_cases().get(url_name)
    if case is None:
        pytest.skip(f"no access case for {url_name} (the access matrix test reports it)")
    return reverse(url_name, kwargs=case.resolve_kwargs(world)) + case.query


def _client(user, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("url_name", URL_NAMES)
def test_get_never_writes_and_post_needs_the_csrf_token(world, url_name):
    # One test per URL for both checks: building the world is what costs.
    url = _url(world, url_name)
    for persona in PERSONAS:
        client = _client(getattr(world, persona))
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert _writes(queries) == [], f"GET {url} as {persona} wrote to the database"

    for persona in ("lead", "kam", "operator", "sponsor", "anonymous"):
        client = _client(getattr(world, persona), enforce_csrf_checks=True)
        client.get(url)  # may set the CSRF cookie: the token in the body is what is missing below
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"name": "x", "summary": "x", "status": "closed"})
        assert response.status_code == 403, f"POST {url} as {persona} without a token -> {response.status_code}"
        assert _writes(queries) == [], f"POST {url} as {persona} without a token wrote to the database"
        # And with a forged token in the body that does not match the cookie.
        response = client.post(url, {"csrfmiddlewaretoken": "A" * 64, "name": "x"})
        assert response.status_code == 403
