"""The client survey: links (hashed, single answer, expiring, revocable), the answer as client feedback,
the alert, the schedule, the public page and the account panel."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from kam.errors import Forbidden, Invalid
from kam.models import Notification, ProgrammeSettings
from kam.tokens import token_hash
from metrics import formulas as metric_formulas
from tests.conftest import client_for
from tests.factories import ContactFactory
from tests.touchpoints.factories import FeedbackFactory, RatingFactory
from touchpoints import formulas, selectors, services
from touchpoints.models import ClientFeedback, SurveyLink, SurveyResponse
from touchpoints.tasks import send_client_surveys

pytestmark = pytest.mark.django_db

ANSWER = {"satisfaction": 8, "recommend": 9, "understands": 4, "delivers": 4, "easy": 5, "comment": "Buen trabajo"}


def token_of(message) -> str:
    return re.search(r"/survey/([^/\s]+)/", message.body).group(1)


# --- Formulas ----------------------------------------------------------------------------------------
def test_gap_is_our_rating_minus_theirs():
    assert formulas.mutuality_gap(6, 9) == Decimal(3)
    assert formulas.mutuality_gap(Decimal("8.5"), 7) == Decimal("-1.5")
    assert formulas.mutuality_gap(None, 7) is None and formulas.mutuality_gap(7, None) is None


def test_alert_reasons_score_floor_and_gap_either_way():
    assert formulas.survey_alert_reasons(5, None, score_below=6, gap_above=2) == ["score"]
    assert formulas.survey_alert_reasons(6, Decimal(2), score_below=6, gap_above=2) == []
    assert formulas.survey_alert_reasons(7, Decimal(3), score_below=6, gap_above=2) == ["gap"]
    assert formulas.survey_alert_reasons(9, Decimal(-3), score_below=6, gap_above=2) == ["gap"]
    assert formulas.survey_alert_reasons(4, Decimal(5), score_below=6, gap_above=2) == ["score", "gap"]


def test_satisfaction_component_subtracts_the_gap():
    # Hand-computed: client 6, us 9 -> 60 - 5 * 3 = 45; client 9, us 6 -> 90 - 15 = 75.
    assert metric_formulas.satisfaction_score(6, 9) == 45
    assert metric_formulas.satisfaction_score(9, 6) == 75
    assert metric_formulas.satisfaction_score(7, None) == 70


# --- Links and sending ---------------------------------------------------------------------------------
def test_kam_sends_the_survey_in_the_contacts_language_and_only_the_hash_is_stored(personas):
    contact = ContactFactory(account=personas.account, language="en")
    link = services.survey_send(actor=personas.kam, contact=contact)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email] and "would like your opinion" in message.subject
    token = token_of(message)
    assert token not in link.token_hash and link.token_hash == token_hash(token)
    assert link.language == "en" and link.sent_at is not None and link.created_by == personas.kam


def test_contact_without_language_gets_the_programme_language(personas, settings):
    settings.LANGUAGE_CODE = "es"
    contact = ContactFactory(account=personas.account, language="")
    services.survey_send(actor=personas.kam, contact=contact)
    assert "quiere conocer su opinión" in mail.outbox[0].subject


@pytest.mark.parametrize("who", ["teammate", "sponsor", "operator", "outsider"])
def test_only_the_kam_and_the_lead_send_the_survey(personas, who):
    contact = ContactFactory(account=personas.account)
    with pytest.raises(Forbidden):
        services.survey_send(actor=getattr(personas, who), contact=contact)
    services.survey_send(actor=personas.lead, contact=contact)


def test_a_contact_who_left_is_not_asked(personas):
    contact = ContactFactory(account=personas.account, left_at=timezone.localdate())
    with pytest.raises(Invalid):
        services.survey_send(actor=personas.kam, contact=contact)


def test_a_contact_holds_one_open_link_and_a_new_token_retires_the_old_address(personas):
    contact = ContactFactory(account=personas.account)
    first, old = services.survey_link_for(actor=personas.kam, contact=contact)
    again, new = services.survey_link_for(actor=personas.kam, contact=contact)
    assert first.pk == again.pk and old != new
    assert selectors.survey_link_resolve(old) is None
    assert selectors.survey_link_resolve(new).pk == first.pk


def test_answered_expired_and_revoked_links_no_longer_open(personas):
    contact = ContactFactory(account=personas.account)
    link, token = services.survey_link_for(actor=personas.kam, contact=contact)
    services.survey_answer(link=link, data=ANSWER)
    assert selectors.survey_link_resolve(token) is None
    with pytest.raises(Invalid):
        services.survey_answer(link=link, data=ANSWER)
    assert SurveyResponse.objects.count() == 1

    other = ContactFactory(account=personas.account)
    link2, token2 = services.survey_link_for(actor=personas.kam, contact=other)
    services.survey_link_revoke(actor=personas.kam, link=link2)
    assert selectors.survey_link_resolve(token2) is None
    with pytest.raises(Forbidden):
        services.survey_link_revoke(actor=personas.teammate, link=link2)

    third = ContactFactory(account=personas.account)
    _link3, token3 = services.survey_link_for(actor=personas.kam, contact=third)
    with freeze_time(timezone.now() + datetime.timedelta(days=services.surveys.SURVEY_LINK_DAYS + 1)):
        assert selectors.survey_link_resolve(token3) is None


# --- The answer --------------------------------------------------------------------------------------
def test_answer_becomes_client_feedback_with_its_questions(personas):
    contact = ContactFactory(account=personas.account)
    link, _token = services.survey_link_for(actor=personas.kam, contact=contact)
    response = services.survey_answer(link=link, data=ANSWER)
    feedback = ClientFeedback.objects.get()
    assert response.feedback == feedback and feedback.score == 8 and feedback.contact == contact
    assert feedback.comment == "Buen trabajo" and feedback.recorded_by is None
    assert (response.recommend, response.understands, response.delivers, response.easy) == (9, 4, 4, 5)
    assert SurveyLink.objects.get().answered_at is not None


@pytest.mark.parametrize("field,value", [("satisfaction", 11), ("understands", 0), ("easy", 6), ("recommend", None)])
def test_answer_out_of_scale_is_refused_on_its_field(personas, field, value):
    link, _t = services.survey_link_for(actor=personas.kam, contact=ContactFactory(account=personas.account))
    with pytest.raises(Invalid) as exc:
        services.survey_answer(link=link, data={**ANSWER, field: value})
    assert field in exc.value.errors
    assert not ClientFeedback.objects.exists()


def test_low_score_alerts_kam_and_sponsor_once(personas):
    link, _t = services.survey_link_for(actor=personas.kam, contact=ContactFactory(account=personas.account))
    response = services.survey_answer(link=link, data={**ANSWER, "satisfaction": 4})
    notes = Notification.objects.filter(event_key=f"survey-alert:{response.pk}")
    assert {n.recipient for n in notes} == {personas.kam, personas.sponsor}
    assert "4/10" in notes[0].body_text


def test_gap_beyond_threshold_alerts_even_with_a_good_score(personas):
    RatingFactory(account=personas.account, score=10)
    link, _t = services.survey_link_for(actor=personas.kam, contact=ContactFactory(account=personas.account))
    services.survey_answer(link=link, data={**ANSWER, "satisfaction": 7})
    assert Notification.objects.filter(message="touchpoints.notice_survey_gap").count() == 2


def test_answer_within_thresholds_raises_no_alert(personas):
    RatingFactory(account=personas.account, score=9)
    link, _t = services.survey_link_for(actor=personas.kam, contact=ContactFactory(account=personas.account))
    services.survey_answer(link=link, data=ANSWER)
    assert not Notification.objects.exists()


def test_thresholds_come_from_programme_settings(personas):
    settings = ProgrammeSettings.current()
    settings.survey_score_alert_below = 9
    settings.save()
    link, _t = services.survey_link_for(actor=personas.kam, contact=ContactFactory(account=personas.account))
    services.survey_answer(link=link, data=ANSWER)
    assert Notification.objects.filter(message="touchpoints.notice_survey_low").count() == 2


# --- The schedule ------------------------------------------------------------------------------------
def test_schedule_asks_key_account_contacts_once_per_cadence(personas):
    asked = ContactFactory(account=personas.account)
    ContactFactory(account=personas.account, email="")
    ContactFactory(account=personas.account, left_at=timezone.localdate())
    ContactFactory(account=personas.other_account)  # not a key account
    assert send_client_surveys.apply().get() == 1
    assert [m.to for m in mail.outbox] == [[asked.email]]
    assert send_client_surveys.apply().get() == 0
    days = ProgrammeSettings.current().survey_cadence_days
    with freeze_time(timezone.now() + datetime.timedelta(days=days + 1)):
        assert send_client_surveys.apply().get() == 1


def test_schedule_task_retries_by_itself():
    assert send_client_surveys.autoretry_for and send_client_surveys.retry_backoff


# --- Mutuality over time -----------------------------------------------------------------------------
def test_mutuality_series_by_quarter(personas):
    today = datetime.date(2026, 11, 20)
    FeedbackFactory(account=personas.account, score=8, received_on=datetime.date(2026, 4, 10))
    FeedbackFactory(account=personas.account, score=6, received_on=datetime.date(2026, 10, 2))
    FeedbackFactory(account=personas.account, score=5, received_on=datetime.date(2026, 11, 2))
    RatingFactory(account=personas.account, score=8, rated_on=datetime.date(2026, 5, 1))
    RatingFactory(account=personas.account, score=9, rated_on=datetime.date(2026, 10, 5))
    series = selectors.mutuality_series(personas.account, today=today)
    assert [q["label"] for q in series] == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    q2, q3, q4 = series[3], series[4], series[5]
    assert (q2["client"], q2["ours"], q2["gap"]) == (Decimal("8.0"), Decimal("8.0"), Decimal("0.0"))
    assert q3["gap"] is None
    assert (q4["client"], q4["ours"], q4["gap"]) == (Decimal("5.5"), Decimal("9.0"), Decimal("3.5"))


# --- Pages -------------------------------------------------------------------------------------------
def test_client_answers_on_the_public_page_in_their_language(personas, client):
    contact = ContactFactory(account=personas.account, language="es")
    _link, token = services.survey_link_for(actor=personas.kam, contact=contact)
    url = reverse("touchpoints:survey", args=[token])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page["Content-Language"] == "es"
    assert "qué tal lo estamos haciendo" in page.content.decode()
    assert personas.account.name not in page.content.decode()  # nothing internal, not even the account
    bad = client.post(url, {**ANSWER, "satisfaction": ""})
    assert bad.status_code == 400
    done = client.post(url, ANSWER, follow=True)
    assert b"survey-thanks" in done.content and "Gracias" in done.content.decode()
    assert client.get(url).status_code == 404


def test_public_page_follows_the_browser_when_the_contact_has_no_language(personas, client):
    contact = ContactFactory(account=personas.account, language="")
    _link, token = services.survey_link_for(actor=personas.kam, contact=contact)
    page = client.get(reverse("touchpoints:survey", args=[token]), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "en"


def test_unknown_token_and_rate_limit(client):
    url = reverse("touchpoints:survey", args=["nope"])
    assert client.get(url).status_code == 404
    from touchpoints.views.surveys import SURVEY_LIMIT

    for _i in range(SURVEY_LIMIT.limit):
        client.get(url)
    assert client.get(url).status_code == 429


def test_send_from_the_account_page(personas):
    contact = ContactFactory(account=personas.account)
    url = reverse("touchpoints:survey_send", args=[personas.account.pk])
    assert client_for(personas.teammate).post(url, {"contact": contact.pk}).status_code == 403
    assert client_for(personas.kam).post(url, {"contact": contact.pk}).status_code == 302
    assert len(mail.outbox) == 1
    other = ContactFactory(account=personas.other_account)
    assert client_for(personas.kam).post(url, {"contact": other.pk}).status_code == 404


def test_panel_shows_score_and_gap_in_a_fixed_number_of_queries(personas):
    kam = client_for(personas.kam)
    url = reverse("accounts:panel", args=[personas.account.pk, "surveys"])
    counts = []
    for n in (1, 6):
        for _i in range(n):
            RatingFactory(account=personas.account, score=9)
            link, _t = services.survey_link_for(actor=personas.kam, contact=ContactFactory(account=personas.account))
            services.survey_answer(link=link, data={**ANSWER, "satisfaction": 6})
        with CaptureQueriesContext(connection) as ctx:
            page = kam.get(url)
        counts.append(len(ctx.captured_queries))
        assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="client-score">6.0<' in html and 'data-testid="mutuality-gap"' in html and "+3.0" in html
    assert counts[0] == counts[1]


def test_erasing_the_contact_scrubs_their_name_from_survey_comments(personas):
    from accounts.services import contact_erase

    contact = ContactFactory(account=personas.account, name="Marta Sanz")
    link, _t = services.survey_link_for(actor=personas.kam, contact=contact)
    services.survey_answer(link=link, data={**ANSWER, "comment": "Soy Marta Sanz, de compras"})
    contact_erase(actor=personas.lead, contact=contact, reason="Solicitud del interesado")
    assert "Marta Sanz" not in SurveyResponse.objects.get().comment
    assert "Marta Sanz" not in ClientFeedback.objects.get().comment


def test_kam_withdraws_an_open_invitation_from_the_panel(personas):
    contact = ContactFactory(account=personas.account)
    link, token = services.survey_link_for(actor=personas.kam, contact=contact)
    panel = client_for(personas.kam).get(reverse("accounts:panel", args=[personas.account.pk, "surveys"]))
    assert b"survey-open-links" in panel.content
    url = reverse("touchpoints:survey_revoke", args=[link.pk])
    assert client_for(personas.teammate).post(url).status_code == 403
    assert client_for(personas.outsider).post(url).status_code == 404
    assert client_for(personas.kam).post(url).status_code == 302
    assert selectors.survey_link_resolve(token) is None
