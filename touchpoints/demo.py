"""Demo data of the touchpoints app: a year of touchpoints from every department, incidents of every
status (breached ones included), sponsor visits (some overdue) and client feedback. Follow-ups have an
owner and a due date (the older ones done); on the demo KAM's first key account people of finance,
operations and supply chain, the KAM and a sponsor each have follow-ups due or overdue, and a champion
nobody has spoken to for months is flagged. Each contact's last contact is its latest touchpoint.

Idempotent: if any touchpoint exists the app's data is considered seeded and nothing is added. Built
with bulk_create in batches so that the large set (200,000 touchpoints, 20,000 incidents) takes minutes.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Account, Activity, ActivityKind, Contact, Tier
from kam import departments as dept
from kam.demo import PEOPLE
from kam.models import ProgrammeSettings
from kam.roles import KAM, OPERATIONS

from . import sla
from .demo_feedback import noon, seed_feedback, seed_surveys
from .models import (
    Channel,
    ClientFeedback,
    IncidentCategory,
    IncidentStatus,
    ServiceIncident,
    Severity,
    SlaPolicy,
    Touchpoint,
    TouchpointKind,
)

BATCH = 5000
SIZES = {
    # touchpoints, incidents
    "small": (3000, 300),
    "large": (200_000, 20_000),
}
TIER_WEIGHT = {Tier.KEY: 12, Tier.DEVELOPMENT: 3, Tier.STANDARD: 1}

# department code -> (kind, channels, Spanish summaries)
BY_DEPARTMENT = {
    dept.SALES: (TouchpointKind.COMMERCIAL, ["in_person", "phone", "video", "email"], [
        "Revisión de precios del contrato marco", "Presentación de la nueva gama de productos",
        "Negociación del volumen anual", "Seguimiento de la oferta enviada", "Comida con el director de compras",
    ]),
    dept.OPERATIONS: (TouchpointKind.OPERATIONAL, ["site_visit", "phone", "email"], [
        "Coordinación de la parada de mantenimiento", "Revisión de plazos de entrega en planta",
        "Auditoría de proceso en las instalaciones del cliente", "Plan de capacidad para el próximo trimestre",
    ]),
    dept.SUPPLY_CHAIN: (TouchpointKind.OPERATIONAL, ["phone", "email", "video"], [
        "Previsión de demanda compartida", "Ajuste del stock de consigna", "Ruta de transporte alternativa",
        "Reunión de planificación S&OP con logística del cliente",
    ]),
    dept.CUSTOMER_SERVICE: (TouchpointKind.SERVICE, ["phone", "email", "message"], [
        "Consulta sobre estado de pedidos", "Reclamación de albarán resuelta", "Cambio de dirección de entrega",
        "Seguimiento de devolución",
    ]),
    dept.FINANCE: (TouchpointKind.OPERATIONAL, ["email", "phone"], [
        "Conciliación de facturas pendientes", "Acuerdo de condiciones de pago", "Revisión de límite de crédito",
    ]),
    dept.TECHNICAL: (TouchpointKind.SERVICE, ["site_visit", "video", "in_person"], [
        "Soporte técnico en la puesta en marcha", "Formación a operarios del cliente",
        "Análisis de fallo en línea de producción", "Prueba de nuevo material en planta",
    ]),
    dept.EXECUTIVE: (TouchpointKind.REVIEW, ["in_person", "video"], [
        "Revisión trimestral del plan de cuenta", "Cena con la dirección general del cliente",
        "Reunión de seguimiento estratégico",
    ]),
}
DEPARTMENT_WEIGHTS = {dept.SALES: 30, dept.OPERATIONS: 20, dept.SUPPLY_CHAIN: 12, dept.CUSTOMER_SERVICE: 18,
                      dept.FINANCE: 7, dept.TECHNICAL: 10, dept.EXECUTIVE: 3}
INCIDENT_TITLES = {
    IncidentCategory.DELIVERY: ["Entrega retrasada en planta", "Pedido incompleto", "Camión sin documentación"],
    IncidentCategory.QUALITY: ["Bobinas fuera de tolerancia", "Lote con defecto de acabado",
                               "Certificado de calidad erróneo"],
    IncidentCategory.BILLING: ["Factura duplicada", "Precio distinto del contrato", "Abono pendiente"],
    IncidentCategory.TECHNICAL: ["Fallo en el equipo suministrado", "Parámetros de proceso incorrectos"],
    IncidentCategory.SUPPORT: ["Sin respuesta del servicio de atención", "Portal de pedidos caído"],
}
STATUS_MIX = [(IncidentStatus.CLOSED, 55), (IncidentStatus.RESOLVED, 15), (IncidentStatus.IN_PROGRESS, 10),
              (IncidentStatus.ACKNOWLEDGED, 8), (IncidentStatus.OPEN, 12)]
BREACH_TEXT = {"ack": "No aceptada a tiempo", "resolve": "No resuelta a tiempo"}
QUALITY_MIX = [(5, 25), (4, 40), (3, 22), (2, 9), (1, 4)]
SEVERITY_MIX = [(Severity.LOW, 35), (Severity.MEDIUM, 35), (Severity.HIGH, 20), (Severity.CRITICAL, 10)]


def _weighted(rng, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def seed(ctx) -> None:
    if Touchpoint.objects.exists():
        ctx.log("  touchpoints: already seeded")
        return
    accounts = list(Account.objects.active().only("pk", "name", "tier", "kam_id", "sponsor_id", "created_at"))
    if not accounts:
        ctx.log("  touchpoints: no accounts to seed touchpoints on")
        return
    with transaction.atomic():
        _seed(ctx, accounts)


def spanish_labels() -> dict:
    """Choice labels resolved once, in Spanish like the rest of the demo data: resolving a lazy label per
    row (get_FOO_display) costs more than building the row itself at 200,000 rows."""
    with translation.override("es"):
        return {value: str(label)
                for choices in (TouchpointKind, Channel, Severity, IncidentCategory)
                for value, label in choices.choices}


def _seed(ctx, accounts):
    rng = ctx.rng
    labels = spanish_labels()
    now = timezone.now()
    n_touchpoints, n_incidents = SIZES["large" if ctx.large else "small"]
    departments = ctx.departments
    people_by_department = defaultdict(list)
    for username, _f, _l, _role, code in PEOPLE:
        people_by_department[code].append(ctx.users[username])
    operators = ctx.by_role(OPERATIONS)
    users = {u.pk: u for u in ctx.users.values()}
    default_kam = ctx.by_role(KAM)[0]
    contacts = defaultdict(list)
    for pk, account_id in Contact.objects.filter(left_at__isnull=True).values_list("pk", "account_id"):
        contacts[account_id].append(pk)
    weights = [TIER_WEIGHT.get(a.tier, 1) for a in accounts]
    story = _story_account(ctx, accounts)
    forgotten = _forgotten_champion(story) if story else None
    if forgotten is not None:
        # Nobody spoke to them lately: left out of the year's touchpoints, so the flag shows.
        contacts[story.pk] = [pk for pk in contacts[story.pk] if pk != forgotten.pk]

    # --- touchpoints (and their activity rows) ---------------------------------------------------
    dept_codes = [c for c in DEPARTMENT_WEIGHTS if c in departments]
    dept_weights = [DEPARTMENT_WEIGHTS[c] for c in dept_codes]
    picks = rng.choices(accounts, weights=weights, k=n_touchpoints)
    for start in range(0, n_touchpoints, BATCH):
        batch, people, contact_links = [], [], []
        for account in picks[start:start + BATCH]:
            code = rng.choices(dept_codes, weights=dept_weights, k=1)[0]
            kind, channels, summaries = BY_DEPARTMENT[code]
            if code == dept.SALES and rng.random() < 0.15:
                kind = TouchpointKind.SOCIAL
            kam = users.get(account.kam_id) or default_kam
            staff = people_by_department.get(code) or [kam]
            author = kam if code == dept.SALES else rng.choice(staff)
            when = now - datetime.timedelta(minutes=rng.randint(30, 365 * 24 * 60))
            # Drawn in the order the rows always were, so the demo stays the same data set.
            channel, summary, quality = rng.choice(channels), rng.choice(summaries), _weighted(rng, QUALITY_MIX)
            follow = rng.random() < 0.2
            batch.append(Touchpoint(
                account_id=account.pk, occurred_at=when, department=departments[code], channel=channel,
                kind=kind, summary=summary, quality=quality,
                follow_up=follow,
                follow_up_note="Enviar resumen y próximos pasos" if follow else "",
                cost=Decimal(rng.choice([0, 0, 0, 25, 60, 150, 400])),
                created_by=author,
                **(_random_follow_up(author, when, now) if follow else {}),
            ))
        Touchpoint.objects.bulk_create(batch, batch_size=BATCH)
        activities = []
        for tp in batch:
            people.append(Touchpoint.our_people.through(touchpoint_id=tp.pk, user_id=tp.created_by_id))
            account_contacts = contacts.get(tp.account_id)
            if account_contacts and rng.random() < 0.6:
                contact_links.append(Touchpoint.contacts.through(touchpoint_id=tp.pk,
                                                                 contact_id=rng.choice(account_contacts)))
            activities.append(Activity(
                account_id=tp.account_id, occurred_at=tp.occurred_at, kind=ActivityKind.TOUCHPOINT, subkind=tp.kind,
                actor=tp.created_by, department=tp.department,
                summary=f"{labels[tp.kind]} ({labels[tp.channel]}): {tp.summary}"[:300],
            ))
        Touchpoint.our_people.through.objects.bulk_create(people, batch_size=BATCH)
        Touchpoint.contacts.through.objects.bulk_create(contact_links, batch_size=BATCH)
        Activity.objects.bulk_create(activities, batch_size=BATCH)

    _contacts_touched()
    if story is not None:
        _seed_follow_up_story(ctx, story, forgotten, labels, now)
    _seed_sponsor_visits(ctx, accounts, now)
    _seed_incidents(ctx, accounts, weights, n_incidents, operators, contacts, now)
    seed_feedback(ctx, accounts, contacts, now)
    seed_surveys(ctx, now)
    _seed_service_stories(accounts, operators, now)
    ctx.log(f"  touchpoints: {Touchpoint.objects.count()} touchpoints, {ServiceIncident.objects.count()} "
            f"incidents, {ClientFeedback.objects.count()} feedback scores")


def _random_follow_up(author, when, now) -> dict:
    """A week to follow up; what fell due more than a few days ago was done on its day."""
    due = timezone.localtime(when).date() + datetime.timedelta(days=7)
    done = due < timezone.localtime(now).date() - datetime.timedelta(days=3)
    return {"follow_up_owner": author, "follow_up_due": due,
            "follow_up_closed_at": noon(due) if done else None, "follow_up_closed_by": author if done else None}


def _story_account(ctx, accounts):
    """The demo KAM's first key account with the finance person on its team (so they see it)."""
    from accounts.models import AccountTeamMember

    kam, finance = ctx.users.get("ana.garcia"), ctx.users.get("pablo.gil")
    if kam is None or finance is None:
        return None
    served = set(AccountTeamMember.objects.filter(user=finance).values_list("account_id", flat=True))
    mine = sorted((a for a in accounts if a.kam_id == kam.pk and a.tier == Tier.KEY and a.pk in served),
                  key=lambda a: a.name)
    return mine[0] if mine else None


