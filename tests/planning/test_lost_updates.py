"""Two people editing the same row of a plan or a negotiation: the second save is refused with what the
first changed, never silently applied over it (one mechanism, kam.versioning, for every row)."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from kam.errors import Conflict
from planning import services
from planning.models import KnowledgeTask, NegotiationVariable, Opportunity, PlanReview, ValueDelivered
from tests.conftest import client_for
from tests.planning.factories import (
    NegotiationFactory,
    OpportunityFactory,
    PlanFactory,
    ReviewFactory,
    TaskFactory,
    ValueFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()

ROWS = {
    "task": (TaskFactory, services.task_save, {"description": "Visitar la planta de Avilés"},
             {"description": "Asistir a su comité de compras"}),
    "opportunity": (OpportunityFactory, services.opportunity_save,
                    {"client_benefit": "Menos paradas", "our_solution": "Sensores", "value": 1000, "probability": 60},
                    {"client_benefit": "Menos paradas", "our_solution": "Sensores", "value": 1000, "probability": 20}),
    "review": (ReviewFactory, services.review_save, {"planned_on": TODAY, "outcome": "Acordado"},
               {"planned_on": TODAY, "outcome": "Aplazado"}),
    "value": (ValueFactory, services.value_save,
              {"outcome": "Ahorro energético", "amount": 30000, "delivered_on": TODAY},
              {"outcome": "Ahorro energético", "amount": 10000, "delivered_on": TODAY}),
}


@pytest.mark.parametrize("kind", sorted(ROWS))
def test_the_second_save_from_the_same_version_is_refused_with_the_first_change(personas, kind):
    factory, save, first, second = ROWS[kind]
    plan = PlanFactory(account=personas.account)
    row = factory(plan=plan)
    started_from = row.version
    save(actor=personas.kam, plan=plan, row=row, expected_version=started_from, data=first)
    with pytest.raises(Conflict) as caught:
        save(actor=personas.lead, plan=plan, row=row, expected_version=started_from, data=second)
    changed = {c.field for c in caught.value.changes}
    assert changed & set(first)
    row.refresh_from_db()
    for name, value in first.items():
        assert getattr(row, name) == value


def test_a_negotiation_row_edit_is_version_checked(personas):
    neg = NegotiationFactory(account=personas.account, created_by=personas.kam)
    row = NegotiationVariable.objects.create(negotiation=neg, name="Precio", our_target="-3 %", our_limit="-5 %")
    data = {"name": "Precio", "priority": 1, "our_target": "-2 %", "our_limit": "-4 %", "client_position": ""}
    services.negotiation_row_save(actor=personas.kam, negotiation=neg, kind="variable", row=row,
                                  expected_version=1, data=data)
    with pytest.raises(Conflict) as caught:
        services.negotiation_row_save(actor=personas.lead, negotiation=neg, kind="variable", row=row,
                                      expected_version=1, data={**data, "our_limit": "-9 %"})
    assert {c.field for c in caught.value.changes} == {"priority", "our_target", "our_limit"}
    assert NegotiationVariable.objects.get(pk=row.pk).our_limit == "-4 %"


def test_the_edit_page_shows_both_versions_and_keeps_the_users_input(personas):
    plan = PlanFactory(account=personas.account)
    opp = OpportunityFactory(plan=plan, probability=50)
    url = reverse("planning:row_edit", args=[plan.pk, "opportunity", opp.pk])
    form = {"client_benefit": opp.client_benefit, "our_solution": opp.our_solution, "value": "100000",
            "stage": "idea", "version": opp.version}
    assert client_for(personas.kam).post(url, {**form, "probability": "80"}).status_code == 302
    response = client_for(personas.lead).post(url, {**form, "probability": "10"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="conflict-changes"' in page
    assert "80" in page and 'value="10"' in page  # theirs shown, mine kept in the form
    assert Opportunity.objects.get(pk=opp.pk).probability == 80
    # Saved again knowingly, from the version now shown: it goes through.
    assert client_for(personas.lead).post(url, {**form, "probability": "10",
                                                "version": opp.version + 1}).status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).probability == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model, kind", [(Opportunity, "opportunity"), (KnowledgeTask, "task"),
                                         (PlanReview, "review"), (ValueDelivered, "value")])
def test_two_saves_at_the_same_moment_one_wins_one_is_told(personas, model, kind):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    factory, save, first, second = ROWS[kind]
    plan = PlanFactory(account=personas.account)
    row = factory(plan=plan)
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(user, data):
        try:
            barrier.wait(5)
            save(actor=user, plan=plan, row=row, expected_version=row.version, data=data)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(personas.kam, first)),
               threading.Thread(target=edit, args=(personas.lead, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert model.objects.get(pk=row.pk).version == row.version + 1
