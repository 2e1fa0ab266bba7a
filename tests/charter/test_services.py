"""Only the programme lead writes the charter; every revision is kept."""

from decimal import Decimal

import pytest

from charter import services
from charter.models import Promise
from kam.errors import Conflict, Forbidden, Invalid
from tests.factories import department

pytestmark = pytest.mark.django_db


def _data(**changes):
    data = {"department": department("customer_service"), "text": "Respuesta en el día a cada consulta",
            "measure": "ack_hours", "target": Decimal("8"), "tiers": ["key"], "active": True, "order": 0}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["kam", "sponsor", "operator", "teammate", "outsider"])
def test_only_the_lead_writes_the_charter(personas, who):
    actor = getattr(personas, who)
    with pytest.raises(Forbidden):
        services.promise_create(actor=actor, data=_data())
    promise = services.promise_create(actor=personas.lead, data=_data())
    with pytest.raises(Forbidden):
        services.promise_update(actor=actor, promise=promise, expected_version=promise.version,
                                data={"target": Decimal("1")})
    promise.refresh_from_db()
    assert promise.target == Decimal("8") and promise.version == 1


def test_revisions_are_versioned_and_kept(personas):
    promise = services.promise_create(actor=personas.lead, data=_data())
    services.promise_update(actor=personas.lead, promise=promise, expected_version=1,
                            data={"target": Decimal("4"), "text": "Respuesta en cuatro horas"})
    with pytest.raises(Conflict):
        services.promise_update(actor=personas.lead, promise=promise, expected_version=1,
                                data={"target": Decimal("2")})
    promise.refresh_from_db()
    assert promise.version == 2 and promise.target == Decimal("4")
    history = list(promise.history.order_by("history_date"))
    assert [h.text for h in history] == ["Respuesta en el día a cada consulta", "Respuesta en cuatro horas"]
    assert all(h.history_user == personas.lead for h in history)


def test_a_withdrawn_promise_is_no_longer_measured(personas):
    from accounts.models import Account
    from charter.selectors import compliance
    from tests.charter.helpers import END, START

    promise = services.promise_create(actor=personas.lead, data=_data())
    services.promise_update(actor=personas.lead, promise=promise, expected_version=1, data={"active": False})
    assert compliance(Account.objects.all(), start=START, end=END).results == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"measure": "sla_resolution", "target": Decimal("101")}, "target"),
    ({"tiers": []}, "tiers"),
    ({"tiers": ["gold"]}, "tiers"),
])
def test_bad_promises_are_refused_on_their_field(personas, changes, field):
    with pytest.raises(Invalid) as exc:
        services.promise_create(actor=personas.lead, data=_data(**changes))
    assert field in exc.value.errors
    assert not Promise.objects.exists()


def test_sales_is_not_a_charter_department(personas):
    with pytest.raises(Invalid) as exc:
        services.promise_create(actor=personas.lead, data=_data(department=department("sales")))
    assert "department" in exc.value.errors