def _forgotten_champion(account):
    from accounts.models import Attitude, DecisionRole

    people = Contact.objects.filter(account=account, left_at__isnull=True).order_by("pk")
    return (people.filter(attitude=Attitude.CHAMPION).first()
            or people.filter(decision_role=DecisionRole.DECISION_MAKER).first())


def _contacts_touched():
    """Each contact's last contact is the day of their latest touchpoint when that is later, as the
    touchpoint service keeps it (the bulk rows above bypass it)."""
    from django.db.models import DateField, OuterRef, Subquery
    from django.db.models.functions import Cast, Coalesce, Greatest

    latest = (Touchpoint.contacts.through.objects.filter(contact_id=OuterRef("pk"))
              .order_by("-touchpoint__occurred_at").values("touchpoint__occurred_at")[:1])
    Contact.objects.filter(touchpoints__isnull=False).distinct().update(last_contact_date=Greatest(
        Coalesce("last_contact_date", Cast(Subquery(latest), DateField())),
        Cast(Subquery(latest), DateField())))


# (owner, department, days from today to the due date, what to follow up)
FOLLOW_UP_STORY = [
    ("pablo.gil", dept.FINANCE, -3, "Enviar el extracto de facturas pendientes al director financiero"),
    ("pablo.gil", dept.FINANCE, 4, "Preparar la nota de abono del pedido devuelto"),
    ("carlos.navarro", dept.OPERATIONS, -1, "Confirmar la nueva ventana de entrega en planta"),
    ("luis.romero", dept.SUPPLY_CHAIN, 2, "Revisar el stock de seguridad acordado con logística"),
    ("ana.garcia", dept.SALES, 1, "Enviar la propuesta de ampliación del contrato marco"),
    ("elena.ruiz", dept.EXECUTIVE, 5, "Llamar al director general para cerrar la visita"),
]


