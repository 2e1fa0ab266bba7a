"""Every page of the site, on a phone (390 px) and on a small laptop (1024 px), in English and in Spanish:
the document is never wider than the screen. Wide tables scroll inside their own box
(`.table-responsive`); the page itself must not scroll sideways.

The pages come from the access matrix (tests/access.py): every URL case a signed-in persona reads with
200 and that answers HTML, opened as the first such persona of `SIGNERS`; so a new page is covered as
soon as its access row exists. One browser context per width and language walks all pages and lists every
offender, so one run shows them all."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.access import all_cases

pytestmark = pytest.mark.browser

SIGNERS = ("lead", "kam", "sponsor", "operator", "teammate")
WIDTHS = {"phone": 390, "laptop": 1024}

# The outermost element that sticks out, outside any box that scrolls or clips: what to fix, not only where.
OVERFLOW = """() => {
  const limit = window.innerWidth + 1;
  if (document.documentElement.scrollWidth <= window.innerWidth) return null;
  const clips = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const classes = (el) => (typeof el.className === 'string' && el.className.trim())
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el);
  let culprit = null;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= limit) continue;
    const parent = el.parentElement;
    if (parent !== document.body && parent.getBoundingClientRect().right > limit) continue;
    let clipped = false;
    for (let p = parent; p && p !== document.body; p = p.parentElement) { if (clips(p)) { clipped = true; break; } }
    if (!clipped) { culprit = name(el) + ' in ' + name(parent); break; }
  }
  return {width: document.documentElement.scrollWidth, widest: culprit};
}"""


def html_pages(world) -> list[tuple[str, str]]:
    """(persona, URL) of every page the access matrix says some persona reads, as the first reader of
    `SIGNERS`; downloads, fragments and redirects are not pages."""
    clients: dict[str, Client] = {}
    pages = []
    for name, case in sorted(all_cases().items()):
        if name.startswith("admin:"):
            continue
        reader = next((p for p in SIGNERS if case.expected.get(p) == 200), None)
        if reader is None:
            continue
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + case.query
        if reader not in clients:
            clients[reader] = Client()
            clients[reader].force_login(getattr(world, reader))
        response = clients[reader].get(url)
        # htmx fragments (an import's progress) are parts of a page, not documents.
        if (response.status_code == 200 and response["Content-Type"].startswith("text/html")
                and b"<html" in response.content[:300]):
            pages.append((reader, url))
    return pages


def _session_cookie(user, base_url) -> dict:
    client = Client()
    client.force_login(user)
    from django.conf import settings

    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base_url}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("device", list(WIDTHS))
def test_no_page_scrolls_sideways(live_server, browser, world, device, language):
    from django.conf import settings

    base = live_server.url
    pages = html_pages(world)
    assert len(pages) > 40, "the access matrix should yield the site's pages"
    width = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=language,
                                  extra_http_headers={"Accept-Language": language})
    sessions = {p: _session_cookie(getattr(world, p), base) for p in {persona for persona, _ in pages}}
    language_cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}
    offenders = []
    try:
        page = context.new_page()
        signed_in_as = None
        for persona, url in pages:
            if persona != signed_in_as:
                context.clear_cookies()
                context.add_cookies([sessions[persona], language_cookie])
                signed_in_as = persona
            response = page.goto(base + url, wait_until="load")
            status = response.status if response else None
            assert status == 200, f"{url} as {persona}: {status}"
            assert page.locator("html").get_attribute("lang") == language, url
            found = page.evaluate(OVERFLOW)
            if found:
                offenders.append(f"{url} as {persona}: {found['width']} px, widest {found['widest']}")
            # A tab's hidden pane takes no width until it is shown (the plan's Compromiso tab).
            tabs = page.locator('[data-bs-toggle="tab"]')
            for index in range(tabs.count()):
                tab = tabs.nth(index)
                if not tab.is_visible():
                    continue
                tab.click()
                page.locator(f'{tab.get_attribute("data-bs-target")}.show').wait_for(state="visible")
                found = page.evaluate(OVERFLOW)
                if found:
                    offenders.append(f"{url}{tab.get_attribute('data-bs-target')} as {persona}: "
                                     f"{found['width']} px, widest {found['widest']}")
    finally:
        context.close()
    assert not offenders, f"pages wider than {width} px in {language}:\n" + "\n".join(offenders)


# On a phone the tables people work from show their key columns, first and whole; the rest appear from
# the md breakpoint (768 px).
KEY_COLUMNS = {
    ("lead", "touchpoints:incident_list", None): ("incident-queue", ["Incident", "Severity", "SLA"]),
    ("lead", "accounts:list", None): ("account-table", ["Name", "Tier", "Health", "12-month revenue"]),
    ("lead", "accounts:contacts", "account"): ("contact-table", ["Name", "Influence", "Attitude"]),
    ("kam", "metrics:dashboard_kam", None): ("kam-accounts", ["Account", "Health", "CLV"]),
}


def test_key_columns_come_first_and_whole_on_a_phone(live_server, browser, world):
    base = live_server.url
    context = browser.new_context(viewport={"width": WIDTHS["phone"], "height": 800})
    try:
        page = context.new_page()
        for (persona, name, account), (testid, expected) in KEY_COLUMNS.items():
            context.clear_cookies()
            context.add_cookies([_session_cookie(getattr(world, persona), base)])
            url = reverse(name, kwargs={"pk": world.account.pk} if account else {})
            page.goto(base + url)
            headers = page.get_by_test_id(testid).locator("thead th")
            visible = [headers.nth(i) for i in range(headers.count()) if headers.nth(i).is_visible()]
            assert [th.inner_text().strip() for th in visible] == expected, url
            assert all(th.bounding_box()["x"] + th.bounding_box()["width"] <= WIDTHS["phone"] for th in visible), url
            assert page.get_by_test_id(testid).locator("tbody tr").count() >= 1, url
        # From the md breakpoint every column is back.
        page.set_viewport_size({"width": 800, "height": 800})
        headers = page.get_by_test_id("kam-accounts").locator("thead th")
        assert all(headers.nth(i).is_visible() for i in range(headers.count()))
    finally:
        context.close()
