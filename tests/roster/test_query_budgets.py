"""Every roster page within its budget, and the same count on a little data and on much more (more
accounts, assessments, courses and snapshots for the same KAMs). The comparison and a person's page read
metrics.portfolio_measures once per KAM shown (six queries each): KAMs are a handful, their accounts are
what grows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from metrics import services as metrics_services
from roster import services
from roster.models import Competence, Course
from tests.conftest import client_for
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db
BUDGET = 30


def _grow(personas, n, start):
    today = timezone.localdate()
    scores = {c.pk: 3 for c in Competence.objects.filter(active=True)}
    for i in range(n):
        for kam in (personas.kam, personas.other_kam):
            a = Account.objects.create(name=f"Cuenta {start + i:04d} {kam.username}", tier="key", kam=kam)
            plan = mf.plan(a, owner=kam)
            mf.commitment(plan, due_ago=10, status="done", delivered_ago=12)
            mf.commitment(plan, due_ago=20)
            Course.objects.create(person=kam, title=f"Curso {start + i}",
                                  due_date=today + datetime.timedelta(days=i - 3))
            day = today - datetime.timedelta(days=200 - 10 * (start + i))
            services.assessment_record(actor=personas.lead, person=kam, kind="lead", scores=scores, assessed_on=day)
            services.assessment_record(actor=kam, person=kam, kind="self", scores=scores, assessed_on=day)
    for back in (40, 0):
        metrics_services.recompute_metrics(day=today - datetime.timedelta(days=back))


def _pages(personas):
    person = reverse("roster:person", args=[personas.kam.pk])
    return [("lead", reverse("roster:overview")), ("lead", reverse("roster:comparison")), ("lead", person),
            ("kam", person), ("kam", reverse("roster:assess", args=[personas.kam.pk])),
            ("lead", reverse("roster:settings")), ("lead", reverse("roster:course_new", args=[personas.kam.pk]))]


def _counts(personas):
    out = {}
    for persona, url in _pages(personas):
        client = client_for(getattr(personas, persona))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        out[(persona, url)] = len(ctx.captured_queries)
    return out


def test_roster_pages_cost_the_same_on_little_and_on_much_data(personas):
    from roster.models import RosterSettings

    RosterSettings.current()  # created once by the migration; a browser test's flush may have removed it
    _grow(personas, 2, 0)
    small = _counts(personas)
    assert max(small.values()) <= BUDGET, small
    _grow(personas, 12, 2)
    assert _counts(personas) == small