def _seed_follow_up_story(ctx, account, forgotten, labels, now):
    """The account review meeting where the KAM handed out what each department follows up."""
    kam = ctx.users["ana.garcia"]
    today = timezone.localtime(now).date()
    when = now - datetime.timedelta(days=6)
    for owner, code, days, note in FOLLOW_UP_STORY:
        if owner not in ctx.users or code not in ctx.departments:
            continue
        tp = Touchpoint.objects.create(
            account_id=account.pk, occurred_at=when, department=ctx.departments[code], channel=Channel.IN_PERSON,
            kind=TouchpointKind.REVIEW, summary="Reunión de revisión de cuenta con el comité del cliente",
            quality=4, follow_up=True, follow_up_note=note, follow_up_owner=ctx.users[owner],
            follow_up_due=today + datetime.timedelta(days=days), created_by=kam)
        tp.our_people.set({kam, ctx.users[owner]})
        Activity.objects.create(account_id=account.pk, occurred_at=when, kind=ActivityKind.TOUCHPOINT,
                                subkind=tp.kind, actor=kam, department=tp.department,
                                summary=f"{labels[tp.kind]} ({labels[tp.channel]}): {tp.summary}"[:300])
    if forgotten is not None:
        Contact.objects.filter(pk=forgotten.pk).update(last_contact_date=today - datetime.timedelta(days=150))


