"""Demo data for the roster: the four demo KAMs, each assessed twice by the programme lead and by
themself over the last months, a training plan with courses done, due soon and overdue, and targets
that leave the busiest KAM over capacity. Idempotent: a person already assessed is left alone, courses
are found by title, and the targets are set only while nobody has changed them."""

import datetime

from accounts import services as account_services
from accounts.models import Account, Tier
from kam.roles import KAM, LEAD

from . import selectors, services
from .models import AssessmentKind, Competence, Course, RosterSettings

ORDER = ("financial", "consultative", "planning", "interpersonal", "influence")

# username: ((lead before, lead now), (self before, self now), note of the lead's latest), scores in ORDER.
STORIES = {
    "ana.garcia": (((2, 3, 2, 4, 3), (3, 3, 4, 4, 3)), ((4, 3, 3, 4, 3), (4, 4, 4, 4, 4)),
                   "Gran relación con el cliente; el plan de cuenta ha mejorado mucho. Trabajar la lectura "
                   "financiera del cliente."),
    "javier.lopez": (((3, 2, 3, 3, 2), (3, 3, 3, 3, 3)), ((3, 3, 3, 3, 3), (3, 3, 3, 4, 3)),
                     "Avanza en venta consultiva. La influencia dentro de nuestra casa sigue siendo su reto."),
    "marta.sanchez": (((4, 4, 4, 3, 4), (4, 5, 4, 4, 4)), ((3, 3, 3, 3, 3), (3, 4, 3, 3, 3)),
                      "Se valora por debajo de lo que demuestra: nombrar sus fortalezas en la revisión."),
    "diego.fernandez": (((3, 3, 2, 3, 3), (3, 3, 2, 3, 3)), ((3, 4, 3, 4, 3), (3, 4, 3, 4, 4)),
                        "Lleva demasiadas cuentas para planificarlas bien: repartir carga antes de formar."),
}

# username: [(title, competence, provider, link, due in days from today, done days ago or None)]
COURSES: dict[str, list[tuple]] = {
    "ana.garcia": [
        ("Finanzas para no financieros", "financial", "Escuela de Negocios del Norte", "", -40, 45),
        ("Análisis de la cuenta de resultados del cliente", "financial", "Formación interna", "", 10, None),
    ],
    "javier.lopez": [
        ("Venta consultiva avanzada", "consultative", "Instituto de Ventas", "https://example.com/venta-consultiva",
         -60, 58),
        ("Influencia sin autoridad", "influence", "Escuela de Liderazgo", "", -5, None),
    ],
    "marta.sanchez": [
        ("Negociación colaborativa", "influence", "Escuela de Negocios del Norte", "", -90, 92),
        ("Mentoría de nuevos KAM", "interpersonal", "Formación interna", "", 45, None),
    ],
    "diego.fernandez": [
        ("Planificación de cuentas clave", "planning", "Formación interna", "", 30, None),
    ],
}


def seed(ctx) -> None:
    lead = next(iter(ctx.by_role(LEAD)), None)
    kams = {u.username: u for u in ctx.by_role(KAM)}
    if lead is None or not kams:
        return
    competences = {c.code: c for c in Competence.objects.filter(code__in=ORDER)}
    today = ctx.today
    assessed = 0
    for username, (lead_scores, self_scores, note) in STORIES.items():
        person = kams.get(username)
        if person is None or person.skill_assessments.exists():
            continue
        for back, lead_row, self_row in ((150, lead_scores[0], self_scores[0]), (20, lead_scores[1], self_scores[1])):
            day = today - datetime.timedelta(days=back)
            # The KAM assesses themself a few days before the lead's review, as the method's cycle has it.
            services.assessment_record(actor=person, person=person, kind=AssessmentKind.SELF,
                                       scores=_scores(competences, self_row),
                                       assessed_on=day - datetime.timedelta(days=3))
            services.assessment_record(actor=lead, person=person, kind=AssessmentKind.LEAD,
                                       scores=_scores(competences, lead_row), assessed_on=day,
                                       note=note if back == 20 else "")
        assessed += 1
    added = 0
    for username, courses in COURSES.items():
        person = kams.get(username)
        if person is None:
            continue
        for title, code, provider, link, due_in, done_ago in courses:
            if Course.objects.filter(person=person, title=title).exists():
                continue
            course = services.course_add(actor=lead, person=person, data={
                "title": title, "competence": competences.get(code), "provider": provider, "link": link,
                "due_date": today + datetime.timedelta(days=due_in)})
            if done_ago is not None:
                services.course_complete(actor=person, course=course, expected_version=course.version,
                                         completed_on=today - datetime.timedelta(days=done_ago))
            added += 1
    _targets(ctx, lead, list(kams.values()))
    ctx.log(f"  roster: {assessed} KAMs assessed, {added} courses")


def _scores(competences, row):
    return {competences[code].pk: score for code, score in zip(ORDER, row, strict=True) if code in competences}


def _targets(ctx, lead, people) -> None:
    """The targets, once, while they are still the defaults: the lead has just handed Diego one of
    Marta's key accounts (the demo's accounts are dealt round-robin, so everyone carried the same), which
    leaves him one key account over a target that everyone else meets."""
    settings = RosterSettings.current()
    if settings.version != 1:
        return
    by_name = {p.username: p for p in people}
    busy, giver = by_name.get("diego.fernandez"), by_name.get("marta.sanchez")
    if busy is not None and giver is not None:
        handed = Account.objects.active().filter(kam=giver, tier=Tier.KEY).order_by("name").first()
        if handed is not None:
            account_services.account_update(actor=lead, account=handed, expected_version=handed.version, kam=busy)
    loads = selectors.account_loads(people)
    key = sorted((k for k, _all in loads.values()), reverse=True)
    if not key or key[0] < 2:
        return
    most = max((n for _k, n in loads.values()), default=0)
    services.roster_settings_update(actor=lead, expected_version=settings.version, data={
        "max_key_accounts": key[1] if len(key) > 1 and key[1] < key[0] else key[0] - 1,
        "max_accounts": max(most + 5, settings.max_accounts)})
