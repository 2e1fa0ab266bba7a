"""Status lines that the apps add to /healthz without kam importing them (dependencies run one way).

An app registers a callable returning a short text in its AppConfig.ready(). These lines inform: they
do not change the answer's status code, which says only whether this process can serve requests
(database and broker). Stale figures do not stop the site from working, and a load balancer or
orchestrator that took the site out of service over them would turn a stale number into an outage.
"""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

_CHECKS: dict[str, Callable[[], str]] = {}


def register(name: str, check: Callable[[], str]) -> None:
    _CHECKS[name] = check


def report() -> dict[str, str]:
    """Every registered line; a check that raises reads "error" (and is logged)."""
    lines = {}
    for name, check in _CHECKS.items():
        try:
            lines[name] = check()
        except Exception as exc:
            log.warning("healthz: %s check failed: %s", name, exc)
            lines[name] = "error"
    return lines
