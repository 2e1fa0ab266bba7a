import os
import shutil
from types import SimpleNamespace

import pytest

from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR
from tests.import_flow import import_flow  # noqa: F401  (a fixture for every test module)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]

PERSONAS = ("kam", "teammate", "sponsor", "operator", "lead", "outsider", "anonymous")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing strength is not under test; PBKDF2 at full cost would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def personas(db):
    """The people the permission rules speak of, around one key account (`personas.account`):
    its KAM, a teammate from operations' side of another department, its sponsor, an operator,
    the programme lead and an outsider (signed in, no role, on no team)."""
    from tests.factories import AccountFactory, TeamMemberFactory, UserFactory, department

    kam = UserFactory(username="kam", first_name="Ana", last_name="García", roles=[KAM])
    teammate = UserFactory(username="teammate", first_name="Pablo", last_name="Gil")
    sponsor = UserFactory(username="sponsor", first_name="Elena", last_name="Ruiz", roles=[SPONSOR])
    operator = UserFactory(username="operator", first_name="Carlos", last_name="Navarro", roles=[OPERATIONS])
    lead = UserFactory(username="lead", first_name="Lucía", last_name="Martín", roles=[LEAD],
                       is_staff=True, is_superuser=True)
    outsider = UserFactory(username="outsider", first_name="Otto", last_name="Fuera")
    other_kam = UserFactory(username="other_kam", roles=[KAM])
    account = AccountFactory(name="Aceros del Norte S.A.", tier="key", kam=kam, sponsor=sponsor)
    TeamMemberFactory(account=account, user=teammate, department=department("finance"), role="Finanzas")
    other_account = AccountFactory(name="Otra Cuenta S.L.", tier="standard", kam=other_kam)
    return SimpleNamespace(kam=kam, teammate=teammate, sponsor=sponsor, operator=operator, lead=lead,
                           outsider=outsider, other_kam=other_kam, account=account,
                           other_account=other_account, anonymous=None)


@pytest.fixture
def world(personas):
    """The personas with every app's objects for its URLs (see tests/access.py)."""
    from tests.access import build_world

    return build_world(personas)


def client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Browser tests -------------------------------------------------------------------------------
def _browser_required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or _browser_required():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is required for browser tests in CI but {CHROMIUM} is missing", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_login(live_server):
    """Sign a Playwright page in through the real login form."""

    def _login(page, username, password="pw-test-12345"):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _login


def chromium_available() -> bool:
    return shutil.which("chromium") is not None or os.path.exists(CHROMIUM)


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks run in-process unless a test starts a real worker (see tests/kam/test_celery.py)."""
    from kam.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield



@pytest.fixture(autouse=True)
def _language_reset():
    """A request under a person's chosen language leaves it active in the thread, as Django's own
    LocaleMiddleware does; each test starts from the default, whatever ran before it."""
    yield
    from django.utils import translation

    translation.deactivate()
