"""Checks of security-relevant settings, with nothing that needs configured settings, so that
kam/settings.py can use them while it is being loaded."""

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str], setting: str = "KAM_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Addresses and CIDR networks ("10.0.0.2", "172.16.0.0/12", "fd00::/8"); blanks are skipped.

    A typo must stop the start rather than silently trust nobody (or everybody)."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{setting}: {entry!r} is not an IP address or network ({exc}).") from exc
    return tuple(networks)


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """One X-Forwarded-For hop: a bare address, or one with a port ("[2001:db8::1]:443", "1.2.3.4:80")
    as some proxies write it; None for anything else."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


# The key kam/settings.py falls back to under DEBUG and in the test run: it is in the repository.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"
# Words that mark a key as a placeholder or a throwaway one (Django's startproject keys start with
# "django-insecure-"); a random key does not contain them.
PLACEHOLDER_KEY = re.compile(r"insecure|change-?me|replace-?me|not-?secret|placeholder|example", re.I)
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_BITS = 128


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not sign a production site's sessions, password-reset links and CSRF tokens, or
    None. Anyone who knows or guesses the key can forge all three."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if key == DEVELOPMENT_SECRET_KEY or PLACEHOLDER_KEY.search(key):
        return "is a published development or placeholder key"
    # A key made of a few symbols, or of a short phrase repeated to length, is guessable whatever its
    # length. The estimate is the key's length times the entropy of its own symbol frequencies.
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if len(counts) < 5 or bits < MIN_SECRET_KEY_BITS or (key + key).find(key, 1) < len(key):
        return "has too little entropy (few distinct characters, or a repeated pattern)"
    return None
