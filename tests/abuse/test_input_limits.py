"""The inputs a production fuzzing run drove to a server error, each one now refused with a clear
message and nothing written: malformed query strings, dates and amounts out of any sane range,
programme settings that would break the dashboards, invisible formatting characters in names,
megabytes of free text and a tampered SLA formset. (Uploads and CSV files: test_imports.py.)"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Account, Contact
from kam import validators
from kam.errors import Invalid
from kam.models import ProgrammeSettings
from planning.models import AccountPlan
from tests.conftest import client_for
from touchpoints import services as touchpoint_services
from touchpoints.models import SlaPolicy, Touchpoint

pytestmark = pytest.mark.django_db

BIDI = ["Aceros\u202e.S.A", "Aceros \u2066Sur\u2069", "Ace\u200bros", "\u200fAceros", "Aceros\ufeff"]


def _body(response) -> str:
    return response.content.decode()


# --- query strings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["?q=%00", "?q=Aceros%00", "?q=a&target=%00", "?q%00=x"])
@pytest.mark.parametrize("url_name", ["touchpoints:touchpoint_new", "touchpoints:incident_new",
                                      "touchpoints:account_search"])
def test_a_nul_byte_in_the_query_string_is_a_clear_400(personas, url_name, query):
    response = client_for(personas.kam).get(reverse(url_name) + query)
    assert response.status_code == 400
    assert "cannot contain" in _body(response)


def test_the_nul_refusal_is_translated(personas):
    client = client_for(personas.kam)
    client.cookies["django_language"] = "es"
    with translation.override("en"):  # the request switches the thread's language: switched back after
        response = client.get(reverse("touchpoints:account_search") + "?q=%00", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "no puede contener" in _body(response)


@pytest.mark.parametrize("query", ["?a=x", "?a=x&b=1", "?a=1&b=%C2%B2", "?a=99999999999999999999999&b=1",
                                   "?a=-1&b=1", "?page=x", "?page=%C2%B2"])
def test_plan_history_with_a_malformed_version_is_not_an_error(world, query):
    response = client_for(world.kam).get(reverse("planning:plan_history", args=[world.plan.pk]) + query)
    assert response.status_code in (200, 400)
    if "a=" in query:
        assert "Choose two versions of this plan to compare." in _body(response)


@pytest.mark.parametrize("account", ["x", "%C2%B2", "-1", "99999999999999999999999", "1.5"])
def test_a_malformed_account_id_in_the_query_string_is_not_found(personas, account):
    response = client_for(personas.kam).get(reverse("touchpoints:touchpoint_new") + f"?account={account}")
    assert response.status_code == 404


# --- dates -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0001-01-01T10:00", "1899-12-31T23:59", "2101-01-01T00:00",
                                   "9999-12-31T23:59"])
def test_a_touchpoint_dated_outside_the_sane_range_is_refused(personas, value):
    before = Touchpoint.objects.count()
    response = client_for(personas.kam).post(
        reverse("touchpoints:touchpoint_new") + f"?account={personas.account.pk}",
        {"account": personas.account.pk, "occurred_at": value, "department": personas.account.team_members.first()
         .department_id, "channel": "phone", "kind": "operational", "summary": "Llamada", "quality": 3})
    assert response.status_code == 200
    assert "between 1900-01-01 and 2100-12-31" in _body(response)
    assert Touchpoint.objects.count() == before


def test_the_service_refuses_a_touchpoint_dated_year_one(personas):
    before = Touchpoint.objects.count()
    with pytest.raises(Invalid):
        touchpoint_services.touchpoint_log(
            actor=personas.kam, account=personas.account,
            occurred_at=datetime.datetime(1, 1, 2, tzinfo=datetime.UTC),
            department=personas.account.team_members.first().department, channel="phone", kind="operational",
            summary="Llamada", quality=3, our_people=[], contacts=[], follow_up=False, follow_up_note="",
            cost=None)
    assert Touchpoint.objects.count() == before


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_a_plan_period_outside_the_sane_range_is_refused(world, start):
    before = AccountPlan.objects.count()
    response = client_for(world.kam).post(reverse("planning:plan_create", args=[world.account.pk]),
                                          {"period_kind": "annual", "period_start": start})
    assert response.status_code == 200
    assert "between 1900-01-01 and 2100-12-31" in _body(response)
    assert AccountPlan.objects.count() == before


def test_correcting_a_plan_period_to_9999_is_refused(world):
    plan = world.plan
    plan.refresh_from_db()
    start = plan.period_start
    response = client_for(world.kam).post(reverse("planning:plan_period", args=[plan.pk]), {
        "period-period_kind": "annual", "period-period_start": "9999-12-31", "period-version": plan.version},
        follow=True)
    assert response.status_code == 200
    assert "between 1900-01-01 and 2100-12-31" in _body(response)
    plan.refresh_from_db()
    assert plan.period_start == start


# --- money -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("cost", ["2147483648", "9999999999.99", "1e12"])
def test_an_absurd_touchpoint_cost_is_refused(personas, cost):
    before = Touchpoint.objects.count()
    response = client_for(personas.kam).post(
        reverse("touchpoints:touchpoint_new") + f"?account={personas.account.pk}",
        {"account": personas.account.pk, "occurred_at": "2026-01-10T10:00",
         "department": personas.account.team_members.first().department_id, "channel": "phone",
         "kind": "operational", "summary": "Llamada", "quality": 3, "cost": cost})
    assert response.status_code == 200
    assert Touchpoint.objects.count() == before
    body = _body(response)
    assert "less than or equal to 10000000" in body or "no more than" in body


def test_the_service_refuses_an_absurd_touchpoint_cost(personas):
    before = Touchpoint.objects.count()
    with pytest.raises(Invalid):
        touchpoint_services.touchpoint_log(
            actor=personas.kam, account=personas.account,
            occurred_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
            department=personas.account.team_members.first().department, channel="phone", kind="operational",
            summary="Llamada", quality=3, our_people=[], contacts=[], follow_up=False, follow_up_note="",
            cost=Decimal("2147483648"))
    assert Touchpoint.objects.count() == before


# --- programme settings ----------------------------------------------------------------------------
def _settings_form(**changes):
    from tests.metrics.settings_form import settings_post_data

    return settings_post_data(**changes)


@pytest.mark.parametrize("field, value", [
    ("plan_stale_days", "2147483647"), ("plan_stale_days", "3651"), ("plan_review_days", "2147483647"),
    ("sponsor_visit_days", "99999"), ("key_account_cap", "2147483647"),
    ("clv_retention", "-0.5"), ("clv_discount", "-0.1"), ("clv_discount", "1.5"),
    ("retention_at_health_0", "-0.2"), ("retention_at_health_100", "1.01"),
])
def test_programme_settings_out_of_range_are_refused(personas, field, value):
    s = ProgrammeSettings.current()
    before = (getattr(s, field), s.version)
    client = client_for(personas.lead)
    response = client.post(reverse("metrics:programme_settings"), _settings_form(**{field: value}))
    assert response.status_code == 200
    assert 'class="invalid-feedback' in _body(response) or "is-invalid" in _body(response)
    s.refresh_from_db()
    assert (getattr(s, field), s.version) == before
    # ...and the dashboards keep working.
    assert client_for(personas.kam).get(reverse("metrics:dashboard_kam")).status_code == 200


def test_the_service_refuses_a_plan_stale_days_that_breaks_the_dashboards(personas):
    from metrics import services as metric_services

    s = ProgrammeSettings.current()
    with pytest.raises(Invalid):
        metric_services.programme_settings_update(actor=personas.lead, expected_version=s.version,
                                                  data={"plan_stale_days": 2147483647})
    with pytest.raises(Invalid):
        metric_services.programme_settings_update(actor=personas.lead, expected_version=s.version,
                                                  data={"clv_discount": Decimal("-0.1")})
    s.refresh_from_db()
    assert s.plan_stale_days == 60


# --- names -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", BIDI)
def test_invisible_formatting_characters_in_an_account_name_are_refused(personas, name):
    before = Account.objects.count()
    response = client_for(personas.kam).post(reverse("accounts:create"), {
        "name": name, "country": "ES", "industry": "food", "status": "active", "kam": personas.kam.pk,
        "relationship_stage": "basic"})
    assert response.status_code == 200
    assert "invisible formatting characters" in _body(response)
    assert Account.objects.count() == before


def test_invisible_formatting_characters_in_a_contact_name_are_refused(personas):
    before = Contact.objects.count()
    response = client_for(personas.kam).post(
        reverse("accounts:contact_new", args=[personas.account.pk]),
        {"name": "María\u202ePérez", "influence": 2, "attitude": "neutral", "decision_role": "none"})
    assert response.status_code == 200
    assert "invisible formatting characters" in _body(response)
    assert Contact.objects.count() == before


def test_the_invisible_character_message_is_translated():
    with translation.override("es"):
        try:
            validators.visible_text("a\u202eb")
        except Exception as exc:  # noqa: BLE001 - the message is what is under test
            assert "caracteres de formato invisibles" in " ".join(exc.messages)
        else:
            pytest.fail("not refused")


def test_joiners_used_by_scripts_and_emoji_are_kept():
    validators.visible_text("می\u200cخواهم 👩\u200d💼")


# --- free text -------------------------------------------------------------------------------------
def test_a_megabyte_of_contact_notes_is_refused(personas):
    before = Contact.objects.count()
    response = client_for(personas.kam).post(
        reverse("accounts:contact_new", args=[personas.account.pk]),
        {"name": "María Pérez", "influence": 2, "attitude": "neutral", "decision_role": "none",
         "notes": "x" * 1_000_000})
    assert response.status_code == 200
    assert "at most 10000 characters" in _body(response)
    assert Contact.objects.count() == before


def test_a_megabyte_of_incident_description_is_refused(personas):
    from touchpoints.models import ServiceIncident

    before = ServiceIncident.objects.count()
    response = client_for(personas.kam).post(
        reverse("touchpoints:incident_new") + f"?account={personas.account.pk}",
        {"account": personas.account.pk, "severity": "medium", "category": "delivery", "title": "Retraso",
         "description": "x" * 1_000_000})
    assert response.status_code == 200
    assert "at most 10000 characters" in _body(response)
    assert ServiceIncident.objects.count() == before


def test_a_megabyte_of_plan_text_is_refused(world):
    plan = world.plan
    plan.refresh_from_db()
    response = client_for(world.kam).post(
        reverse("planning:plan_section", args=[plan.pk, "summary"]),
        {"summary-summary": "x" * 1_000_000, "version": plan.version})
    assert response.status_code in (200, 400, 422)
    assert "at most 10000 characters" in _body(response)
    plan.refresh_from_db()
    assert len(plan.summary) < 10_000


def test_the_plan_services_refuse_what_the_forms_refuse(world):
    """Called directly (a task, an import, the next view), the services hold the same bounds."""
    from planning import services as planning_services

    plan = world.plan
    plan.refresh_from_db()
    before = AccountPlan.objects.count()
    with pytest.raises(Invalid) as exc:
        planning_services.plan_create(actor=world.kam, account=world.account, period_kind="year",
                                      period_start=datetime.date(9999, 12, 31))
    assert "period_start" in exc.value.errors
    assert AccountPlan.objects.count() == before
    with pytest.raises(Invalid) as exc:
        planning_services.plan_update(actor=world.kam, plan=plan, expected_version=plan.version,
                                      data={"summary": "x" * 1_000_000})
    assert "summary" in exc.value.errors
    plan.refresh_from_db()
    assert len(plan.summary) < 10_000


@pytest.mark.parametrize("action, fields", [
    ("request", {"request-target": "section:general", "request-body": "x" * 1_000_000}),
    ("value", {"value-answer": "dispute", "value-note": BIDI[0]}),
])
def test_the_client_page_holds_the_same_bounds(world, action, fields):
    from planning.models import ClientThread, ValueDelivered
    from tests.planning.client import verified_client
    from tests.planning.factories import share_link

    entry = ValueDelivered.objects.create(plan=world.plan, outcome="Ahorro", amount=1,
                                          delivered_on=world.plan.period_start)
    link, token = share_link(world.kam, world.plan)
    client = verified_client(link, token)
    threads = ClientThread.objects.count()
    response = client.post(reverse("planning:share", args=[token]), {"action": action, "row": entry.pk, **fields})
    assert response.status_code == 200
    body = _body(response)
    assert "invisible formatting characters" in body or re.search(r"at most [\d,.]+ characters", body)
    assert ClientThread.objects.count() == threads
    entry.refresh_from_db()
    assert not entry.disputed_by_client


def test_the_client_services_refuse_invisible_characters_and_megabytes(world):
    from planning import services as planning_services
    from planning.models import ClientSession, ClientThread, ValueDelivered
    from tests.planning.client import verified_client
    from tests.planning.factories import share_link

    entry = ValueDelivered.objects.create(plan=world.plan, outcome="Ahorro", amount=1,
                                          delivered_on=world.plan.period_start)
    link, token = share_link(world.kam, world.plan)
    verified_client(link, token)
    session = ClientSession.objects.get(link=link)
    origin = planning_services.Origin()
    threads = ClientThread.objects.count()
    with pytest.raises(Invalid) as exc:
        planning_services.client_value_answer(session=session, entry=entry, confirmed=False, note=BIDI[2],
                                              origin=origin)
    assert "client_note" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        planning_services.client_request_change(session=session, section="general", body="x" * 1_000_000,
                                                origin=origin)
    assert "note" in exc.value.errors or "body" in exc.value.errors
    assert ClientThread.objects.count() == threads


# --- the SLA formset -------------------------------------------------------------------------------
@pytest.mark.parametrize("initial, total", [("-1", "12"), ("-1", "-1"), ("x", "12"), ("12", "-5"),
                                            ("0", "1"), ("99999999999999999999", "12")])
def test_a_tampered_sla_management_form_is_refused_and_writes_nothing(personas, initial, total):
    before = list(SlaPolicy.objects.order_by("pk").values_list("pk", "ack_hours", "resolve_hours", "version"))
    data = {"form-TOTAL_FORMS": total, "form-INITIAL_FORMS": initial, "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "form-0-ack_hours": "1", "form-0-resolve_hours": "2"}
    response = client_for(personas.lead).post(reverse("touchpoints:sla_policies"), data)
    assert response.status_code == 400
    assert "Reload the page" in _body(response) or "ManagementForm data is missing" in _body(response)
    after = list(SlaPolicy.objects.order_by("pk").values_list("pk", "ack_hours", "resolve_hours", "version"))
    assert after == before
