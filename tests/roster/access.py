"""A KAM's development is between them and the programme lead: the roster, the comparison and the
targets are the lead's; a person's page and their assessment form are the lead's and that KAM's, and
404 for everyone else (other KAMs included)."""

from tests.access import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Case, expect, may_post, only

PERSONAL = expect(NOT_FOUND, kam=OK, lead=OK)
UNSEEN = dict(teammate=NOT_FOUND, sponsor=NOT_FOUND, operator=NOT_FOUND, outsider=NOT_FOUND,
              other_kam=NOT_FOUND, ops_member=NOT_FOUND)


def build(world):
    import datetime

    from roster.models import Competence, Course

    world.course = Course.objects.create(person=world.kam, title="Finanzas para no financieros",
                                         competence=Competence.objects.get(code="financial"),
                                         due_date=datetime.date.today() + datetime.timedelta(days=30))
    world.competence = Competence.objects.get(code="influence")


def _person(w):
    return {"pk": w.kam.pk}


CASES = {
    "roster:overview": Case(only("lead")),
    "roster:comparison": Case(only("lead")),
    "roster:settings": Case(only("lead")),
    "roster:competence_new": Case(only("lead")),
    "roster:competence_active": Case(expect(FORBIDDEN, lead=NOT_ALLOWED), kwargs=lambda w: {"pk": w.competence.pk}),
    "roster:person": Case(PERSONAL, kwargs=_person),
    "roster:assess": Case(PERSONAL, kwargs=_person),
    "roster:course_new": Case(only("lead"), kwargs=_person),
    "roster:course_done": Case(expect(NOT_ALLOWED), kwargs=lambda w: {"pk": w.course.pk}),
}


# --- the write column -------------------------------------------------------------------------------
# roster/rules.py: the lead sets targets, competences and courses and assesses; a KAM assesses themself
# and marks their own courses done. Who may not see the person gets 404.
def _assessment(w):
    import datetime

    from roster.models import Competence

    scores = {f"score_{c.pk}": "3" for c in Competence.objects.filter(active=True)}
    return {**scores, "assessed_on": datetime.date.today().isoformat(), "note": "Buen trimestre"}


def _course(w):
    import datetime

    return {"title": "Negociación avanzada", "competence": w.competence.pk, "provider": "Escuela",
            "link": "https://example.com/curso", "due_date": (datetime.date.today()
                                                               + datetime.timedelta(days=60)).isoformat()}


def _course_done(w):
    import datetime

    from roster.models import Course

    course = Course.objects.get(pk=w.course.pk)
    return {f"c{course.pk}-completed_on": datetime.date.today().isoformat(), f"c{course.pk}-version": course.version}


def _settings(w):
    from roster.models import RosterSettings

    s = RosterSettings.current()
    return {"max_key_accounts": s.max_key_accounts + 1, "max_accounts": s.max_accounts,
            "reminder_days": s.reminder_days, "version": s.version}


def _competence_active(w):
    from roster.models import Competence

    return {"active": "0", "version": Competence.objects.get(pk=w.competence.pk).version}


WRITES = {
    "roster:settings": (_settings, may_post("lead")),
    "roster:competence_new": (lambda w: {"name": "Negociación"}, may_post("lead")),
    "roster:competence_active": (_competence_active, may_post("lead")),
    "roster:assess": (_assessment, may_post("kam", "lead", **UNSEEN)),
    "roster:course_new": (_course, may_post("lead")),
    "roster:course_done": (_course_done, may_post("kam", "lead", **UNSEEN)),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
