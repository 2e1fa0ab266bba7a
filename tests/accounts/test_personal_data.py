"""A client contact's personal data: the programme lead exports everything held about the person and
erases it, with a reason kept in a log that names nobody; share-link views are forgotten after the
retention period."""

import datetime
import json

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Activity, Contact, ErasureRecord
from kam.errors import Forbidden, Invalid
from planning import services as planning_services
from planning.models import AccountPlan, AgreedVersion, ClientMessage, ShareView
from tests.conftest import client_for
from tests.factories import ContactFactory, department
from tests.planning.client import last_code
from tests.planning.factories import CommitmentFactory, PlanFactory, ReviewFactory
from touchpoints import services as touchpoint_services
from touchpoints.models import ClientFeedback, ServiceIncident, Touchpoint

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Marta Ibáñez", "marta.ibanez@cliente.example", "+34 600 123 456"
IP, BROWSER = "203.0.113.7", "KamTestBrowser/1.0"
# What must be gone from every table after the erasure: her names (the current one and a former
# spelling), her address and phone, and the address and browser of her share-link views.
TRACES = ("Ibáñez", "Ibañez", EMAIL, PHONE, IP, BROWSER)


@pytest.fixture
def marta(personas):
    """A client contact named everywhere the platform can name someone."""
    p = personas
    marta = ContactFactory(account=p.account, name="Marta Ibañez", email=EMAIL, phone=PHONE,
                           position="Directora de compras", notes="Prefiere reuniones los martes")
    # A corrected spelling: the earlier one stays in the history, and counts as hers.
    marta = services.contact_save(actor=p.kam, account=p.account, contact=marta, expected_version=marta.version,
                                  data={"name": NAME})
    ContactFactory(account=p.account, name="Luis Pérez", notes=f"Trabaja con {NAME} en compras")
    touchpoint_services.touchpoint_log(actor=p.kam, account=p.account, department=department("sales"),
                                       channel="phone", kind="commercial", contacts=[marta],
                                       summary=f"Llamada con {NAME} sobre el pedido trimestral")
    touchpoint_services.incident_open(actor=p.operator, account=p.account, category="delivery", severity="high",
                                      title="Entrega retrasada", description=f"Avisa {NAME} ({EMAIL})",
                                      contact=marta)
    touchpoint_services.feedback_record(actor=p.kam, account=p.account, contact=marta, score=8,
                                        comment="Buen servicio este trimestre")
    plan = PlanFactory(account=p.account)
    CommitmentFactory(plan=plan, department=department("finance"), owner=p.teammate)
    CommitmentFactory(plan=plan, party="client", department=None, contact=marta, description="Enviar previsión")
    ReviewFactory(plan=plan, attendees=f"{NAME}, Ana García")
    planning_services.plan_submit(actor=p.kam, plan=plan)
    planning_services.plan_sign_off(actor=p.sponsor, plan=plan)
    planning_services.plan_sign_off(actor=p.teammate, plan=plan, department=department("finance"))
    planning_services.plan_commit(actor=p.kam, plan=plan)
    link, _token = planning_services.share_link_create(actor=p.kam, plan=plan, hidden_sections=[],
                                                       contact=marta)
    planning_services.share_view_log(link=link, ip=IP, user_agent=BROWSER)
    origin = planning_services.Origin(ip=IP, user_agent=BROWSER)
    planning_services.share_code_request(link=link, origin=origin)
    session, _key = planning_services.share_code_verify(link=link, code=last_code(link.email), origin=origin)
    planning_services.client_request_change(session=session, section="general", body="Una duda sobre la previsión",
                                            origin=origin)
    planning_services.client_accept(session=session, origin=origin)
    marta.refresh_from_db()
    marta.plan = plan
    return marta


def _tables_holding(*terms) -> dict[str, list[str]]:
    """Every text-like column of every table in which one of `terms` appears, whatever the case."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public'
                            AND data_type IN ('character varying', 'text', 'jsonb', 'json', 'inet')""")
        columns = cursor.fetchall()
        for table, column in columns:
            for term in terms:
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', [f"%{term}%"])
                if cursor.fetchone()[0]:
                    found.setdefault(f"{table}.{column}", []).append(term)
    return found


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("scans PostgreSQL's catalogue")


# --- Export --------------------------------------------------------------------------------------------

