"""The roster's writes. Only the programme lead records lead assessments, adds courses and competences
and sets the targets; a KAM records their own self-assessment and marks their own courses done."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam import versioning
from kam.errors import Forbidden, Invalid, clean
from kam.people import person_label
from kam.roles import KAM, has_role
from kam.services import notification_send
from kam.validators import require_not_in_future

from . import messages as msg
from . import selectors
from .models import (
    SCORE_MAX,
    SCORE_MIN,
    AssessmentKind,
    Competence,
    Course,
    CourseStatus,
    RosterSettings,
    SkillAssessment,
    SkillScore,
)

REFUSED = {
    "roster.manage": gettext_lazy("Only the programme lead manages the roster: assessments, courses, "
                                  "competences and targets."),
    "roster.self_assess": gettext_lazy("Only the person themself records their self-assessment."),
    "roster.complete_course": gettext_lazy("Only the person on the course or the programme lead marks it done."),
}

SETTINGS_FIELDS = ("max_key_accounts", "max_accounts", "reminder_days")


def _require(actor, perm: str, obj=None) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm, obj):
        raise Forbidden(str(REFUSED[perm]))


def _require_kam(person) -> None:
    if person is None or not person.is_active or not has_role(person, KAM):
        raise Invalid(_("Only people in the KAM role have a roster profile."))


def _profile_link(person) -> str:
    return reverse("roster:person", args=[person.pk])


# --- Assessments ----------------------------------------------------------------------------------
@transaction.atomic
def assessment_record(*, actor, person, kind: str, scores: Mapping[int, int | str | None],
                      assessed_on: datetime.date | None = None, note: str = "") -> SkillAssessment:
    """A dated set of scores (SCORE_MIN–SCORE_MAX) on every competence in use. `kind` "lead" is the
    programme lead's; "self" is the person's own, recorded by them alone (the lead's superuser rights
    do not make them the person)."""
    if kind == AssessmentKind.SELF:
        _require(actor, "roster.self_assess", person)
        if actor.pk != person.pk:
            raise Forbidden(str(REFUSED["roster.self_assess"]))
    elif kind == AssessmentKind.LEAD:
        _require(actor, "roster.manage")
        if actor.pk == person.pk:
            raise Forbidden(_("The programme lead does not assess themself as a lead."))
    else:
        raise Invalid(errors={"kind": [_("Unknown kind of assessment.")]})
    _require_kam(person)
    assessed_on = assessed_on or timezone.localdate()
    require_not_in_future("assessed_on", assessed_on)
    in_use = {c.pk: c for c in selectors.competences()}
    errors: dict[str | None, list[str]] = {}
    given: dict[int, int] = {}
    for k, v in scores.items():
        if v in (None, ""):
            continue
        try:
            given[int(k)] = int(v)  # type: ignore[arg-type]  # None was skipped above
        except (TypeError, ValueError):
            errors[f"score_{k}"] = [_("A score goes from %(low)d to %(high)d.") % {"low": SCORE_MIN,
                                                                                   "high": SCORE_MAX}]
    for pk, c in in_use.items():
        value = given.get(pk)
        if value is None:
            errors[f"score_{pk}"] = [_("Score %(competence)s.") % {"competence": c}]
        elif not SCORE_MIN <= int(value) <= SCORE_MAX:
            errors[f"score_{pk}"] = [_("A score goes from %(low)d to %(high)d.") % {"low": SCORE_MIN,
                                                                                      "high": SCORE_MAX}]
    if set(given) - set(in_use):
        errors[None] = [_("Some of the competences scored are not in use.")]
    if errors:
        raise Invalid(errors=errors)
    assessment = SkillAssessment(person=person, kind=kind, assessed_on=assessed_on, note=note.strip(),
                                 assessed_by=actor)
    clean(assessment, exclude=["assessed_by"])
    assessment.save()
    SkillScore.objects.bulk_create(SkillScore(assessment=assessment, competence_id=pk, score=int(given[pk]))
                                   for pk in in_use)
    if kind == AssessmentKind.LEAD:
        notification_send(recipients=[person], event_key=f"roster-assessment:{assessment.pk}",
                          message=msg.NOTICE_ASSESSED, link=_profile_link(person))
    return assessment


# --- Training -------------------------------------------------------------------------------------
@transaction.atomic
def course_add(*, actor, person, data: Mapping) -> Course:
    """A course in the person's training plan: title, competence, provider, link and due date."""
    _require(actor, "roster.manage")
    _require_kam(person)
    competence = data.get("competence")
    if competence is not None and not competence.active:
        raise Invalid(errors={"competence": [_("This competence is retired.")]})
    course = Course(person=person, title=(data.get("title") or "").strip(), competence=competence,
                    provider=(data.get("provider") or "").strip(), link=data.get("link") or "",
                    due_date=data.get("due_date"), created_by=actor)  # type: ignore[misc]  # checked by clean()
    clean(course, exclude=["created_by"])
    course._history_user = actor
    course.save()
    notification_send(recipients=[person], event_key=f"roster-course:{course.pk}:added",
                      message=msg.NOTICE_COURSE_ADDED, params={"title": course.title, "date": course.due_date},
                      link=_profile_link(person))
    return course