def _seed_sponsor_visits(ctx, accounts, now):
    """Key accounts with a sponsor: visits every 60-100 days; about a third of the sponsors have let the
    last one slip past the cadence (those show as overdue)."""
    rng = ctx.rng
    labels = spanish_labels()
    executive = ctx.departments[dept.EXECUTIVE]
    users = {u.pk: u for u in ctx.users.values()}
    visits, activities = [], []
    for account in accounts:
        if account.tier != Tier.KEY or not account.sponsor_id or account.sponsor_id not in users:
            continue
        sponsor = users[account.sponsor_id]
        gap = rng.randint(100, 160) if rng.random() < 0.33 else rng.randint(5, 70)
        when = now - datetime.timedelta(days=gap, hours=rng.randint(0, 8))
        while when > now - datetime.timedelta(days=365):
            visits.append(Touchpoint(
                account_id=account.pk, occurred_at=when, department=executive, channel="in_person",
                kind=TouchpointKind.EXECUTIVE_VISIT,
                summary="Visita del patrocinador ejecutivo a la dirección del cliente",
                quality=rng.choice([4, 4, 5, 3]), created_by=sponsor,
            ))
            when -= datetime.timedelta(days=rng.randint(60, 100))
    Touchpoint.objects.bulk_create(visits, batch_size=BATCH)
    people = []
    for tp in visits:
        people.append(Touchpoint.our_people.through(touchpoint_id=tp.pk, user_id=tp.created_by_id))
        activities.append(Activity(
            account_id=tp.account_id, occurred_at=tp.occurred_at, kind=ActivityKind.SPONSOR_VISIT,
            subkind=tp.kind, actor=tp.created_by, department=executive,
            summary=f"{labels[tp.kind]} ({labels[tp.channel]}): {tp.summary}"[:300],
        ))
    Touchpoint.our_people.through.objects.bulk_create(people, batch_size=BATCH)
    Activity.objects.bulk_create(activities, batch_size=BATCH)


