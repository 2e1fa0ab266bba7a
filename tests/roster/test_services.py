"""The roster's writes, called directly: who may record what, and the rules each write keeps."""

import datetime

import pytest
from django.utils import timezone

from kam.errors import Conflict, Forbidden, Invalid
from kam.models import Notification
from roster import selectors, services
from roster.models import AssessmentKind, Competence, Course, CourseStatus, RosterSettings, SkillAssessment

pytestmark = pytest.mark.django_db


def _scores(value=3, **overrides):
    by_code = {c.code: c.pk for c in Competence.objects.filter(active=True)}
    out = {pk: value for pk in by_code.values()}
    out.update({by_code[code]: v for code, v in overrides.items()})
    return out


def _course(person, *, days=30, **extra):
    return Course.objects.create(person=person, title="Finanzas para no financieros",
                                 due_date=timezone.localdate() + datetime.timedelta(days=days), **extra)


def test_the_method_s_five_competences_are_there_from_the_migration(db):
    assert list(Competence.objects.filter(active=True).values_list("code", flat=True)) == [
        "financial", "consultative", "planning", "interpersonal", "influence"]


# --- Assessments ------------------------------------------------------------------------------------
def test_the_lead_assesses_a_kam_and_the_kam_is_told(personas):
    a = services.assessment_record(actor=personas.lead, person=personas.kam, kind=AssessmentKind.LEAD,
                                   scores=_scores(4), note="Sólido")
    assert a.scores.count() == 5 and {s.score for s in a.scores.all()} == {4}
    assert Notification.objects.filter(recipient=personas.kam, event_key=f"roster-assessment:{a.pk}").exists()


def test_a_kam_records_their_own_self_assessment(personas):
    a = services.assessment_record(actor=personas.kam, person=personas.kam, kind=AssessmentKind.SELF,
                                   scores=_scores(3))
    assert a.kind == "self" and a.assessed_by == personas.kam


def test_only_the_lead_records_a_lead_assessment(personas):
    for actor in (personas.kam, personas.other_kam, personas.sponsor, personas.operator):
        with pytest.raises(Forbidden):
            services.assessment_record(actor=actor, person=personas.kam, kind=AssessmentKind.LEAD,
                                       scores=_scores())
    assert not SkillAssessment.objects.exists()


def test_nobody_records_a_self_assessment_for_someone_else_not_even_the_lead(personas):
    for actor in (personas.lead, personas.other_kam, personas.sponsor):
        with pytest.raises(Forbidden):
            services.assessment_record(actor=actor, person=personas.kam, kind=AssessmentKind.SELF,
                                       scores=_scores())
    assert not SkillAssessment.objects.exists()


def test_only_people_in_the_kam_role_are_assessed(personas):
    with pytest.raises(Invalid):
        services.assessment_record(actor=personas.lead, person=personas.sponsor, kind=AssessmentKind.LEAD,
                                   scores=_scores())


def test_every_competence_in_use_is_scored_from_1_to_5(personas):
    scores = _scores()
    scores.pop(Competence.objects.get(code="influence").pk)
    with pytest.raises(Invalid) as missing:
        services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=scores)
    assert f"score_{Competence.objects.get(code='influence').pk}" in missing.value.errors
    with pytest.raises(Invalid):
        services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(6))
    with pytest.raises(Invalid):
        services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(0))
    with pytest.raises(Invalid):
        services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(),
                                   assessed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert not SkillAssessment.objects.exists()


def test_a_retired_competence_is_no_longer_asked_for_but_its_past_scores_stay(personas):
    influence = Competence.objects.get(code="influence")
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(2),
                               assessed_on=timezone.localdate() - datetime.timedelta(days=90))
    services.competence_set_active(actor=personas.lead, competence=influence, active=False,
                                   expected_version=influence.version)
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(3))
    rows = {r["competence"].code: r for r in selectors.skills_profile(personas.kam)["rows"]}
    assert rows["influence"]["lead"] is None and rows["influence"]["lead_before"] == 2
    assert rows["financial"]["lead"] == 3


