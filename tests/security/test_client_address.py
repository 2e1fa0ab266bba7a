"""The client's address behind the reverse proxy (kam.ratelimit.client_ip): X-Forwarded-For is believed
only when the request comes from a configured proxy (KAM_TRUSTED_PROXIES), and then only its right-most
hop that is not itself a proxy, because everything left of that is whatever the client chose to send."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from kam.ratelimit import client_ip
from kam.security import parse_networks
from tests.factories import UserFactory
from tests.planning.factories import share_link

PASSWORD = "pw-test-12345"
PROXY = "10.8.0.2"


def _ip(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KAM_TRUSTED_PROXIES = []
    assert _ip("198.51.100.9", "203.0.113.1") == "198.51.100.9"


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    (PROXY, "203.0.113.1", "203.0.113.1"),
    # The client prepends what it likes; the proxy appends the address it saw, at the right.
    (PROXY, "1.2.3.4, 203.0.113.1", "203.0.113.1"),
    (PROXY, "1.2.3.4,203.0.113.1", "203.0.113.1"),
    # Two proxies in a row (a load balancer in front of the TLS proxy): skip every trusted hop.
    (PROXY, "1.2.3.4, 203.0.113.1, 10.8.0.7", "203.0.113.1"),
    (PROXY, "2001:db8::5", "2001:db8::5"),
    (PROXY, "[2001:db8::5]:4711", "2001:db8::5"),
    (PROXY, "203.0.113.1:4711", "203.0.113.1"),
    # Nothing usable: the proxy's own address, never something the client picked.
    (PROXY, None, PROXY),
    (PROXY, "", PROXY),
    (PROXY, "1.2.3.4, not-an-address", PROXY),
    (PROXY, "10.8.0.7", "10.8.0.7"),  # only proxies: the left-most of them
    # No usable peer address (a Unix socket): unknown, never a made-up value.
    ("", "203.0.113.1", ""),
    ("unix:/run/gunicorn.sock", None, ""),
    # Not from a proxy: whatever it says about itself is ignored.
    ("198.51.100.9", "203.0.113.1", "198.51.100.9"),
])
def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(settings, remote, forwarded, expected):
    settings.KAM_TRUSTED_PROXIES = ["10.8.0.0/24"]
    assert _ip(remote, forwarded) == expected


def test_proxies_are_addresses_or_networks(settings):
    settings.KAM_TRUSTED_PROXIES = ["10.8.0.2", "fd00::/8"]
    assert _ip("10.8.0.2", "203.0.113.1") == "203.0.113.1"
    assert _ip("10.8.0.3", "203.0.113.1") == "10.8.0.3"
    assert _ip("fd00::1", "203.0.113.1") == "203.0.113.1"


def test_a_malformed_proxy_setting_is_refused():
    assert [str(n) for n in parse_networks(["10.0.0.1", " 172.16.0.0/12 ", "", "::1"])] == [
        "10.0.0.1/32", "172.16.0.0/12", "::1/128"]
    with pytest.raises(ImproperlyConfigured, match="KAM_TRUSTED_PROXIES"):
        parse_networks(["10.0.0.300"])
    with pytest.raises(ImproperlyConfigured, match="KAM_TRUSTED_PROXIES"):
        parse_networks(["proxy.internal"])


@pytest.mark.django_db
def test_behind_the_proxy_one_client_cannot_lock_another_out(client, settings):
    settings.KAM_TRUSTED_PROXIES = [PROXY]
    settings.KAM_LOGIN_FAILURE_LIMIT = 3
    settings.KAM_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    UserFactory(username="victim")
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "victim", "password": "wrong"}, REMOTE_ADDR=PROXY,
                    HTTP_X_FORWARDED_FOR="198.51.100.66")
    attacker = client.post(url, {"username": "victim", "password": PASSWORD}, REMOTE_ADDR=PROXY,
                           HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert attacker.status_code == 429
    # A forged header in front of the proxy's does not give the attacker a fresh address either.
    forged = client.post(url, {"username": "victim", "password": PASSWORD}, REMOTE_ADDR=PROXY,
                         HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.66")
    assert forged.status_code == 429
    victim = client.post(url, {"username": "victim", "password": PASSWORD}, REMOTE_ADDR=PROXY,
                         HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert victim.status_code == 302


@pytest.fixture
def share_token(personas):
    try:
        reverse("planning:share", kwargs={"token": "x"})
    except NoReverseMatch:
        pytest.skip("planning not installed")
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(account=personas.account)
    _link, token = share_link(personas.kam, plan)
    return token


@pytest.mark.django_db
def test_behind_the_proxy_a_scanner_does_not_use_up_everyones_share_links(client, settings, share_token):
    from planning.views import SHARE_LIMIT

    settings.KAM_TRUSTED_PROXIES = [PROXY]
    url = reverse("planning:share", kwargs={"token": share_token})
    for _ in range(SHARE_LIMIT.limit):
        client.get(reverse("planning:share", kwargs={"token": "guess"}), REMOTE_ADDR=PROXY,
                   HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66").status_code == 429
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200


@pytest.mark.django_db
def test_share_views_record_the_clients_address(client, settings, share_token):
    from planning.models import ShareView

    settings.KAM_TRUSTED_PROXIES = [PROXY]
    url = reverse("planning:share", kwargs={"token": share_token})
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    assert list(ShareView.objects.values_list("ip", flat=True)) == ["198.51.100.7"]


@pytest.mark.django_db
def test_a_share_view_without_a_peer_address_is_still_recorded(client, share_token):
    from planning.models import ShareView

    url = reverse("planning:share", kwargs={"token": share_token})
    assert client.get(url, REMOTE_ADDR="").status_code == 200
    assert list(ShareView.objects.values_list("ip", flat=True)) == [None]