@transaction.atomic
def course_complete(*, actor, course: Course, completed_on: datetime.date | None = None,
                    expected_version) -> Course:
    """Mark a planned course done, on the day it was completed (not in the future)."""
    _require(actor, "roster.complete_course", course)
    course = versioning.claim(Course.objects.all(), course.pk, expected_version, ("status", "completed_on"))
    if course.status == CourseStatus.DONE:
        raise Invalid(_("This course is already done."))
    completed_on = completed_on or timezone.localdate()
    require_not_in_future("completed_on", completed_on)
    course.status, course.completed_on = CourseStatus.DONE, completed_on
    versioning.bump(course)
    course._history_user = actor
    course.save()
    return course


def course_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind each KAM of planned courses due soon, and the KAM and the programme leads of overdue
    ones. The event key names the course, the kind of reminder and the due date, so each reminder goes
    out once, and again only if the due date moves. Returns the number of notifications created."""
    today = today or timezone.localdate()
    settings = RosterSettings.current()
    leads = list(selectors.programme_leads())
    sent = 0
    for course in selectors.courses_to_remind(today, settings.reminder_days).iterator(chunk_size=500):
        link = _profile_link(course.person)
        if course.due_date < today:
            sent += len(notification_send(
                recipients=[course.person, *leads], event_key=f"roster-course:{course.pk}:overdue:{course.due_date}",
                message=msg.NOTICE_COURSE_OVERDUE,
                params={"title": course.title, "person": person_label(course.person), "date": course.due_date},
                link=link))
        else:
            sent += len(notification_send(
                recipients=[course.person], event_key=f"roster-course:{course.pk}:due:{course.due_date}",
                message=msg.NOTICE_COURSE_DUE, params={"title": course.title, "date": course.due_date},
                link=link))
    return sent


# --- Competences and targets ----------------------------------------------------------------------
@transaction.atomic
def competence_add(*, actor, name: str) -> Competence:
    _require(actor, "roster.manage")
    name = name.strip()
    base = slugify(name)[:30] or "competence"
    code, n = base, 2
    while Competence.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    last = Competence.objects.order_by("-order").values_list("order", flat=True).first() or 0
    competence = Competence(code=code, name=name, order=last + 1)
    clean(competence)
    if Competence.objects.filter(name__iexact=name).exists():
        raise Invalid(errors={"name": [_("There is already a competence with this name.")]})
    competence._history_user = actor
    competence.save()
    return competence


@transaction.atomic
def competence_set_active(*, actor, competence: Competence, active: bool, expected_version) -> Competence:
    """Retire a competence (new assessments no longer ask for it; past scores stay) or bring it back."""
    _require(actor, "roster.manage")
    competence = versioning.claim(Competence.objects.all(), competence.pk, expected_version, ("name", "active"))
    if competence.active != active:
        competence.active = active
        versioning.bump(competence)
        competence._history_user = actor
        competence.save()
    return competence


@transaction.atomic
def roster_settings_update(*, actor, expected_version, data: Mapping) -> RosterSettings:
    _require(actor, "roster.manage")
    current = RosterSettings.current()
    row = versioning.claim(RosterSettings.objects.all(), current.pk, expected_version, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    clean(row)
    versioning.bump(row)
    row._history_user = actor
    row.save()
    return row
