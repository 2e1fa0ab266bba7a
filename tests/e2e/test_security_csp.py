"""Every page of the site, loaded in Chromium under the content security policy, reports no
violation: no inline script, inline style, style attribute or foreign resource anywhere.

Pages are found by walking the URL patterns (each with the objects of the access matrix) and
opening each one as the first persona allowed to see it, so a new page is checked without being
listed here.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import all_cases, app_modules

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SKIP_NAMESPACES = ("admin",)
PERSONA_ORDER = ("lead", "kam", "operator", "sponsor", "teammate", "anonymous")
# Records violations in the page itself (Playwright's init scripts are not subject to the policy).
LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ` +
                              `${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def _pages(world):
    """(persona, url) for every URL name that renders an HTML page for someone."""
    cases = all_cases()
    clients = {}
    for persona in PERSONA_ORDER:
        client = Client()
        user = getattr(world, persona)
        if user is not None:
            client.force_login(user)
        clients[persona] = client
    pages = []
    for name in sorted(set(_walk(get_resolver().url_patterns))):
        case = cases.get(name)
        if case is None or name in ("logout",):
            continue
        try:
            kwargs = case.resolve_kwargs(world)
        except AttributeError:
            # An object from a data migration that a transactional test's flush removed (e.g. the
            # default selection criteria): that page is covered by the access matrix instead.
            continue
        url = reverse(name, kwargs=kwargs) + case.query
        for persona in PERSONA_ORDER:
            response = clients[persona].get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages.append((persona, url))
                break
    return pages


def test_no_page_violates_the_content_security_policy(live_server, browser, personas):
    for module in app_modules():
        build = getattr(module, "build", None)
        if build:
            build(personas)
    pages = _pages(personas)
    assert len(pages) >= 10, pages
    # The 404 and error pages are pages too.
    pages.append(("anonymous", "/no-such-page/"))

    violations = []
    by_persona = {}
    for persona, url in pages:
        by_persona.setdefault(persona, []).append(url)
    for persona, urls in by_persona.items():
        context = browser.new_context()
        context.add_init_script(LISTENER)
        page = context.new_page()
        console = []
        page.on("console", lambda msg, sink=console: sink.append(msg.text)
                if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
        user = getattr(personas, persona)
        if user is not None:
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", "pw-test-12345")
            with page.expect_navigation():
                page.click("main button[type=submit]")
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None
            assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
            page.wait_for_load_state("networkidle")
            found = page.evaluate("window.__cspViolations || []")
            violations += [f"{url} ({persona}): {v}" for v in found]
            violations += [f"{url} ({persona}): {c}" for c in console]
            console.clear()
        context.close()
    assert violations == [], "\n".join(violations)


def test_the_check_itself_sees_inline_code(live_server, page):
    """Guards the test above: a page served with our policy and inline code must be reported."""
    policy = page.goto(f"{live_server.url}/login/").headers["content-security-policy"]
    page.add_init_script(LISTENER)
    page.route(f"{live_server.url}/csp-probe/", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
        body='<p style="color:red">x</p><script>document.title = "ran";</script>'))
    page.goto(f"{live_server.url}/csp-probe/")
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__cspViolations")
    assert any(v.startswith("script-src") for v in found), found
    assert any(v.startswith("style-src") for v in found), found
    assert page.title() != "ran"
