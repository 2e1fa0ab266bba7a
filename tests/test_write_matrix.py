"""The write column of the access table: every state-changing URL, POSTed with valid data by every
persona (tests/access.py `POST_PERSONAS`). Allowed personas' POST acts; every refusal is a 403 (or a
404 for who may not see the object, or the sign-in page for anonymous) and writes nothing.

Each persona's POST runs against the same starting state: it is made inside a transaction rolled back
afterwards. A URL whose page has a form posting to itself, or that answers POST only, must declare its
write case: a new form cannot ship without its rule being stated and tested.
"""

from html.parser import HTMLParser

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access import NOT_ALLOWED, POST_PERSONAS, all_cases, url_names
from tests.conftest import PERSONAS, client_for

pytestmark = pytest.mark.django_db

# Bookkeeping a request may write whatever it does: the session, and the one-time token of a form.
NOT_DOMAIN_WRITES = ("django_session", "kam_submittedform")
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
REFUSED = (403, 404, 405)
LOGIN = "/login/"

CASES = all_cases()
URL_NAMES = url_names()
WRITE_URLS = sorted(name for name in URL_NAMES if CASES.get(name) and CASES[name].post is not None)
OTHER_URLS = sorted(name for name in URL_NAMES if CASES.get(name) and CASES[name].post is None)


def _writes(queries):
    return [q["sql"][:160] for q in queries
            if q["sql"].lstrip().upper().startswith(WRITE_VERBS)
            and not any(f'"{t}"' in q["sql"] for t in NOT_DOMAIN_WRITES)]


def _url(world, case, url_name):
    return reverse(url_name, kwargs=case.resolve_kwargs(world)) + case.query


def test_every_write_case_states_every_persona():
    for name in WRITE_URLS:
        case = CASES[name]
        assert case.post_expected is not None, f"{name}: `post` without `post_expected`"
        assert set(case.post_expected) == set(POST_PERSONAS), f"{name}: personas missing in post_expected"


@pytest.mark.parametrize("url_name", WRITE_URLS)
def test_post_for_every_persona(world, url_name):
    case = CASES[url_name]
    got, wrote, locations = {}, {}, {}
    for persona in POST_PERSONAS:
        with transaction.atomic():
            data = case.post(world)
            url = _url(world, case, url_name)
            client = client_for(getattr(world, persona))
            with CaptureQueriesContext(connection) as queries:
                response = client.post(url, data)
            got[persona] = response.status_code
            locations[persona] = response.get("Location", "")
            wrote[persona] = _writes(queries)
            transaction.set_rollback(True)
    assert got == case.post_expected, url_name
    must_write = case.post_writes if case.post_writes is not None else POST_PERSONAS
    for persona, status in got.items():
        refused = status in REFUSED or (status == 302 and locations[persona].startswith(LOGIN))
        if refused:
            assert wrote[persona] == [], f"{url_name}: refused POST by {persona} wrote {wrote[persona]}"
        elif persona in must_write:
            assert wrote[persona], f"{url_name}: POST by {persona} answered {status} but wrote nothing"


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.actions = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.actions.append(attrs.get("action") or "")
        if "hx-post" in attrs:
            self.actions.append(attrs["hx-post"])


@pytest.mark.parametrize("url_name", OTHER_URLS)
def test_a_url_without_a_write_case_neither_has_a_form_of_its_own_nor_writes(world, url_name):
    case = CASES[url_name]
    url = _url(world, case, url_name)
    if NOT_ALLOWED in case.expected.values():
        pytest.fail(f"{url_name} answers POST only: declare its write case (post=..., post_expected=...)")
    for persona in PERSONAS:
        if case.expected.get(persona) != 200:
            continue
        response = client_for(getattr(world, persona)).get(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        own = [a for a in parser.actions if a in ("", url, url.split("?")[0])]
        assert not own, f"{url_name} has a form posting to itself ({persona}): declare its write case"
    lead = client_for(world.lead)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            lead.post(url, {"name": "x"})
        transaction.set_rollback(True)
    assert _writes(queries) == [], f"POST {url_name} wrote without a declared write case"