def _export(client, contact):
    response = client.get(reverse("accounts:contact_personal_data_json", args=[contact.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    return {s["key"]: s["rows"] for s in data["sections"]}, data


def test_the_export_gathers_everything_held_about_the_person(personas, marta):
    sections, data = _export(client_for(personas.lead), marta)
    assert set(data["searched_for"]) == {NAME, "Marta Ibañez", EMAIL}
    assert sections["contact"][0]["email"] == EMAIL and sections["contact"][0]["phone"] == PHONE
    # Her record as first written, with the corrected spelling, and with the call's day as her last contact.
    assert [h["name"] for h in sections["contact_history"]] == ["Marta Ibañez", NAME, NAME]
    summaries = " | ".join(a["summary"] for a in sections["activities"])
    assert "Llamada con" in summaries and f"8/10 from {NAME}" in summaries and "The client agreed" in summaries
    assert [t["record"] for t in sections["account_texts"]] == ["contact"]  # Luis's notes
    assert sections["notifications"]  # the comment and the agreement, told to the KAM
    assert len(sections["touchpoints"]) == 1 and len(sections["incidents"]) == 1 and len(sections["feedback"]) == 1
    assert sections["plans_agreed"][0]["agreed_by"] == NAME
    assert sections["agreed_versions"][0]["agreed_by"] == NAME
    assert sections["commitments"][0]["commitment"] == "Enviar previsión"
    assert len(sections["share_links"]) == 1
    assert sections["share_views"] == [{"link": sections["share_links"][0]["id"], "ip": IP, "user_agent": BROWSER,
                                        "viewed_at": sections["share_views"][0]["viewed_at"]}]
    assert {c["comment"] for c in sections["share_comments"]} == {"Una duda sobre la previsión"}
    assert {a["action"] for a in sections["client_actions"]} >= {"Accepted the plan", "Requested a change"}
    assert {t["field"] for t in sections["plan_texts"]} >= {"client_agreed_by", "attendees"}
    assert any(EMAIL in t["text"] for t in sections["touchpoint_texts"])


def test_the_export_page_is_readable_and_offers_the_erasure(personas, marta):
    page = client_for(personas.lead).get(reverse("accounts:contact_personal_data", args=[marta.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and EMAIL in html and IP in html and "Enviar previsión" in html
    assert reverse("accounts:contact_erase", args=[marta.pk]) in html


def test_only_the_lead_sees_the_personal_data_buttons(personas, marta):
    url = reverse("accounts:contact_edit", args=[marta.pk])
    export = reverse("accounts:contact_personal_data", args=[marta.pk])
    assert export in client_for(personas.lead).get(url).content.decode()
    assert export not in client_for(personas.kam).get(url).content.decode()
    for who in (personas.kam, personas.sponsor, personas.operator):
        assert client_for(who).get(reverse("accounts:contact_personal_data_json", args=[marta.pk])).status_code == 403


# --- Erasure -------------------------------------------------------------------------------------------

def test_the_erasure_leaves_no_trace_of_the_person_anywhere(personas, marta, postgres_only):
    before = _tables_holding(*TRACES)
    for table in ("accounts_contact.name", "accounts_historicalcontact.email", "accounts_activity.summary",
                  "planning_accountplan.client_agreed_by", "planning_historicalaccountplan.client_agreed_by",
                  "planning_agreedversion.content", "planning_clientmessage.author_name", "planning_shareview.ip",
                  "planning_shareview.user_agent", "planning_planreview.attendees", "touchpoints_touchpoint.summary",
                  "touchpoints_historicalserviceincident.description", "kam_notification.body"):
        assert table in before, table  # the fixture does name her there
    counts = {"touchpoints": Touchpoint.objects.count(), "incidents": ServiceIncident.objects.count(),
              "feedback": ClientFeedback.objects.count(), "views": ShareView.objects.count(),
              "comments": ClientMessage.objects.count(), "agreed": AgreedVersion.objects.count()}
    services.contact_erase(actor=personas.lead, contact=marta, reason="Pidió la supresión el 30/11")
    assert _tables_holding(*TRACES) == {}
    # The records stay (what happened, and what the metrics count), pointing at the anonymous contact.
    assert counts == {"touchpoints": Touchpoint.objects.count(), "incidents": ServiceIncident.objects.count(),
                      "feedback": ClientFeedback.objects.count(), "views": ShareView.objects.count(),
                      "comments": ClientMessage.objects.count(), "agreed": AgreedVersion.objects.count()}
    assert Touchpoint.objects.get().contacts.get() == marta


def test_the_contact_stays_anonymous_gone_and_marked(personas, marta):
    record = services.contact_erase(actor=personas.lead, contact=marta, reason="Pidió la supresión")
    marta.refresh_from_db()
    assert marta.name == f"[erased #{marta.pk}]" and marta.is_erased and marta.is_gone
    assert (marta.email, marta.phone, marta.position, marta.notes) == ("", "", "", "")
    assert {h.name for h in marta.history.all()} == {marta.name}
    assert marta.history.first().history_user == personas.lead
    plan = AccountPlan.objects.get(pk=marta.plan.pk)
    assert plan.client_agreed_by == marta.name and plan.client_agreed_contact == marta
    luis = Contact.objects.get(name="Luis Pérez")
    assert luis.notes == f"Trabaja con {marta.name} en compras"
    assert record.erased_by == personas.lead and record.contact_id == marta.pk
    assert record.scrubbed["activities"] >= 3 and record.scrubbed["share_views"] == 1
    assert Activity.objects.filter(subkind="contact_erased", account=personas.account).exists()


def test_the_reason_is_kept_without_the_persons_name(personas, marta):
    record = services.contact_erase(actor=personas.lead, contact=marta, reason=f"{NAME} lo pidió por correo")
    assert record.reason == f"[erased #{marta.pk}] lo pidió por correo"


def test_the_erasure_log_cannot_be_deleted(personas, marta):
    record = services.contact_erase(actor=personas.lead, contact=marta, reason="Pidió la supresión")
    with pytest.raises(ProtectedError):
        record.delete()
    with pytest.raises(ProtectedError):
        marta.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute("DELETE FROM accounts_erasurerecord")
    assert ErasureRecord.objects.count() == 1


def test_only_the_lead_erases_and_a_refusal_changes_nothing(personas, marta):
    for who in (personas.kam, personas.sponsor, personas.teammate, personas.operator):
        with pytest.raises(Forbidden):
            services.contact_erase(actor=who, contact=marta, reason="x")
    marta.refresh_from_db()
    assert marta.name == NAME and not ErasureRecord.objects.exists()


def test_an_erasure_needs_a_reason_and_happens_once(personas, marta):
    with pytest.raises(Invalid):
        services.contact_erase(actor=personas.lead, contact=marta, reason="  ")
    services.contact_erase(actor=personas.lead, contact=marta, reason="Pidió la supresión")
    with pytest.raises(Invalid):
        services.contact_erase(actor=personas.lead, contact=marta, reason="otra vez")
    assert ErasureRecord.objects.count() == 1


def test_the_erase_page_asks_for_a_reason_and_a_confirmation(personas, marta):
    client = client_for(personas.lead)
    url = reverse("accounts:contact_erase", args=[marta.pk])
    page = client.get(url)
    # What will be replaced in free text is shown before the lead confirms.
    assert page.status_code == 200 and f"<code>{EMAIL}</code>" in page.content.decode()
    assert client.post(url, {"reason": "Pidió la supresión"}).status_code == 200  # not confirmed
    assert not ErasureRecord.objects.exists()
    response = client.post(url, {"reason": "Pidió la supresión", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:contacts",
                                                                           args=[personas.account.pk])
    assert ErasureRecord.objects.count() == 1
    assert "already been erased" in client.get(url).content.decode()


# --- Share-view retention --------------------------------------------------------------------------------

def test_share_views_are_forgotten_after_the_retention_period(personas, marta, settings):
    settings.KAM_SHARE_VIEW_RETENTION_DAYS = 30
    link = marta.plan.share_links.get()
    old = planning_services.share_view_log(link=link, ip="198.51.100.1", user_agent="Viejo")
    ShareView.objects.filter(pk=old.pk).update(viewed_at=timezone.now() - datetime.timedelta(days=31))
    kept = planning_services.share_view_log(link=link, ip="198.51.100.2", user_agent="Reciente")
    from planning.tasks import purge_share_views

    assert purge_share_views.apply().get() == 1
    assert not ShareView.objects.filter(pk=old.pk).exists()
    assert ShareView.objects.filter(pk=kept.pk).exists()


def test_the_retention_job_is_scheduled_and_defaults_to_180_days():
    jobs = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "planning.tasks.purge_share_views" in jobs
    from kam import settings as project_settings

    assert project_settings.KAM_SHARE_VIEW_RETENTION_DAYS == 180
