"""Editing the plan through its pages: sections saved in place, validation, and no lost update when
two people edit at once."""

import pytest
from django.urls import reverse

from planning.models import AccountPlan, Commitment
from tests.conftest import client_for
from tests.factories import TeamMemberFactory, UserFactory, department
from tests.planning.factories import CommitmentFactory, PlanFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(personas):
    return PlanFactory(account=personas.account)


@pytest.fixture
def second_kam(personas):
    from kam.roles import KAM
    user = UserFactory(username="kam2", roles=[KAM])
    TeamMemberFactory(account=personas.account, user=user, department=department("sales"))
    return user


def _section_url(plan, section):
    return reverse("planning:plan_section", args=[plan.pk, section])


def test_section_saves_in_place_and_bumps_the_version(personas, plan):
    response = client_for(personas.kam).post(_section_url(plan, "vision"), {
        "version": plan.version, "vision-vision_statement": "Reducir su coste energético un 10 %"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="saved"' in html and 'id="version-summary"' in html and 'hx-swap-oob' in html
    plan.refresh_from_db()
    assert plan.vision_statement == "Reducir su coste energético un 10 %" and plan.version == 2
    assert plan.history.first().history_user == personas.kam


def test_invalid_section_shows_the_error_and_keeps_the_input(personas, plan):
    response = client_for(personas.kam).post(_section_url(plan, "summary"), {
        "version": plan.version, "summary-summary": "Mi resumen", "summary-next_review_date": "31/31/2026"},
        **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mi resumen" in html and "invalid-feedback" in html
    assert AccountPlan.objects.get(pk=plan.pk).version == 1


def test_two_editors_the_second_save_is_refused_with_what_changed(personas, plan, second_kam):
    ana, other = client_for(personas.kam), client_for(second_kam)
    # Both opened the plan at version 1.
    assert ana.get(plan.get_absolute_url()).status_code == 200
    assert other.get(plan.get_absolute_url()).status_code == 200
    ana.post(_section_url(plan, "conocimiento"), {
        "version": 1, "conocimiento-business_problems": "Paradas no planificadas"}, **HTMX)
    response = other.post(_section_url(plan, "conocimiento"), {
        "version": 1, "conocimiento-business_problems": "Costes logísticos"}, **HTMX)
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    assert "Paradas no planificadas" in html  # what the other person saved
    assert "Costes logísticos" in html  # the user's own text is kept in the form
    plan.refresh_from_db()
    assert plan.business_problems == "Paradas no planificadas"
    # Saving again from the version now shown is a deliberate choice, and is accepted.
    assert f'value="{plan.version}"' in html
    other.post(_section_url(plan, "conocimiento"), {
        "version": plan.version, "conocimiento-business_problems": "Costes logísticos"}, **HTMX)
    assert AccountPlan.objects.get(pk=plan.pk).business_problems == "Costes logísticos"


def test_two_editors_of_one_commitment(personas, plan, second_kam):
    c = CommitmentFactory(plan=plan, department=department("finance"), description="Informe mensual")
    url = reverse("planning:row_edit", args=[plan.pk, "commitment", c.pk])
    form = {"party": "us", "department": department("finance").pk, "due_date": c.due_date.isoformat(),
            "status": "open", "version": c.version}
    client_for(personas.kam).post(url, {**form, "description": "Informe semanal"})
    response = client_for(second_kam).post(url, {**form, "description": "Informe quincenal"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="conflict"' in html and "Informe semanal" in html and "Informe quincenal" in html
    assert Commitment.objects.get(pk=c.pk).description == "Informe semanal"


def test_commitment_form_validates_party_fields(personas, plan):
    response = client_for(personas.kam).post(reverse("planning:row_add", args=[plan.pk, "commitment"]), {
        "commitment-party": "us", "commitment-description": "Entregar", "commitment-due_date": "2026-12-01",
        "commitment-status": "open"}, **HTMX)
    assert response.status_code == 200
    assert "need the department" in response.content.decode()
    assert not plan.commitments.exists()


def test_adding_an_opportunity_updates_the_weighted_pipeline(personas, plan):
    response = client_for(personas.kam).post(reverse("planning:row_add", args=[plan.pk, "opportunity"]), {
        "opportunity-client_benefit": "Menos paradas", "opportunity-our_solution": "Sensores",
        "opportunity-value": "200000", "opportunity-probability": "25", "opportunity-stage": "idea"}, **HTMX)
    assert response.status_code == 200
    assert 'data-testid="pipeline">50.000' in response.content.decode() or \
        'data-testid="pipeline">50,000' in response.content.decode()


def test_transition_refused_shows_a_clear_message(personas, plan):
    response = client_for(personas.kam).post(reverse("planning:plan_transition", args=[plan.pk, "submit"]),
                                             follow=True)
    assert "at least one commitment" in response.content.decode()


def test_operations_get_404_on_plan_pages(personas, plan):
    for name in ("planning:plan_detail", "planning:plan_history", "planning:plan_print"):
        assert client_for(personas.operator).get(reverse(name, args=[plan.pk])).status_code == 404


def test_history_compares_two_versions_field_by_field(personas, plan):
    c = client_for(personas.kam)
    c.post(_section_url(plan, "vision"), {"version": 1, "vision-vision_statement": "Primera visión"}, **HTMX)
    c.post(_section_url(plan, "vision"), {"version": 2, "vision-vision_statement": "Segunda visión"}, **HTMX)
    ids = list(plan.history.order_by("history_date").values_list("history_id", flat=True))
    response = c.get(reverse("planning:plan_history", args=[plan.pk]), {"a": ids[1], "b": ids[-1]})
    html = response.content.decode()
    assert 'data-testid="compare"' in html and "Primera visión" in html and "Segunda visión" in html
    assert html.count('data-testid="changed-row"') == 1


def test_a_missing_or_tampered_version_is_a_conflict_not_an_error(personas, plan):
    for version in ("", "abc"):
        response = client_for(personas.kam).post(_section_url(plan, "summary"), {
            "version": version, "summary-summary": "Otro resumen"}, **HTMX)
        assert response.status_code == 200 and 'data-testid="conflict"' in response.content.decode()
    assert AccountPlan.objects.get(pk=plan.pk).summary != "Otro resumen"


def test_new_plan_from_the_account_panel_copies_the_last(personas):
    import datetime

    last = PlanFactory(account=personas.account, vision_statement="Socio energético",
                       period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    response = client_for(personas.kam).post(reverse("planning:plan_create", args=[personas.account.pk]), {
        "period_kind": "year", "period_start": "2026-01-01", "copy_last": "on"})
    plan = AccountPlan.objects.exclude(pk=last.pk).get(account=personas.account)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.vision_statement == "Socio energético" and plan.status == "draft"
    again = client_for(personas.kam).post(reverse("planning:plan_create", args=[personas.account.pk]), {
        "period_kind": "year", "period_start": "2026-01-01"})
    assert again.status_code == 200 and "already has a plan" in again.content.decode()
    refused = client_for(personas.sponsor).post(reverse("planning:plan_create", args=[personas.account.pk]), {
        "period_kind": "year", "period_start": "2027-01-01"})
    assert refused.status_code == 403