def _seed_incidents(ctx, accounts, weights, n, operators, contacts, now):
    """Incidents over the year. Finished ones are mostly on time, some late (breach stamped as the job
    would have); the active ones include overdue ones already escalated."""
    rng = ctx.rng
    labels = spanish_labels()
    policies = {(p.tier, p.severity): p for p in SlaPolicy.objects.all()}
    departments = ctx.departments
    picks = rng.choices(accounts, weights=weights, k=n)
    for start in range(0, n, BATCH):
        batch = []
        for account in picks[start:start + BATCH]:
            severity = _weighted(rng, SEVERITY_MIX)
            status = _weighted(rng, STATUS_MIX)
            category = rng.choice(list(IncidentCategory))
            policy = policies.get((account.tier, severity))
            ack_h, res_h = (policy.ack_hours, policy.resolve_hours) if policy else (24, 120)
            if status in (IncidentStatus.CLOSED, IncidentStatus.RESOLVED):
                opened = now - datetime.timedelta(hours=rng.randint(res_h * 2, 365 * 24))
            else:
                # Active ones are recent: a share already past their acknowledge or resolve deadline.
                opened = now - datetime.timedelta(minutes=rng.randint(10, int(res_h * 60 * 1.4)))
            ack_due, resolve_due = sla.deadlines(opened, ack_h, res_h)
            late = rng.random() < 0.15
            incident = ServiceIncident(
                account_id=account.pk, opened_at=opened, severity=severity, category=category, status=status,
                title=rng.choice(INCIDENT_TITLES[category]),
                description="Registrada por operaciones tras la llamada del cliente.",
                opened_by=rng.choice(operators) if operators else None,
                contact_id=rng.choice(contacts[account.pk]) if contacts.get(account.pk) else None,
                ack_due_at=ack_due, resolve_due_at=resolve_due,
            )
            _advance(incident, status, late, ack_h, res_h, now, rng)
            batch.append(incident)
        ServiceIncident.objects.bulk_create(batch, batch_size=BATCH)
        activities = []
        for incident in batch:
            activities.append(Activity(
                account_id=incident.account_id, occurred_at=incident.opened_at, kind=ActivityKind.INCIDENT_OPENED,
                subkind=incident.severity, actor=incident.opened_by, department=departments.get(dept.OPERATIONS),
                summary=f"{labels[incident.severity]} · {labels[incident.category]}: {incident.title}",
                link=f"/incidents/{incident.pk}/",
            ))
            for which, stamp in (("ack", incident.ack_breached_at), ("resolve", incident.resolve_breached_at)):
                if stamp:
                    activities.append(Activity(
                        account_id=incident.account_id, occurred_at=stamp, kind=ActivityKind.INCIDENT_BREACHED,
                        subkind=which, summary=f"#{incident.pk} {BREACH_TEXT[which]}: {incident.title}"[:300],
                        link=f"/incidents/{incident.pk}/",
                    ))
        Activity.objects.bulk_create(activities, batch_size=BATCH)


def _advance(incident, status, late, ack_h, res_h, now, rng):
    """Fill the timestamps of `status`, on time or (when `late`) after the deadline."""
    opened = incident.opened_at
    order = [IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS, IncidentStatus.RESOLVED, IncidentStatus.CLOSED]
    reached = order[: order.index(status) + 1] if status in order else []
    ack_at = opened + datetime.timedelta(hours=ack_h * (rng.uniform(1.1, 2.5) if late else rng.uniform(0.1, 0.9)))
    res_at = opened + datetime.timedelta(hours=res_h * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.3, 0.95)))
    if IncidentStatus.ACKNOWLEDGED in reached:
        incident.acknowledged_at = min(ack_at, now)
    if IncidentStatus.IN_PROGRESS in reached:
        incident.in_progress_at = min(ack_at + datetime.timedelta(minutes=rng.randint(5, 90)), now)
    if IncidentStatus.RESOLVED in reached:
        incident.resolved_at = min(max(res_at, incident.in_progress_at), now)
        incident.resolution = "Material repuesto y causa raíz corregida; cliente informado."
        incident.cost = Decimal(rng.choice([0, 150, 400, 1200, 3500]))
    if IncidentStatus.CLOSED in reached:
        incident.closed_at = min(incident.resolved_at + datetime.timedelta(days=rng.randint(1, 5)), now)
    if incident.acknowledged_at and incident.acknowledged_at > incident.ack_due_at:
        incident.ack_breached_at = incident.acknowledged_at
    elif not incident.acknowledged_at and now > incident.ack_due_at:
        incident.ack_breached_at = incident.ack_due_at + datetime.timedelta(minutes=5)
    if incident.resolved_at and incident.resolved_at > incident.resolve_due_at:
        incident.resolve_breached_at = incident.resolved_at
    elif not incident.resolved_at and now > incident.resolve_due_at:
        incident.resolve_breached_at = incident.resolve_due_at + datetime.timedelta(minutes=5)


