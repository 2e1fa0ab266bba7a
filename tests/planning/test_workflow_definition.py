"""The plan's workflow is defined once (planning.workflow): the editor offers exactly the actions the
plan's status allows, and the services refuse every other one. The client's document is filtered in one
selector: a hidden section is neither read nor handed to the template."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.errors import Invalid
from planning import selectors, services, workflow
from planning.models import PlanStatus, ShareSection
from tests.conftest import client_for
from tests.factories import department
from tests.planning.factories import CommitmentFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db

TRANSITIONS = {"submit": services.plan_submit, "commit": services.plan_commit,
               "return": services.plan_return_to_draft, "close": services.plan_close}


@pytest.mark.parametrize("status", PlanStatus.values)
def test_the_editor_offers_exactly_the_transitions_the_workflow_allows(personas, status):
    plan = PlanFactory(account=personas.account, status=status)
    html = client_for(personas.kam).get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    for action in TRANSITIONS:
        offered = reverse("planning:plan_transition", args=[plan.pk, action]) in html
        # A closed plan is read-only: nothing is offered, whatever the workflow says.
        assert offered == (workflow.is_allowed(status, action) and status != PlanStatus.CLOSED), action


@pytest.mark.parametrize("status", PlanStatus.values)
def test_the_services_refuse_the_transitions_the_workflow_does_not_allow(personas, status):
    for year, (action, service) in enumerate(TRANSITIONS.items(), start=2001):
        if workflow.is_allowed(status, action):
            continue
        plan = PlanFactory(account=personas.account, status=status, period_start=datetime.date(year, 1, 1))
        with pytest.raises(Invalid):
            service(actor=personas.kam, plan=plan)
        plan.refresh_from_db()
        assert plan.status == status


def test_a_hidden_section_is_neither_read_nor_given_to_the_template(personas):
    plan = PlanFactory(account=personas.account)
    TaskFactory(plan=plan, description="SECRETO")
    CommitmentFactory(plan=plan, department=department("finance"))
    hidden = {ShareSection.CONOCIMIENTO, ShareSection.COMMITMENTS, ShareSection.OPPORTUNITY_VALUES}
    with CaptureQueriesContext(connection) as queries:
        document = selectors.document_sections(plan, hidden)
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "planning_knowledgetask" not in read and "planning_commitment" not in read
    sections = document["sections"]
    assert sections["conocimiento"] is None and sections["commitments"] is None
    assert sections["vision"] == {"opportunities": [], "values": False}
    shown = selectors.document_sections(plan)["sections"]
    assert [t.description for t in shown["conocimiento"]["tasks"]] == ["SECRETO"]
    assert len(shown["commitments"]["us"]) == 1 and shown["vision"]["values"] is True
