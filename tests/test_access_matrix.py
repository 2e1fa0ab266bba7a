"""Walks every URL pattern for every persona and asserts the declared status (see tests/access.py)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import all_cases
from tests.conftest import PERSONAS, client_for

# The admin's internal pages are Django's own; the admin index stands for all of them.
SKIP_NAMESPACES = ("admin",)
ADMIN_INDEX = "admin:index"


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                yield ADMIN_INDEX, None
                continue
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                continue
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def project_urls() -> dict:
    found = {}
    for name, callback in _walk(get_resolver().url_patterns):
        found.setdefault(name, callback)
    return found


URLS = project_urls()


def test_every_url_declares_its_access_rule():
    cases = all_cases()
    missing = sorted(set(URLS) - set(cases))
    assert not missing, f"URL patterns without an access case in tests/<app>/access.py: {missing}"
    stale = sorted(set(cases) - set(URLS))
    assert not stale, f"access cases for URL names that no longer exist: {stale}"


def test_every_view_declares_access_in_code():
    undeclared = sorted(
        name for name, callback in URLS.items()
        if callback is not None and not hasattr(callback, "access")
    )
    assert not undeclared, f"views without a kam.access decorator (public/signed_in/role_required): {undeclared}"


@pytest.mark.parametrize("url_name", sorted(URLS))
def test_url_status_for_every_persona(world, url_name):
    case = all_cases().get(url_name)
    if case is None:
        pytest.fail(f"no access case for {url_name}")
    url = reverse(url_name, kwargs=case.resolve_kwargs(world)) + case.query
    got = {}
    for persona in PERSONAS:
        response = client_for(getattr(world, persona)).get(url)
        got[persona] = response.status_code
    assert got == case.expected, f"{url_name} ({url})"
