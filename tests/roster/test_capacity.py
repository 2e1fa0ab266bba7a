"""Each KAM's load against the lead's targets, hand-computed."""

import pytest

from roster import formulas, selectors
from roster.models import RosterSettings
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_load_arithmetic():
    over, at, under = formulas.Load(7, 5), formulas.Load(5, 5), formulas.Load(2, 5)
    assert (over.state, over.over, over.room, over.percent) == ("over", 2, -2, 100)
    assert (at.state, at.over, at.room, at.percent) == ("at", 0, 0, 100)
    assert (under.state, under.over, under.room, under.percent) == ("under", 0, 3, 40)


def test_gap_change_and_averages():
    assert formulas.gap(4, 2) == 2 and formulas.gap(2, 4) == -2 and formulas.gap(None, 3) is None
    assert formulas.change(3, 1) == 2 and formulas.change(3, None) is None
    assert str(formulas.mean([3, 4, 4])) == "3.7" and formulas.mean([None]) is None
    assert str(formulas.one_decimal(3.25)) == "3.2" and formulas.one_decimal(None) is None


def test_capacity_counts_key_and_all_accounts_in_use(personas):
    RosterSettings.current()  # the row exists even after a browser test emptied the database
    RosterSettings.objects.update(max_key_accounts=2, max_accounts=3)
    for i in range(2):
        AccountFactory(kam=personas.kam, tier="key", name=f"Clave {i}")
    AccountFactory(kam=personas.kam, tier="standard", name="Estándar")
    from django.utils import timezone

    AccountFactory(kam=personas.kam, tier="key", name="Archivada", archived_at=timezone.now())
    loads = selectors.capacity_of([personas.kam, personas.other_kam])
    # personas.account is a key account of the KAM too: 3 key of 2, 4 in all of 3.
    assert (loads[personas.kam.pk]["key"].count, loads[personas.kam.pk]["key"].state) == (3, "over")
    assert (loads[personas.kam.pk]["all"].count, loads[personas.kam.pk]["all"].over) == (4, 1)
    assert (loads[personas.other_kam.pk]["key"].count, loads[personas.other_kam.pk]["all"].count) == (0, 1)
