"""The foundation's own pages: sign-in, password change, the error pages and "/"."""

import pytest
from django.urls import reverse

from kam.navigation import home_url_for
from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_sends_each_role_home(client):
    for username, roles in [("k", [KAM]), ("s", [SPONSOR]), ("o", [OPERATIONS]), ("l", [LEAD]), ("t", [])]:
        user = UserFactory(username=username, roles=roles)
        response = client.post(reverse("login"), {"username": username, "password": "pw-test-12345"}, follow=True)
        assert response.redirect_chain[-1][0] == home_url_for(user), username
        client.post(reverse("logout"))


def test_sign_in_keeps_the_page_asked_for(client):
    UserFactory(username="ana", roles=[KAM])
    response = client.post(reverse("login") + "?next=/notifications/",
                           {"username": "ana", "password": "pw-test-12345", "next": "/notifications/"})
    assert response["Location"] == "/notifications/"


def test_wrong_password_explains_and_keeps_the_username(client):
    UserFactory(username="ana", roles=[KAM])
    response = client.post(reverse("login"), {"username": "ana", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in html
    assert 'value="ana"' in html


def test_anonymous_users_are_sent_to_sign_in_and_back(client):
    response = client.get(reverse("kam:notifications"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/notifications/"


def test_password_change_validates_and_keeps_the_session(client):
    user = UserFactory(username="ana", roles=[KAM])
    client.force_login(user)
    bad = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x",
                                                    "new_password2": "y"})
    assert bad.status_code == 200
    assert "Your old password was entered incorrectly" in bad.content.decode()
    good = client.post(reverse("password_change"), {"old_password": "pw-test-12345",
                                                     "new_password1": "Cuenta-Clave-2027!",
                                                     "new_password2": "Cuenta-Clave-2027!"}, follow=True)
    assert good.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Your password was changed." in good.content.decode()
    user.refresh_from_db()
    assert user.check_password("Cuenta-Clave-2027!")
    # Still signed in after the change.
    assert client.get(reverse("kam:notifications")).status_code == 200


def test_not_found_page_uses_the_layout_and_says_why(client):
    client.force_login(UserFactory(username="ana", roles=[KAM]))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "It does not exist, or it is not shared with you." in html
    assert 'data-testid="nav-notifications"' in html


def test_navigation_follows_the_role(client):
    from kam.navigation import nav_for

    lead = UserFactory(username="lead", roles=[LEAD])
    operator = UserFactory(username="op", roles=[OPERATIONS])
    lead_items = {i["name"] for i in nav_for(lead)}
    operator_items = {i["name"] for i in nav_for(operator)}
    # Only URLs that exist are listed; the programme lead sees at least what operations sees.
    assert operator_items <= lead_items or operator_items - lead_items <= {"touchpoints:incident_list"}
    assert "metrics:programme_settings" not in operator_items
    client.force_login(operator)
    html = client.get(reverse("kam:notifications")).content.decode()
    for item in nav_for(operator):
        assert f'href="{item["url"]}"' in html


@pytest.mark.parametrize("name", ["login", "password_change", "password_change_done", "kam:notifications",
                                  "kam:profile"])
@pytest.mark.parametrize("size", [1, 40])
def test_page_query_budget(client, django_assert_max_num_queries, name, size):
    from kam.models import Notification

    user = UserFactory(username="ana", roles=[KAM])
    others = [UserFactory(username=f"u{i}") for i in range(size)]
    Notification.objects.bulk_create([
        Notification(recipient=person, event_key=f"e{i}", title=f"Aviso {i}")
        for i in range(size) for person in (user, *others)
    ])
    if name != "login":
        client.force_login(user)
    # session, user, roles (navigation), unread count, and for the list its page count and rows; the
    # profile reads the person's chosen language.
    with django_assert_max_num_queries({"kam:notifications": 6, "kam:profile": 5}.get(name, 4)):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_the_leads_programme_pages_share_one_menu_and_a_single_item_stays_a_link(client):
    from kam.navigation import PROGRAMME, nav_tree

    lead = UserFactory(username="lead", roles=[LEAD])
    sponsor = UserFactory(username="sponsor", roles=[SPONSOR])
    menus = [entry for entry in nav_tree(lead) if "children" in entry and str(entry["label"]) == str(PROGRAMME)]
    assert len(menus) == 1
    children = {child["name"] for child in menus[0]["children"]}
    assert {"metrics:dashboard_program", "programme:review_list", "charter:charter",
            "agreements:programme_list", "roster:overview", "accounts:selection", "accounts:imports",
            "metrics:programme_settings"} <= children
    # The sponsor's programme menu holds what sponsors read, none of the lead's own pages.
    sponsor_menu = [entry for entry in nav_tree(sponsor) if str(entry["label"]) == str(PROGRAMME)][0]
    assert {child["name"] for child in sponsor_menu["children"]} == {
        "metrics:dashboard_program", "programme:review_list", "agreements:programme_list"}
    # A group of one stays a plain link: operations' only programme page is the service charter.
    operator = UserFactory(username="operator", roles=[OPERATIONS])
    assert "charter:charter" in {entry.get("name") for entry in nav_tree(operator)}
    client.force_login(lead)
    html = client.get(reverse("kam:notifications")).content.decode()
    assert html.count('data-testid="nav-group"') == len([e for e in nav_tree(lead) if "children" in e])
    assert f'href="{reverse("accounts:imports")}"' in html
