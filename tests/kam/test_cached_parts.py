"""Every cached part of every page, rendered on a miss: the tables its queries read are all among the
stamps it was stored with, and a write to any one of them makes it miss. The part names are taken from
the code, so a new cached part that no page here renders fails the test too."""

import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Account
from kam import datastamps
from kam.models import ProgrammeSettings
from metrics import services as metric_services
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.metrics.test_views import _populate

pytestmark = pytest.mark.django_db

PAGES = [
    ("metrics:dashboard_kam", "kam"),
    ("metrics:dashboard_sponsor", "sponsor"),
    ("metrics:dashboard_program", "lead"),
    ("accounts:list", "lead"),
    ("accounts:portfolio", "lead"),
    ("accounts:pareto", "lead"),
]


def _parts_in_the_code() -> set[str]:
    root = Path(settings.BASE_DIR)
    names = set()
    for path in (root / "templates").rglob("*.html"):
        names |= {f"html:{n}" for n in re.findall(r'{%\s*cachedpart\s+"([^"]+)"', path.read_text())}
    for app in ("accounts", "kam", "metrics", "planning", "touchpoints"):
        for path in (root / app).rglob("*.py"):
            names |= set(re.findall(r'datastamps\.cached\(\s*"([^"]+)"', path.read_text()))
    return names


@pytest.fixture
def computed(monkeypatch):
    """Each part computed during the test: (name, cache key, tables its queries read)."""
    runs = []
    real = datastamps.cached

    def spy(name, compute, vary=()):
        def watched():
            seen = set()

            def watch(execute, sql, params, many, context):
                seen.update(datastamps.statement_tables(sql)[1])
                return execute(sql, params, many, context)

            with connection.execute_wrapper(watch):
                value = compute()
            runs.append((name, datastamps.part_key(name, vary), seen))
            return value

        return real(name, watched, vary)

    monkeypatch.setattr(datastamps, "cached", spy)
    return runs


def _one_row_write(table):
    """A real write to `table` that changes no value, through the application's connection."""
    pk = connection.introspection.get_primary_key_column(connection.cursor(), table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{pk}" = "{pk}" WHERE "{pk}" IN (SELECT "{pk}" FROM "{table}" LIMIT 1)')


def test_every_cached_part_is_stamped_on_every_table_it_reads(personas, computed):
    _populate(personas, 2)
    for url_name, user in PAGES:
        cache.clear()
        first = len(computed)
        assert client_for(getattr(personas, user)).get(reverse(url_name)).status_code == 200
        for name, key, seen in computed[first:]:
            recorded, _value = cache.get(key)
            assert seen, f"{name} read nothing: it would be cached forever"
            assert seen <= set(recorded), f"{name} read {seen - set(recorded)} without recording their stamps"
            assert datastamps.EVERYTHING in recorded
            for table in sorted(seen):
                _one_row_write(table)
                assert datastamps.stamps(recorded) != recorded, f"{name} outlives a write to {table}"
                recorded = datastamps.stamps(recorded)
    assert {name for name, _key, _seen in computed} == _parts_in_the_code()


def test_a_write_to_a_table_a_part_read_makes_the_page_compute_it_again(personas, computed):
    _populate(personas, 1)
    client = client_for(personas.kam)
    url = reverse("metrics:dashboard_kam")
    client.get(url)
    client.get(url)
    # The programme's currency is a part of its own, read inside the first part that shows an amount.
    assert sorted(name for name, _k, _s in computed) == ["html:kam-accounts", "html:kam-lists", "programme-currency"]
    _one_row_write("planning_commitment")
    client.get(url)
    assert computed[-1][0] == "html:kam-lists"
    assert len(computed) == 4


# --- the programme dashboard shows changes at once -------------------------------------------------------
def _chart(html, element_id):
    marker = f'<script id="{element_id}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start:html.index("</script>", start)])


def test_the_programme_dashboard_shows_renamed_and_archived_accounts_and_new_thresholds_at_once(personas):
    for i in range(3):
        AccountFactory(name=f"Matriz {i} S.A.", tier="key", attractiveness=D("60"), strength=D(str(40 + i)),
                       kam=personas.kam)
    metric_services.recompute_metrics()
    client = client_for(personas.lead)
    url = reverse("metrics:dashboard_program")
    html = client.get(url).content.decode()
    assert "Matriz 0 S.A." in html and "Matriz 1 S.A." in html
    assert client.get(url).content.decode().count("Matriz 1 S.A.") == html.count("Matriz 1 S.A.")

    Account.objects.filter(name="Matriz 0 S.A.").update(name="Matriz Renombrada S.A.")
    account_services.account_archive(actor=personas.lead, account=Account.objects.get(name="Matriz 1 S.A."))
    s = ProgrammeSettings.current()
    metric_services.programme_settings_update(actor=personas.lead, expected_version=s.version,
                                              data={"strength_threshold": D("45")})

    html = client.get(url).content.decode()
    assert "Matriz Renombrada S.A." in html and "Matriz 0 S.A." not in html
    assert "Matriz 1 S.A." not in html
    assert _chart(html, "matrix-chart")["thresholds"]["x"] == 45.0
