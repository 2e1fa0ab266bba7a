"""Two processes, one cache: a writer process (as a Celery worker or another gunicorn worker would)
changes data through the ORM and through the raw WITH ... UPDATE of the revenue recompute while this
process serves the pages; no page here ever shows what the writer has replaced, including a part this
process cached while the writer's transaction was still open."""

import os
import subprocess
import sys
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from kam import datastamps
from tests.conftest import client_for
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db(transaction=True)

WRITER = """
import sys
import django

django.setup()
from django.db import transaction

from accounts.models import Account
from accounts.services import revenue_recompute

open_transaction = None
for line in sys.stdin:
    command, _, arg = line.strip().partition(" ")
    if command == "rename":
        old, new = arg.split("|")
        Account.objects.filter(name=old).update(name=new)
    elif command == "recompute":
        revenue_recompute()
    elif command == "begin":
        open_transaction = transaction.atomic()
        open_transaction.__enter__()
    elif command == "commit":
        open_transaction.__exit__(None, None, None)
    print("ok", flush=True)
"""


class Writer:
    def __init__(self):
        db = connection.settings_dict
        cache_settings = settings.CACHES["default"]
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
        env.update({
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_CACHE_URL": cache_settings["LOCATION"], "CACHE_KEY_PREFIX": cache_settings.get("KEY_PREFIX", ""),
            "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "kam.settings", "LOG_LEVEL": "WARNING",
        })
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER], cwd=settings.BASE_DIR, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __call__(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok", f"the writer failed on {command!r}"

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture
def writer():
    if settings.CACHES["default"]["BACKEND"] != "kam.cache.FailSoftRedisCache":
        pytest.skip("two processes share a cache only through Redis (REDIS_URL)")
    w = Writer()
    yield w
    w.close()


def _gaps_cached():
    """The programme dashboard's gaps list (which names the account) is in the cache."""
    return cache.get(datastamps.part_key("html:programme-gaps", [True])) is not None


def test_no_page_shows_what_another_process_has_replaced(personas, writer):
    lead = client_for(personas.lead)
    programme, pareto = reverse("metrics:dashboard_program"), reverse("accounts:pareto")
    for _ in range(2):
        assert "Aceros del Norte S.A." in lead.get(programme).content.decode()
    assert _gaps_cached()
    assert lead.get(pareto).context["summary"]["total"] == 0

    # An ORM write in the other process, committed at once.
    writer("rename Aceros del Norte S.A.|Aceros Renombrada S.A.")
    html = lead.get(programme).content.decode()
    assert "Aceros Renombrada S.A." in html and "Aceros del Norte S.A." not in html

    # The raw WITH ... UPDATE of the revenue recompute: here only it writes the accounts' revenue.
    mf.financial_year(personas.account, revenue="1000")
    assert lead.get(pareto).context["summary"]["total"] == 0
    writer("recompute")
    assert lead.get(pareto).context["summary"]["total"] == D("12000")

    # A part cached here while the writer's transaction is open (its write already made, not yet
    # committed) is dropped when that transaction commits.
    writer("begin")
    writer("rename Aceros Renombrada S.A.|Aceros Confirmada S.A.")
    assert "Aceros Renombrada S.A." in lead.get(programme).content.decode()
    assert _gaps_cached()
    writer("commit")
    html = lead.get(programme).content.decode()
    assert "Aceros Confirmada S.A." in html and "Aceros Renombrada S.A." not in html
