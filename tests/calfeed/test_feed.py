"""The calendar feed: each person's own dates, read through the pages' access rules, behind a secret
address that is stored hashed, revocable and rate-limited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from calfeed import sources
from calfeed.models import CalendarFeed
from calfeed.selectors import token_hash
from calfeed.services import calendar_feed_create, calendar_feed_revoke
from calfeed.views import FEED_LIMIT
from kam.errors import Forbidden
from tests.agreements.factories import FrameworkAgreementFactory
from tests.planning.factories import CommitmentFactory, PlanFactory, ReviewFactory

TODAY = datetime.date.today()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def data(personas):
    p = personas
    p.plan = PlanFactory(account=p.account, owner=p.kam, next_review_date=days(10))
    p.meeting = ReviewFactory(plan=p.plan, planned_on=days(20))
    p.commitment = CommitmentFactory(plan=p.plan, owner=p.kam, due_date=days(5), description="Enviar oferta")
    CommitmentFactory(plan=p.plan, owner=p.kam, due_date=days(6), status="done", description="Ya hecho")
    p.team_commitment = CommitmentFactory(plan=p.plan, owner=p.teammate, due_date=days(7),
                                          description="Revisar facturas")
    p.agreement = FrameworkAgreementFactory(account=p.account, status="active", renewal_date=days(120),
                                            notice_days=30, notice_date=days(90))
    # Another KAM's account: nobody here but its KAM and the lead may see any of it.
    p.other_plan = PlanFactory(account=p.other_account, owner=p.other_kam, next_review_date=days(11))
    p.other_agreement = FrameworkAgreementFactory(account=p.other_account, status="active",
                                                  renewal_date=days(150), notice_date=days(100))
    return p


def _feed(user):
    _feed, token = calendar_feed_create(actor=user, user=user)
    return token


def _get(token, client=None):
    from django.test import Client

    return (client or Client()).get(reverse("calfeed:feed", args=[token]))


def _uids(response):
    cal = Calendar.from_ical(response.content)
    return {str(ev["UID"]).split("@")[0]: ev for ev in cal.walk("VEVENT")}


def test_the_kams_feed(data):
    response = _get(_feed(data.kam))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _uids(response)
    assert set(events) == {f"plan-review-{data.plan.pk}", f"plan-review-meeting-{data.meeting.pk}",
                           f"commitment-{data.commitment.pk}", f"agreement-renewal-{data.agreement.pk}",
                           f"agreement-notice-{data.agreement.pk}"}
    due = events[f"commitment-{data.commitment.pk}"]
    # A whole day: a date, not a time, ending the next day.
    assert due.decoded("DTSTART") == days(5) and due.decoded("DTEND") == days(6)
    assert "Aceros del Norte" in str(due["SUMMARY"]) and str(due["DESCRIPTION"]) == "Enviar oferta"
    assert str(due["URL"]).endswith(reverse("planning:plan_detail", args=[data.plan.pk]))
    assert events[f"agreement-notice-{data.agreement.pk}"].decoded("DTSTART") == days(90)


def test_a_review_meeting_on_the_review_date_is_one_event(data):
    ReviewFactory(plan=data.plan, planned_on=days(10))
    uids = set(_uids(_get(_feed(data.kam))))
    assert f"plan-review-{data.plan.pk}" not in uids


def test_the_sponsors_feed_has_the_next_visit_due_per_account(data):
    events = _uids(_get(_feed(data.sponsor)))
    # Reads the agreement but may not edit it; owns no plan nor commitment.
    assert set(events) == {f"sponsor-visit-{data.account.pk}"}
    assert events[f"sponsor-visit-{data.account.pk}"].decoded("DTSTART") > TODAY - datetime.timedelta(days=1000)


def test_the_teammates_feed_has_their_commitment_only(data):
    assert set(_uids(_get(_feed(data.teammate)))) == {f"commitment-{data.team_commitment.pk}"}


def test_the_leads_feed_has_every_agreement_they_edit(data):
    assert set(_uids(_get(_feed(data.lead)))) == {
        f"agreement-{kind}-{a.pk}" for a in (data.agreement, data.other_agreement) for kind in ("renewal", "notice")}


def test_no_leak_of_accounts_the_person_may_not_see(data):
    # Even a plan owned by someone, and a commitment owned, stay out once the account is not theirs to see.
    PlanFactory(account=data.other_account, owner=data.kam, next_review_date=days(12),
                period_start=datetime.date(TODAY.year - 1, 1, 1))
    body = _get(_feed(data.kam)).content.decode()
    assert "Otra Cuenta" not in body
    assert "Otra Cuenta" not in _get(_feed(data.outsider)).content.decode()
    assert _uids(_get(_feed(data.outsider))) == {}


def test_uids_are_stable_across_fetches_and_dates(data):
    token = _feed(data.kam)
    first = set(_uids(_get(token)))
    data.plan.next_review_date = days(15)
    data.plan.save()
    assert set(_uids(_get(token))) == first


def test_the_token_is_stored_hashed_and_shown_once(data, login):
    client = login(data.kam)
    response = client.post(reverse("calfeed:settings"))
    assert response.status_code == 200
    url = response.context["new_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=data.kam, revoked_at__isnull=True)
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    assert not feed.history.filter(token_hash=token).exists()
    assert token not in client.get(reverse("calfeed:settings")).content.decode()
    assert _get(token).status_code == 200


def test_a_new_address_revokes_the_old(data):
    old = _feed(data.kam)
    new = _feed(data.kam)
    assert _get(old).status_code == 404 and _get(new).status_code == 200


def test_revoked_and_unknown_tokens_are_404(data, login):
    token = _feed(data.kam)
    login(data.kam).post(reverse("calfeed:revoke"))
    assert _get(token).status_code == 404
    assert _get("no-such-token").status_code == 404
    assert CalendarFeed.objects.get(user=data.kam).revoked_at is not None


def test_a_deactivated_person_s_feed_is_404(data):
    token = _feed(data.kam)
    data.kam.is_active = False
    data.kam.save()
    assert _get(token).status_code == 404


def test_only_the_owner_makes_or_revokes_their_address(data):
    with pytest.raises(Forbidden):
        calendar_feed_create(actor=data.lead, user=data.kam)
    feed, _token = calendar_feed_create(actor=data.kam, user=data.kam)
    with pytest.raises(Forbidden):
        calendar_feed_revoke(actor=data.lead, feed=feed)
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is None


def test_private_no_store(data):
    cache_control = _get(_feed(data.kam))["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_rate_limited_per_address(data):
    token = _feed(data.kam)
    for _ in range(FEED_LIMIT.limit):
        assert _get("wrong-guess").status_code == 404
    assert _get(token).status_code == 429


def test_titles_in_the_persons_language(data):
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("calfeed:feed", args=[_feed(data.kam)]))
    events = _uids(response)
    assert str(events[f"commitment-{data.commitment.pk}"]["SUMMARY"]).startswith("Compromiso")


def test_titles_follow_the_language_the_person_chose_over_the_calendar_applications(data):
    from django.test import Client

    from kam import services as kam_services

    kam_services.user_language_set(actor=data.kam, user=data.kam, language="es")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("calfeed:feed", args=[_feed(data.kam)]))
    assert str(_uids(response)[f"commitment-{data.commitment.pk}"]["SUMMARY"]).startswith("Compromiso")


def test_sources_are_a_list_of_functions():
    assert sources.SOURCES[:4] == [sources.plan_reviews, sources.commitments_due, sources.sponsor_visits,
                                   sources.agreement_dates]


def test_the_settings_page(data, login):
    client = login(data.kam)
    page = client.get(reverse("calfeed:settings")).content.decode()
    assert "calendar-feed-new" in page and "calendar-feed-revoke" not in page
    _feed(data.kam)
    page = client.get(reverse("calfeed:settings")).content.decode()
    assert "calendar-feed-revoke" in page


def test_old_dates_are_left_out(data):
    data.commitment.due_date = timezone.localdate() - datetime.timedelta(days=sources.PAST_DAYS + 1)
    data.commitment.save()
    assert f"commitment-{data.commitment.pk}" not in _uids(_get(_feed(data.kam)))


@pytest.mark.parametrize(("persona", "dashboard"), [("kam", "metrics:dashboard_kam"),
                                                     ("sponsor", "metrics:dashboard_sponsor")])
def test_the_dashboards_link_to_the_address_page(data, login, persona, dashboard):
    page = login(getattr(data, persona)).get(reverse(dashboard)).content.decode()
    assert f'href="{reverse("calfeed:settings")}"' in page


def test_the_follow_ups_source_has_the_persons_open_follow_ups(data):
    from tests.touchpoints.factories import TouchpointFactory

    def follow_up(account, owner, due, **kw):
        return TouchpointFactory(account=account, created_by=data.kam, follow_up=True, follow_up_note="Llamar",
                                 follow_up_owner=owner, follow_up_due=due, **kw)

    mine = follow_up(data.account, data.teammate, days(4))
    follow_up(data.account, data.teammate, days(6), follow_up_closed_at=timezone.now())  # done
    follow_up(data.account, data.kam, days(4))  # someone else's
    follow_up(data.other_account, data.teammate, days(4))  # an account they may not see
    assert sources.follow_ups in sources.SOURCES
    events = _uids(_get(_feed(data.teammate)))
    assert set(events) == {f"commitment-{data.team_commitment.pk}", f"follow-up-{mine.pk}"}
    event = events[f"follow-up-{mine.pk}"]
    assert event.decoded("DTSTART") == days(4) and str(event["DESCRIPTION"]) == "Llamar"
    assert "Aceros del Norte" in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(reverse("metrics:my_work"))