def test_the_profile_shows_latest_scores_side_by_side_with_the_trend_and_the_gap(personas):
    old = timezone.localdate() - datetime.timedelta(days=120)
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead", scores=_scores(2),
                               assessed_on=old)
    services.assessment_record(actor=personas.kam, person=personas.kam, kind="self", scores=_scores(3),
                               assessed_on=old)
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead",
                               scores=_scores(3, financial=2, influence=4))
    services.assessment_record(actor=personas.kam, person=personas.kam, kind="self",
                               scores=_scores(4, financial=4, influence=3))
    rows = {r["competence"].code: r for r in selectors.skills_profile(personas.kam)["rows"]}
    assert (rows["financial"]["lead"], rows["financial"]["self"], rows["financial"]["gap"]) == (2, 4, 2)
    assert (rows["influence"]["lead"], rows["influence"]["self"], rows["influence"]["gap"]) == (4, 3, -1)
    assert rows["financial"]["lead_change"] == 0 and rows["influence"]["lead_change"] == 2
    assert rows["planning"]["self_change"] == 1


# --- Competences and targets ------------------------------------------------------------------------
def test_only_the_lead_adds_and_retires_competences(personas):
    with pytest.raises(Forbidden):
        services.competence_add(actor=personas.kam, name="Negociación")
    added = services.competence_add(actor=personas.lead, name="Negociación")
    assert added.active and added.code == "negociacion"
    with pytest.raises(Invalid):
        services.competence_add(actor=personas.lead, name="negociación")
    with pytest.raises(Forbidden):
        services.competence_set_active(actor=personas.kam, competence=added, active=False,
                                       expected_version=added.version)
    services.competence_set_active(actor=personas.lead, competence=added, active=False,
                                   expected_version=added.version)
    assert not Competence.objects.get(pk=added.pk).active
    with pytest.raises(Conflict):
        services.competence_set_active(actor=personas.lead, competence=added, active=True,
                                       expected_version=added.version)


def test_only_the_lead_sets_the_targets_and_a_stale_form_conflicts(personas):
    s = RosterSettings.current()
    with pytest.raises(Forbidden):
        services.roster_settings_update(actor=personas.kam, expected_version=s.version, data={"max_accounts": 3})
    services.roster_settings_update(actor=personas.lead, expected_version=s.version, data={"max_accounts": 3})
    assert RosterSettings.current().max_accounts == 3
    with pytest.raises(Conflict):
        services.roster_settings_update(actor=personas.lead, expected_version=s.version, data={"max_accounts": 4})
    with pytest.raises(Invalid):
        services.roster_settings_update(actor=personas.lead, expected_version=s.version + 1,
                                        data={"max_accounts": 0})


# --- Training -----------------------------------------------------------------------------------------
def test_only_the_lead_adds_courses_and_the_kam_is_told(personas):
    data = {"title": "Venta consultiva", "competence": Competence.objects.get(code="consultative"),
            "provider": "Escuela", "link": "https://example.com", "due_date": timezone.localdate()}
    for actor in (personas.kam, personas.other_kam, personas.sponsor):
        with pytest.raises(Forbidden):
            services.course_add(actor=actor, person=personas.kam, data=data)
    course = services.course_add(actor=personas.lead, person=personas.kam, data=data)
    assert course.status == CourseStatus.PLANNED and course.created_by == personas.lead
    assert Notification.objects.filter(recipient=personas.kam, event_key=f"roster-course:{course.pk}:added").exists()


def test_a_course_on_a_retired_competence_is_refused(personas):
    retired = Competence.objects.get(code="influence")
    Competence.objects.filter(pk=retired.pk).update(active=False)
    retired.refresh_from_db()
    with pytest.raises(Invalid):
        services.course_add(actor=personas.lead, person=personas.kam,
                            data={"title": "Influencia", "competence": retired, "due_date": timezone.localdate()})


def test_the_kam_marks_their_own_course_done_and_nobody_else_s(personas):
    mine, theirs = _course(personas.kam), _course(personas.other_kam)
    with pytest.raises(Forbidden):
        services.course_complete(actor=personas.kam, course=theirs, expected_version=theirs.version)
    with pytest.raises(Forbidden):
        services.course_complete(actor=personas.sponsor, course=mine, expected_version=mine.version)
    done = services.course_complete(actor=personas.kam, course=mine, expected_version=mine.version,
                                    completed_on=timezone.localdate() - datetime.timedelta(days=2))
    assert done.status == "done" and done.completed_on == timezone.localdate() - datetime.timedelta(days=2)
    with pytest.raises(Conflict):
        services.course_complete(actor=personas.kam, course=mine, expected_version=mine.version)
    with pytest.raises(Invalid):
        services.course_complete(actor=personas.lead, course=done, expected_version=done.version)


def test_a_course_is_not_completed_in_the_future(personas):
    course = _course(personas.kam)
    with pytest.raises(Invalid):
        services.course_complete(actor=personas.kam, course=course, expected_version=course.version,
                                 completed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert Course.objects.get(pk=course.pk).status == "planned"
