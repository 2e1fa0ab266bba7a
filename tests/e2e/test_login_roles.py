"""Signing in through the real form in Chromium: each role lands on its own home page, the layout
works on a phone, and the language switcher turns the interface Spanish."""

import pytest

from kam.navigation import home_url_for
from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def _sign_in(page, base_url, username, password="pw-test-12345", next_url=""):
    page.goto(f"{base_url}/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return navigation.value


@pytest.mark.parametrize("roles", [[KAM], [SPONSOR], [OPERATIONS], [LEAD], []],
                         ids=["kam", "sponsor", "operations", "lead", "team-member"])
def test_each_role_lands_on_its_home_page(live_server, page, roles):
    user = UserFactory(username="persona", first_name="Marta", last_name="Sánchez", roles=roles)
    expected = home_url_for(user)

    response = _sign_in(page, live_server.url, "persona")

    assert page.url == f"{live_server.url}{expected}"
    assert response.status == 200
    # Signed in: the navigation shows who is there, and the sign-in form is gone.
    assert page.get_by_role("button", name="Marta Sánchez").is_visible()
    assert page.locator("input[name=password]").count() == 0


def test_wrong_password_keeps_the_user_on_the_form_with_a_message(live_server, page):
    UserFactory(username="persona", roles=[KAM])
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "persona")
    page.fill("input[name=password]", "not-the-password")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/login/")
    assert page.locator(".alert-danger, .invalid-feedback, .errorlist").first.is_visible()
    # What was typed is kept, so a typo costs one field, not two.
    assert page.input_value("input[name=username]") == "persona"


def test_sign_out_returns_to_the_login_page(live_server, page):
    user = UserFactory(username="persona", first_name="Ana", last_name="García", roles=[KAM])
    _sign_in(page, live_server.url, user.username, next_url="/notifications/")
    page.get_by_role("button", name="Ana García").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/login/"
    page.goto(f"{live_server.url}/notifications/")
    assert page.url.startswith(f"{live_server.url}/login/")


def test_phone_sized_screen(live_server, browser):
    user = UserFactory(username="persona", first_name="Ana", last_name="García", roles=[LEAD])
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, user.username, next_url="/notifications/")
        toggler = page.locator(".navbar-toggler")
        assert toggler.is_visible()
        menu = page.locator("#mainnav")
        assert not menu.is_visible()
        toggler.click()
        # Bootstrap animates the menu open; it carries `show` once the animation has finished.
        page.locator("#mainnav.show").wait_for(state="visible")
        assert menu.is_visible()
        assert page.get_by_role("link", name="Notifications").is_visible()
        # Nothing wider than the screen: no sideways scrolling, nothing cut off.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        for selector in ("main", "footer"):
            box = page.locator(selector).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    finally:
        context.close()


def test_language_switcher_turns_the_interface_spanish(live_server, page):
    user = UserFactory(username="persona", first_name="Ana", last_name="García", roles=[KAM])
    _sign_in(page, live_server.url, user.username, next_url="/notifications/")
    assert page.get_by_role("link", name="Notifications").count() == 1

    page.select_option("#language-select", "es")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Notificaciones").count() == 1
    assert page.get_by_role("link", name="Notifications").count() == 0
    page.get_by_role("button", name="Ana García").click()
    assert page.get_by_role("button", name="Cerrar sesión").is_visible()
    # The choice sticks for the next page.
    page.goto(f"{live_server.url}/password/change/")
    assert page.get_by_role("heading", name="Cambiar la contraseña").is_visible()


@pytest.mark.parametrize("width", [992, 1280])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("role", [LEAD, KAM, SPONSOR])
def test_the_navigation_stays_on_one_line_from_laptop_widths(live_server, browser, width, language, role):
    user = UserFactory(username="persona", first_name="Lucía", last_name="Martín-Santamaría", roles=[role])
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=language,
                                  extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, user.username, next_url="/notifications/")
        assert page.locator("html").get_attribute("lang") == language
        bar = page.locator("nav.navbar").bounding_box()
        brand = page.locator(".navbar-brand").bounding_box()
        # One line: the bar is no taller than its brand's line plus the bar's own padding.
        assert bar["height"] <= brand["height"] + 24, f"the bar wraps at {width} px in {language}"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        if width < 1200:
            # Folded into the menu button, which opens the entries.
            page.locator(".navbar-toggler").click()
            page.locator("#mainnav.show").wait_for(state="visible")
        if role == LEAD:
            programme = page.locator('[data-testid="nav-group"]').first
            programme.locator(".dropdown-toggle").click()
            assert programme.locator(".dropdown-menu a").count() >= 8
    finally:
        context.close()
