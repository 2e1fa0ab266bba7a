"""The roster's pages: who sees whose development, what each page shows, the forms acting, Spanish."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from roster import services
from roster.models import Competence, Course, RosterSettings, SkillAssessment
from tests.conftest import client_for
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _scores(value):
    return {c.pk: value for c in Competence.objects.filter(active=True)}


def test_a_kam_sees_only_their_own_development(personas):
    mine = reverse("roster:person", args=[personas.kam.pk])
    theirs = reverse("roster:person", args=[personas.other_kam.pk])
    kam = client_for(personas.kam)
    assert kam.get(mine).status_code == 200
    assert kam.get(theirs).status_code == 404
    assert kam.get(reverse("roster:assess", args=[personas.other_kam.pk])).status_code == 404
    assert kam.get(reverse("roster:overview")).status_code == 403
    assert kam.get(reverse("roster:comparison")).status_code == 403
    for who in (personas.sponsor, personas.operator, personas.teammate):
        assert client_for(who).get(mine).status_code == 404
    # The lead sees everyone; a person outside the KAM role has no page, even for the lead.
    lead = client_for(personas.lead)
    assert lead.get(theirs).status_code == 200
    assert lead.get(reverse("roster:person", args=[personas.sponsor.pk])).status_code == 404


def test_a_kam_cannot_mark_another_kam_s_course_done(personas):
    course = Course.objects.create(person=personas.other_kam, title="Curso", due_date=timezone.localdate())
    response = client_for(personas.kam).post(reverse("roster:course_done", args=[course.pk]), {
        f"c{course.pk}-completed_on": timezone.localdate().isoformat(), f"c{course.pk}-version": course.version})
    assert response.status_code == 404
    assert Course.objects.get(pk=course.pk).status == "planned"


def test_the_profile_shows_lead_and_self_side_by_side(personas):
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(2))
    services.assessment_record(actor=personas.kam, person=personas.kam, kind="self", scores=_scores(4))
    html = client_for(personas.kam).get(reverse("roster:person", args=[personas.kam.pk])).content.decode()
    assert 'data-score="lead">2' in html and 'data-score="self">4' in html and 'data-score="gap">+2' in html
    assert "Record my self-assessment" in html and "Add a course" not in html


def test_self_assessment_through_the_form(personas):
    client = client_for(personas.kam)
    url = reverse("roster:assess", args=[personas.kam.pk])
    data = {f"score_{pk}": "3" for pk in _scores(3)}
    data.update(assessed_on=timezone.localdate().isoformat(), note="Me veo mejor en planificación")
    response = client.post(url, data)
    assert response.status_code == 302
    a = SkillAssessment.objects.get()
    assert (a.kind, a.person, a.scores.count()) == ("self", personas.kam, 5)
    # The same form from the lead records a lead assessment.
    assert client_for(personas.lead).post(url, data).status_code == 302
    assert SkillAssessment.objects.filter(kind="lead").count() == 1


def test_the_overview_shows_who_is_over_capacity(personas):
    RosterSettings.current()  # the row exists even after a browser test emptied the database
    RosterSettings.objects.update(max_key_accounts=1)
    AccountFactory(kam=personas.kam, tier="key", name="Segunda clave")
    html = client_for(personas.lead).get(reverse("roster:overview")).content.decode()
    assert 'data-capacity="over"' in html and "roster-over-capacity" in html


def test_course_added_and_marked_done_through_the_pages(personas):
    lead = client_for(personas.lead)
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = lead.post(reverse("roster:course_new", args=[personas.kam.pk]), {
        "title": "Negociación", "competence": Competence.objects.get(code="influence").pk, "provider": "",
        "link": "", "due_date": due.isoformat()})
    assert response.status_code == 302
    course = Course.objects.get()
    page = client_for(personas.kam).get(reverse("roster:person", args=[personas.kam.pk])).content.decode()
    assert "Negociación" in page and "due soon" in page
    response = client_for(personas.kam).post(reverse("roster:course_done", args=[course.pk]), {
        f"c{course.pk}-completed_on": timezone.localdate().isoformat(), f"c{course.pk}-version": course.version})
    assert response.status_code == 302
    assert Course.objects.get(pk=course.pk).status == "done"


def test_retire_and_add_competences_from_the_settings_page(personas):
    lead = client_for(personas.lead)
    influence = Competence.objects.get(code="influence")
    lead.post(reverse("roster:competence_active", args=[influence.pk]), {"active": "0", "version": influence.version})
    assert not Competence.objects.get(pk=influence.pk).active
    assert lead.post(reverse("roster:competence_new"), {"name": "Negociación"}).status_code == 302
    form = client_for(personas.kam).get(reverse("roster:assess", args=[personas.kam.pk])).content.decode()
    assert "Negociación" in form and "Influence" not in form


def test_the_comparison_is_framed_for_coaching(personas):
    html = client_for(personas.lead).get(reverse("roster:comparison")).content.decode()
    assert "not as a ranking" in html
    for word in ("worst", "best", "rank #"):
        assert word not in html.lower().replace("not as a ranking", "")


def test_dashboards_link_to_the_roster(personas):
    assert reverse("roster:overview") in client_for(personas.lead).get(
        reverse("metrics:dashboard_program")).content.decode()
    assert reverse("roster:person", args=[personas.kam.pk]) in client_for(personas.kam).get(
        reverse("metrics:dashboard_kam")).content.decode()


def test_pages_in_spanish(personas):
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(3))
    kam = client_for(personas.kam)
    html = kam.get(reverse("roster:person", args=[personas.kam.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Mi desarrollo" in html and "Financiera" in html
    lead = client_for(personas.lead)
    assert "Equipo de KAM" in lead.get(reverse("roster:overview"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
