"""Checks of security-relevant settings, kept free of Django imports so that kam/settings.py can use
them while it is being loaded."""

import ipaddress
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
