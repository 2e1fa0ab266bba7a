"""The URL x persona access table.

Each app declares, in tests/<app>/access.py, a `CASES` dict from URL name (``namespace:name``) to a
`Case`, and optionally `build(world)` to add the objects its URLs need to the shared `world`.
tests/test_access_matrix.py walks every URL pattern of the project: a pattern with no case fails the
suite, so a new view cannot ship without its access rule being stated and tested.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import PERSONAS

# Who POSTs in the write matrix: the GET personas, plus a KAM of another account and a team member from
# a department that does not read commercial data (operations).
POST_PERSONAS = PERSONAS + ("other_kam", "ops_member")

APPS_WITH_ACCESS = ("kam", "accounts", "planning", "touchpoints", "agreements", "charter", "metrics",
                    "roster", "programme")

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


def expect(default: int, anonymous: int = REDIRECT, **overrides: int) -> dict[str, int]:
    """Expected status per persona: `default` for every signed-in persona unless overridden."""
    table = {p: default for p in PERSONAS}
    table["anonymous"] = anonymous
    for persona, status in overrides.items():
        assert persona in PERSONAS, f"unknown persona {persona}"
        table[persona] = status
    return table


def only(*allowed: str, status: int = OK, denied: int = FORBIDDEN, anonymous: int = REDIRECT):
    """`allowed` personas get `status`; the other signed-in personas get `denied`."""
    return expect(denied, anonymous=anonymous, **{p: status for p in allowed})


def may_post(*allowed: str, status: int = REDIRECT, **refused: int) -> dict[str, int]:
    """The write matrix's expectation: `allowed` personas' POST acts (`status`, usually the redirect
    after a write); every other persona is refused with 403, or with the status given by name (404
    for who may not even see the object); anonymous is sent to sign in."""
    table = {p: FORBIDDEN for p in POST_PERSONAS}
    table["anonymous"] = REDIRECT
    table.update({p: status for p in allowed})
    for persona, code in refused.items():
        assert persona in POST_PERSONAS, f"unknown persona {persona}"
        table[persona] = code
    return table


@dataclass
class Case:
    expected: dict[str, int]
    kwargs: Callable | dict = field(default_factory=dict)  # dict, or world -> dict
    query: str = ""
    # State-changing URLs: `post(world)` prepares what the write needs and returns valid form data;
    # `post_expected` is the status per POST persona (see `may_post`).
    post: Callable | None = None
    post_expected: dict[str, int] | None = None
    # Personas whose accepted POST must have written something (default: all it accepts); e.g. signing
    # out or switching language acts without a write of the domain.
    post_writes: tuple[str, ...] | None = None

    def resolve_kwargs(self, world) -> dict:
        return self.kwargs(world) if callable(self.kwargs) else self.kwargs


def app_modules():
    modules = []
    for label in APPS_WITH_ACCESS:
        try:
            modules.append(importlib.import_module(f"tests.{label}.access"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.{label}", f"tests.{label}.access"):
                raise
    return modules


def url_names(skip_namespaces=("admin",)) -> list[str]:
    """Every named URL pattern of the project as ``namespace:name``, without Django's admin."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns not in skip_namespaces:
                    yield from walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name

    return sorted(set(walk(get_resolver().url_patterns)))


def build_world(personas):
    """The personas plus the objects every app's URL cases need (each app's `build(world)`)."""
    from tests.factories import TeamMemberFactory, UserFactory, department

    personas.ops_member = UserFactory(username="ops_member", first_name="Irene", last_name="Vidal")
    TeamMemberFactory(account=personas.account, user=personas.ops_member, department=department("operations"))
    for module in app_modules():
        build = getattr(module, "build", None)
        if build:
            build(personas)
    return personas


def all_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for module in app_modules():
        for name, case in module.CASES.items():
            assert name not in cases, f"{name} declared twice"
            cases[name] = case
    return cases
