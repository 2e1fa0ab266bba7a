"""Chromium understands the Permissions-Policy header as sent: no feature name it rejects (it logs
those as console errors), and the denied features are really off in the page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_applies_the_permissions_policy_without_complaint(live_server, page):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    response = page.goto(f"{live_server.url}/login/")
    assert "camera=()" in response.headers["permissions-policy"]
    page.wait_for_load_state("networkidle")
    assert [m for m in messages if "Permissions-Policy" in m or "Permissions Policy" in m] == []
    allowed = page.evaluate("""() => ["camera", "microphone", "geolocation", "payment", "usb"]
        .filter((f) => document.featurePolicy.allowsFeature(f))""")
    assert allowed == []
