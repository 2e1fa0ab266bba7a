"""The roster's reads. Every function here costs a fixed number of queries whatever the number of KAMs,
assessments or courses."""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, Tier
from kam.roles import KAM, LEAD, has_role

from . import formulas
from .models import AssessmentKind, Competence, Course, CourseStatus, RosterSettings, SkillAssessment, SkillScore

User = get_user_model()


def kam_people() -> QuerySet:
    """Everyone in the KAM role, by name."""
    return (User.objects.filter(groups__name=KAM, is_active=True).distinct()
            .order_by("first_name", "last_name", "username"))


def programme_leads() -> QuerySet:
    return User.objects.filter(groups__name=LEAD, is_active=True).distinct()


def person_get_for_user(user, pk):
    """The KAM `pk`, for the programme lead or for that KAM; 404 for anyone else (other KAMs included),
    and for anyone who is not a KAM."""
    if not (has_role(user, LEAD) or (user.is_authenticated and str(user.pk) == str(pk) and has_role(user, KAM))):
        raise Http404
    person = kam_people().filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def course_get_for_user(user, pk) -> Course:
    """A course of a KAM's plan, for the programme lead or for that KAM; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    qs = Course.objects.select_related("person", "competence").filter(person__groups__name=KAM)
    if not has_role(user, LEAD):
        qs = qs.filter(person=user) if has_role(user, KAM) else qs.none()
    course = qs.filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def competences(*, include_retired: bool = False) -> QuerySet:
    qs = Competence.objects.order_by("order", "name", "pk")
    return qs if include_retired else qs.filter(active=True)


def competence_get(pk) -> Competence:
    competence = Competence.objects.filter(pk=pk).first()
    if competence is None:
        raise Http404
    return competence


# --- Capacity -------------------------------------------------------------------------------------
def account_loads(people) -> dict[int, tuple[int, int]]:
    """(key accounts, accounts) of each KAM among `people`, counting the accounts in use. One query."""
    rows = (Account.objects.active().filter(kam__in=[p.pk for p in people]).order_by().values("kam_id")
            .annotate(total=Count("pk"), key=Count("pk", filter=Q(tier=Tier.KEY))))
    return {r["kam_id"]: (r["key"], r["total"]) for r in rows}


def capacity_of(people, settings: RosterSettings | None = None) -> dict[int, dict[str, formulas.Load]]:
    settings = settings or RosterSettings.current()
    loads = account_loads(people)
    return {p.pk: formulas.capacity(*loads.get(p.pk, (0, 0)), max_key=settings.max_key_accounts,
                                    max_all=settings.max_accounts) for p in people}


# --- Assessments ----------------------------------------------------------------------------------
def _latest_two(assessments) -> dict[tuple[int, str], list[SkillAssessment]]:
    """The latest two assessments of each (person, kind), newest first (assessments arrive newest first)."""
    out: dict[tuple[int, str], list[SkillAssessment]] = defaultdict(list)
    for a in assessments:
        bucket = out[(a.person_id, a.kind)]
        if len(bucket) < 2:
            bucket.append(a)
    return out


def _scores_by_assessment(assessment_ids) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for s in SkillScore.objects.filter(assessment_id__in=list(assessment_ids)).values_list(
            "assessment_id", "competence_id", "score"):
        out[s[0]][s[1]] = s[2]
    return out


def skills_profile(person) -> dict:
    """The latest lead and self scores side by side on each competence, the change since the previous
    assessment of each kind, and the gap between self and lead. Four queries."""
    history = list(SkillAssessment.objects.filter(person=person).select_related("assessed_by")
                   .order_by("-assessed_on", "-pk"))
    latest = _latest_two(history)
    lead = latest.get((person.pk, AssessmentKind.LEAD), [])
    own = latest.get((person.pk, AssessmentKind.SELF), [])
    scores = _scores_by_assessment(a.pk for a in (*lead, *own))

    def score(assessments, index, competence_id):
        return scores[assessments[index].pk].get(competence_id) if len(assessments) > index else None

    shown = list(competences(include_retired=True))
    used = {c for s in scores.values() for c in s}
    rows = []
    for c in shown:
        if not c.active and c.pk not in used:
            continue
        row = {"competence": c,
               "lead": score(lead, 0, c.pk), "lead_before": score(lead, 1, c.pk),
               "self": score(own, 0, c.pk), "self_before": score(own, 1, c.pk)}
        row["lead_change"] = formulas.change(row["lead"], row["lead_before"])
        row["self_change"] = formulas.change(row["self"], row["self_before"])
        row["gap"] = formulas.gap(row["self"], row["lead"])
        rows.append(row)
    return {"rows": rows, "lead_latest": lead[0] if lead else None, "lead_previous": lead[1] if len(lead) > 1 else None,
            "self_latest": own[0] if own else None, "self_previous": own[1] if len(own) > 1 else None,
            "history": history}


# --- Training -------------------------------------------------------------------------------------
def course_flags(course: Course, today: datetime.date, reminder_days: int) -> Course:
    planned = course.status == CourseStatus.PLANNED
    course.overdue = planned and course.due_date < today  # type: ignore[attr-defined]
    course.due_soon = (planned and today <= course.due_date  # type: ignore[attr-defined]
                       <= today + datetime.timedelta(days=reminder_days))
    return course


def training_plan(person, settings: RosterSettings | None = None) -> list[Course]:
    settings = settings or RosterSettings.current()
    today = timezone.localdate()
    return [course_flags(c, today, settings.reminder_days)
            for c in person.courses.select_related("competence").order_by("status", "due_date", "pk")]


def courses_to_remind(today: datetime.date, reminder_days: int) -> QuerySet:
    """Planned courses of people in the KAM role due within `reminder_days` or already overdue."""
    horizon = today + datetime.timedelta(days=reminder_days)
    return (Course.objects.filter(status=CourseStatus.PLANNED, due_date__lte=horizon, person__is_active=True,
                                  person__groups__name=KAM)
            .select_related("person").distinct().order_by("due_date", "pk"))


# --- Pages ----------------------------------------------------------------------------------------
def person_page(person) -> dict:
    settings = RosterSettings.current()
    return {"person": person, "settings": settings, "profile": skills_profile(person),
            "courses": training_plan(person, settings), "capacity": capacity_of([person], settings)[person.pk]}


def roster_overview() -> dict:
    """Every KAM with their load against the targets, their latest assessments' averages and their
    training in progress. Six queries."""
    settings = RosterSettings.current()
    people = list(kam_people())
    capacity = capacity_of(people, settings)
    assessments = (SkillAssessment.objects.filter(person__in=people).order_by("-assessed_on", "-pk")
                   .only("pk", "person_id", "kind", "assessed_on"))
    latest = {key: found[0] for key, found in _latest_two(assessments).items()}
    means = dict(SkillScore.objects.filter(assessment_id__in=[a.pk for a in latest.values()]).order_by()
                 .values("assessment_id").annotate(m=Avg("score")).values_list("assessment_id", "m"))
    today = timezone.localdate()
    courses = {r["person_id"]: r for r in Course.objects.filter(person__in=people).order_by().values("person_id")
               .annotate(planned=Count("pk", filter=Q(status=CourseStatus.PLANNED)),
                         overdue=Count("pk", filter=Q(status=CourseStatus.PLANNED, due_date__lt=today)),
                         done=Count("pk", filter=Q(status=CourseStatus.DONE)))}
    rows = []
    for p in people:
        lead = latest.get((p.pk, AssessmentKind.LEAD))
        own = latest.get((p.pk, AssessmentKind.SELF))
        rows.append({"person": p, "capacity": capacity[p.pk],
                     "lead_mean": formulas.one_decimal(means.get(lead.pk)) if lead else None,
                     "self_mean": formulas.one_decimal(means.get(own.pk)) if own else None,
                     "lead_on": lead.assessed_on if lead else None, "self_on": own.assessed_on if own else None,
                     "courses": courses.get(p.pk, {"planned": 0, "overdue": 0, "done": 0})})
    return {"rows": rows, "settings": settings,
            "over_capacity": sum(1 for r in rows if any(load.state == "over" for load in r["capacity"].values()))}


def settings_page() -> dict:
    return {"competences": list(competences(include_retired=True))}
