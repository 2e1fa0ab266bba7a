"""The roster's demo story: four KAMs assessed twice by the lead and by themselves, training done and
due, one KAM over capacity; and running the seed again changes nothing."""

import random

import pytest
from django.utils import timezone

from kam import demo as kam_demo
from kam.roles import KAM, SPONSOR
from roster import demo, selectors
from roster.models import Course, RosterSettings, SkillAssessment
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _ctx():
    return kam_demo.DemoContext(size="small", today=timezone.localdate(), rng=random.Random(1), log=lambda m: None)


def _state():
    return (SkillAssessment.objects.count(), Course.objects.count(), Course.objects.filter(status="done").count(),
            RosterSettings.current().version, sorted(selectors.account_loads(list(selectors.kam_people())).values()))


def test_the_demo_tells_the_roster_story_once(db):
    ctx = _ctx()
    kam_demo.seed(ctx)
    kams, sponsor = ctx.by_role(KAM), ctx.by_role(SPONSOR)[0]
    # As the accounts demo deals them: the same number of key accounts to every KAM.
    for i in range(12):
        AccountFactory(name=f"Cuenta clave {i}", tier="key", kam=kams[i % len(kams)], sponsor=sponsor)
    demo.seed(ctx)
    first = _state()
    people = list(selectors.kam_people())
    assert len(people) == 4
    for person in people:
        kinds = sorted(person.skill_assessments.values_list("kind", flat=True))
        assert kinds == ["lead", "lead", "self", "self"], person
    assert Course.objects.filter(status="done").exists() and Course.objects.filter(status="planned").exists()
    overview = selectors.roster_overview()
    over = [r["person"].username for r in overview["rows"] if r["capacity"]["key"].state == "over"]
    assert over == ["diego.fernandez"]
    again = _ctx()
    kam_demo.seed(again)
    demo.seed(again)
    assert _state() == first
