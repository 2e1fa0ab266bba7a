"""Every form of the site, fuzzed: found by walking the URL patterns and reading each page's forms,
so a new form is covered without being listed here. Hostile input (very long text, unicode, HTML and
script, negative and huge numbers, impossible dates, NUL bytes, ids that do not exist) must end in a
validation message or a clean save, never a server error, and whatever is shown back is escaped.
"""

import pytest
from django.urls import resolve, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.htmlforms import parse_forms
from tests.access import all_cases, url_names
from tests.conftest import client_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Signing out would end the fuzzing session; the language switch only sets a cookie.
SKIP_ACTIONS = ("logout",)
PERSONA_ORDER = ("lead", "kam", "operator", "sponsor", "teammate", "anonymous")
ALLOWED = {200, 201, 204, 301, 302, 303, 400, 403, 404, 405, 409, 412, 422, 429}

XSS = ["<script>kamxss(1)</script>", '"><img src=x onerror=kamxss(2)>', "<svg/onload=kamxss(3)>"]
UNESCAPED = ("<script>kamxss", "<img src=x onerror=kamxss", "<svg/onload=kamxss")
NASTY = [
    "", " ", "x" * 20_000, "ñ" * 5_000, *XSS,
    "'; DROP TABLE accounts_account; --", "\u202eالعربية 👩‍💼🏭 Ωμέγα 日本語", "a\x00b", "\x00",
    "-1", "0", "-99999999999999999999999", "99999999999999999999999999999", "1e309", "-1e309", "NaN",
    "Infinity", "0.000000000001", "1,5", "12.345.678,90",
    "2026-02-30", "2026-13-45", "0000-00-00", "9999-12-31", "10000-01-01", "2026-02-30T25:61", "31/12/2026",
    "yesterday", "../../etc/passwd", "{{ 7|add:7 }}", "%s%n", "=cmd|' /C calc'!A0", "\r\n\r\nX: y",
]


URL_NAMES = url_names()


def _field_values(field):
    choices = [st.sampled_from(NASTY), st.text(max_size=200), st.integers(-(10**30), 10**30).map(str)]
    if field.tag == "select" and field.options:
        choices.append(st.sampled_from([v for v, _sel in field.options]))
    if field.value:
        choices.append(st.just(field.value))
    return st.one_of(*choices)


def _payload(draw, form):
    data = {}
    for f in form.fields:
        if f.name == "csrfmiddlewaretoken":
            data[f.name] = [f.value]
        elif f.type in ("submit", "button", "reset", "image"):
            if f.value:
                data.setdefault(f.name, []).append(f.value)
        elif f.type == "file":
            continue
        elif f.type in ("checkbox", "radio"):
            if draw(st.booleans()):
                data.setdefault(f.name, []).append(f.value or "on")
        elif f.name not in data:
            data[f.name] = [draw(_field_values(f))]
    return data


def _assert_escaped(response, where):
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode("utf-8", "replace")
        for marker in UNESCAPED:
            assert marker not in body, f"unescaped {marker!r} in {where}"


def _page_for(world, url):
    for persona in PERSONA_ORDER:
        client = client_for(getattr(world, persona))
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            return persona, client, response
    return None, None, None


@pytest.mark.parametrize("url_name", URL_NAMES)
def test_every_form_survives_hostile_input(world, url_name):
    case = all_cases().get(url_name)
    if case is None:
        pytest.skip(f"no access case for {url_name} (the access matrix test reports it)")
    url = reverse(url_name, kwargs=case.resolve_kwargs(world)) + case.query
    persona, client, page = _page_for(world, url)
    if page is None:
        pytest.skip(f"{url_name}: no persona gets an HTML page")
    forms = [f for f in parse_forms(page.content.decode()) if f.fields]
    targets = []
    for form in forms:
        action = form.action or url
        try:
            match = resolve(action.split("?")[0])
        except Exception:
            continue  # off-site or static action: not ours to fuzz
        if match.url_name in SKIP_ACTIONS:
            continue
        targets.append((form, action))
    if not targets:
        pytest.skip(f"{url_name}: no forms")

    for form, action in targets:
        _fuzzer(client, persona, url_name, form, action)()


def _fuzzer(client, persona, url_name, form, action):
    method = "post" if form.method == "post" else "get"

    @settings(max_examples=15, deadline=None, database=None, derandomize=True,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data):
        payload = _payload(data.draw, form)
        response = getattr(client, method)(action, payload)
        assert response.status_code in ALLOWED, (
            f"{url_name} as {persona}: {method.upper()} {action} -> {response.status_code}")
        _assert_escaped(response, f"{method.upper()} {action}")
        if response.status_code in (301, 302, 303):
            target = response["Location"]
            if target.startswith("/") and not target.startswith("//"):
                followed = client.get(target)
                assert followed.status_code in ALLOWED, f"{target} after {action} -> {followed.status_code}"
                _assert_escaped(followed, target)

    return fuzz
