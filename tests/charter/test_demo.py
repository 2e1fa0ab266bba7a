import random

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Account
from charter import demo, formulas
from charter.models import Promise
from charter.selectors import CHARTER_DEPARTMENTS, compliance
from kam import demo as kam_demo
from planning import demo as planning_demo
from touchpoints import demo as touchpoints_demo

pytestmark = pytest.mark.django_db


def test_demo_charter_shows_promises_met_and_missed_and_is_idempotent():
    ctx = kam_demo.DemoContext(size="small", today=timezone.localdate(), rng=random.Random(2026), log=lambda m: None)
    for module in (kam_demo, accounts_demo, planning_demo, touchpoints_demo, demo):
        module.seed(ctx)
    assert set(Promise.objects.values_list("department__code", flat=True)) == set(CHARTER_DEPARTMENTS)
    start, end = formulas.preset_period("last_quarter", ctx.today)
    report = compliance(Account.objects.all(), start=start, end=end)
    outcomes = {r.key_met for r in report.results}
    assert True in outcomes and False in outcomes
    assert any(r.rest is not None for r in report.results)  # the rest are measured beside them
    before = list(Promise.history.values_list("pk", flat=True))
    demo.seed(ctx)
    assert list(Promise.history.values_list("pk", flat=True)) == before