# Spain's national holidays (fixed dates): the business-hours SLA clocks stand still on them.
NATIONAL_HOLIDAYS = ("01-01", "01-06", "05-01", "08-15", "10-12", "11-01", "12-06", "12-08", "12-25")


def _seed_service_stories(accounts, operators, now):
    """The five-star service story on the biggest key account: a critical incident at the top of the
    queue, taken by an operations person; one waiting on the client (its clocks paused); a critical one
    closed with its root cause and corrective action; one still unresolved hours after its breach and
    escalated to the operations manager. Low and medium incidents count in business hours (critical
    and high stay around the clock), with the national holidays in the calendar."""
    key = [a for a in accounts if a.tier == Tier.KEY and a.sponsor_id]
    if not key or not operators:
        return
    account, worker, manager = key[0], operators[0], operators[-1]
    programme = ProgrammeSettings.current()
    if programme.operations_manager_id is None:
        years = (now.year, now.year + 1)
        ProgrammeSettings.objects.filter(pk=programme.pk).update(
            operations_manager=manager, manager_escalation_hours=4,
            holidays=[f"{y}-{d}" for y in years for d in NATIONAL_HOLIDAYS])
    SlaPolicy.objects.filter(severity__in=(Severity.LOW, Severity.MEDIUM)).update(clock="business")
    hour = datetime.timedelta(hours=1)
    common = {"account_id": account.pk, "opened_by": worker, "category": IncidentCategory.DELIVERY}
    stories = [
        ServiceIncident(**common, severity=Severity.CRITICAL, title="Parada de línea por falta de bobinas",
                        description="La planta del cliente está parada a la espera del material.",
                        opened_at=now - 0.25 * hour, ack_due_at=now + 0.75 * hour, resolve_due_at=now + 7.75 * hour,
                        assignee=worker),
        ServiceIncident(**common, severity=Severity.HIGH, title="Etiquetas ilegibles en el último envío",
                        status=IncidentStatus.ACKNOWLEDGED, opened_at=now - 5 * hour,
                        acknowledged_at=now - 4 * hour, waiting_since=now - 2 * hour,
                        description="Pedimos al cliente fotos de los palés afectados.",
                        ack_due_at=now - 3 * hour, resolve_due_at=now + 19 * hour, assignee=worker),
        ServiceIncident(**common, severity=Severity.CRITICAL, title="Envío a una planta equivocada",
                        status=IncidentStatus.CLOSED, opened_at=now - 240 * hour, acknowledged_at=now - 239.5 * hour,
                        in_progress_at=now - 239 * hour, resolved_at=now - 234 * hour, closed_at=now - 200 * hour,
                        ack_due_at=now - 239 * hour, resolve_due_at=now - 232 * hour, assignee=worker,
                        resolution="Material reenviado en transporte urgente; llegó antes del turno de noche.",
                        root_cause="La dirección de entrega por defecto del cliente no se actualizó tras su "
                                   "traslado de almacén.",
                        corrective_action="Revisión trimestral de direcciones de entrega con el cliente y "
                                          "bloqueo de direcciones antiguas en el ERP.",
                        cost=Decimal("1850")),
        ServiceIncident(**common, severity=Severity.CRITICAL, title="Lote rechazado en la recepción del cliente",
                        status=IncidentStatus.IN_PROGRESS, opened_at=now - 18 * hour, acknowledged_at=now - 17.5 * hour,
                        in_progress_at=now - 17 * hour, ack_due_at=now - 17 * hour, resolve_due_at=now - 10 * hour,
                        resolve_breached_at=now - 10 * hour + datetime.timedelta(minutes=5),
                        manager_escalated_at=now - 6 * hour + datetime.timedelta(minutes=5)),
    ]
    ServiceIncident.objects.bulk_create(stories)
    Activity.objects.bulk_create([
        Activity(account_id=account.pk, occurred_at=i.opened_at, kind=ActivityKind.INCIDENT_OPENED,
                 subkind=i.severity, actor=worker, summary=f"{i.title}"[:300], link=f"/incidents/{i.pk}/")
        for i in stories
    ])
