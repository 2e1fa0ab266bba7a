"""Demo plans for the key accounts: agreed, committed, in review, draft and stale ones, with last
year's closed plan for some, commitments of both parties, sign-offs, reviews and value delivered.

Idempotent: accounts that already have a plan are left alone. Built with bulk inserts, so the large
set (100 key accounts, ~10 commitments and opportunities each) takes seconds.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Account, AccountTeamMember, Activity, ActivityKind, Contact, Tier
from kam.models import Department
from kam.people import person_label

from . import selectors, workflow
from .models import (
    AccountPlan,
    AgreedVersion,
    AgreementChannel,
    Commitment,
    CommitmentStatus,
    KnowledgeTask,
    Negotiation,
    NegotiationAgreement,
    NegotiationObjective,
    NegotiationVariable,
    Opportunity,
    Party,
    PeriodKind,
    PlanReview,
    PlanStatus,
    SignOff,
    ValueDelivered,
)

INDUSTRY_TEXT = {
    "oil_gas": ("Precio del crudo, paradas de refinería y normativa de emisiones.",
                "Dos refinerías y una red de 300 estaciones; mantenimiento muy reactivo."),
    "steel": ("Precio de la chatarra y de la energía, aranceles a la importación.",
              "Horno eléctrico al 85 % de capacidad; cuellos de botella en laminación."),
    "mining": ("Cotización del cobre, permisos ambientales y disponibilidad de agua.",
               "Tres explotaciones a cielo abierto; flota de camiones envejecida."),
    "retail": ("Consumo privado, inflación alimentaria y competencia online.",
               "450 tiendas y dos centros logísticos; roturas de stock en fines de semana."),
    "food": ("Precio de materias primas agrícolas y exigencias de trazabilidad.",
             "Cinco plantas de envasado; mermas elevadas en la línea de refrigerados."),
}
DEFAULT_TEXT = ("Ciclo económico, costes energéticos y regulación sectorial.",
                "Operaciones estables, con presión por reducir costes y plazos.")
OPPORTUNITIES = [
    ("Reducir paradas no planificadas", "Mantenimiento predictivo con sensores"),
    ("Bajar el consumo energético", "Auditoría y variadores de frecuencia"),
    ("Acortar plazos de entrega", "Stock en consigna en sus instalaciones"),
    ("Mejorar la trazabilidad", "Portal de pedidos integrado con su ERP"),
    ("Reducir mermas", "Rediseño de embalaje y formación"),
    ("Simplificar compras", "Contrato marco con catálogo cerrado"),
    ("Cumplir la normativa ambiental", "Servicio de gestión de residuos"),
    ("Formar a sus técnicos", "Academia técnica in situ"),
    ("Asegurar suministro crítico", "Doble fuente y stock de seguridad"),
    ("Digitalizar el servicio posventa", "Asistencia remota 24/7"),
]
OUR_COMMITMENTS = [
    ("sales", "Revisión trimestral de precios y condiciones"),
    ("operations", "Plazo de entrega de 48 h para repuestos críticos"),
    ("supply_chain", "Stock de seguridad de referencias A en su almacén"),
    ("customer_service", "Gestor de servicio dedicado y respuesta en 4 h"),
    ("finance", "Facturación consolidada mensual sin errores"),
    ("technical", "Dos visitas técnicas al mes a planta"),
    ("operations", "Informe mensual de nivel de servicio"),
]
CLIENT_COMMITMENTS = [
    "Previsión de consumo trimestral",
    "Acceso a planta para el piloto",
    "Homologar la nueva referencia antes de verano",
    "Participar en la revisión semestral del plan",
]
TASKS = ["Asistir a su curso de inducción", "Visitar la planta principal con su jefe de producción",
         "Entrevistar a su director de compras sobre sus prioridades", "Analizar su informe anual"]


def _signer(account, department, members, signers):
    """Who signs `department` off on the account's plan: its person on the team, else a named signer of
    the department; never the account's KAM (the plan's owner)."""
    member = next((m.user for m in members if m.department_id == department.pk and m.user_id != account.kam_id),
                  None)
    if member is not None:
        return member
    return next((u for u in signers.get(department.pk, ()) if u.pk != account.kam_id), None)


def _period(today):
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


def seed(ctx) -> None:
    from accounts.attachments import demo as attachments_demo

    from . import demo_client

    _seed_plans(ctx)
    demo_client.seed(ctx)
    # Files on an account and its plan: seeded once the plans exist.
    attachments_demo.seed(ctx, plan_of=lambda account: account.plans.order_by("-period_start").first())


def _seed_plans(ctx) -> None:
    accounts = list(Account.objects.filter(tier=Tier.KEY, archived_at__isnull=True, plans__isnull=True)
                    .select_related("kam", "sponsor").order_by("pk"))
    if not accounts:
        ctx.log("  planning: plans already there")
        return
    with transaction.atomic():
        n = _seed(ctx, accounts)
    ctx.log(f"  planning: {n} plans for {len(accounts)} key accounts")


def _seed(ctx, accounts) -> int:
    r, today, now = ctx.rng, ctx.today, timezone.now()
    lead = ctx.users.get("lucia.martin")
    start, end = _period(today)
    settings_review_days = 90
    team: dict[int, list[AccountTeamMember]] = {}
    for m in AccountTeamMember.objects.filter(account__in=accounts).select_related("department", "user"):
        team.setdefault(m.account_id, []).append(m)
    contacts: dict[int, list[Contact]] = {}
    for c in Contact.objects.filter(account__in=accounts, left_at__isnull=True).order_by("pk"):
        contacts.setdefault(c.account_id, []).append(c)
    n_opps = 10 if ctx.large else 4
    n_commit = 10 if ctx.large else 5

    plans, previous = [], []
    statuses = [PlanStatus.AGREED, PlanStatus.COMMITTED, PlanStatus.IN_REVIEW, PlanStatus.DRAFT,
                PlanStatus.AGREED]
    # The method's order, on every plan: submitted, then our sign-offs, then committed, then the client
    # agrees. `milestones` keeps each plan's dates for its sign-offs and events below.
    milestones: dict[int, tuple[datetime.datetime, datetime.datetime, bool]] = {}
    for i, a in enumerate(accounts):
        status = statuses[i % len(statuses)]
        # Every tenth plan was agreed, then one of our commitments was added: back in review, awaiting
        # that department's sign-off and then the client's agreement again.
        reopened = i % 10 == 9
        industry_text = INDUSTRY_TEXT.get(a.industry, DEFAULT_TEXT)
        stale = i % 6 == 3
        edited = now - datetime.timedelta(days=r.randint(95, 160) if stale else r.randint(0, 20))
        submitted = edited - datetime.timedelta(days=r.randint(30, 60))
        committed = submitted + datetime.timedelta(days=12)
        agreed_on = committed + datetime.timedelta(days=r.randint(3, 15))
        milestones[a.pk] = (submitted, committed, reopened)
        if reopened:
            status = PlanStatus.IN_REVIEW
        agreed = status == PlanStatus.AGREED or reopened
        who = contacts[a.pk][0] if contacts.get(a.pk) else None
        plans.append(AccountPlan(
            account=a, period_kind=PeriodKind.YEAR, period_start=start, period_end=end, status=status,
            owner=a.kam, summary=f"Consolidar a {a.name} como socio estratégico: {OPPORTUNITIES[i % 10][0].lower()}.",
            industry_variables=industry_text[0], operations_state=industry_text[1],
            competitive_advantages="Marca reconocida y red de distribución propia.",
            business_problems="Presión en márgenes y rotación de personal técnico." if i % 4 else "",
            value_chain="Vende a distribuidores y a grandes clientes industriales." if i % 3 else "",
            vision_statement=(f"Ayudar a {a.name} a {OPPORTUNITIES[(i + 1) % 10][0].lower()} con nuestras "
                              "soluciones, medido en ahorro anual." if status != PlanStatus.DRAFT or i % 2 else ""),
            next_review_date=today - datetime.timedelta(days=r.randint(1, 20)) if i % 4 == 1
            else today + datetime.timedelta(days=r.randint(10, settings_review_days)),
            client_agreed_by=who.name if agreed and who else ("Dirección de compras" if agreed else ""),
            client_agreed_contact=who if agreed else None,
            client_agreed_at=agreed_on if agreed else None,
            client_agreement_channel=AgreementChannel.MEETING if agreed else "",
            needs_reagreement=reopened,
            created_at=submitted - datetime.timedelta(days=20), updated_at=edited,
            submitted_at=submitted if status != PlanStatus.DRAFT else None,
            committed_at=committed if status in (PlanStatus.COMMITTED, PlanStatus.AGREED) or reopened else None,
            version=r.randint(3, 12)))
        if i % 3 == 0:
            previous.append(AccountPlan(
                account=a, period_kind=PeriodKind.YEAR, period_start=start.replace(year=start.year - 1),
                period_end=end.replace(year=end.year - 1), status=PlanStatus.CLOSED, owner=a.kam,
                summary="Plan del año anterior, cerrado tras la revisión anual.",
                industry_variables=industry_text[0], operations_state=industry_text[1],
                vision_statement="Crecer en servicios.",
                client_agreed_by="Dirección de compras", client_agreed_at=now - datetime.timedelta(days=400),
                client_agreement_channel=AgreementChannel.SIGNED, closed_at=now - datetime.timedelta(days=330),
                updated_at=now - datetime.timedelta(days=330), version=8))
    bulk_create_with_history(plans + previous, AccountPlan, batch_size=500, default_user=lead,
                             default_change_reason="demo data")
    plans = list(AccountPlan.objects.filter(account__in=accounts).select_related("account"))

    tasks, opps, commitments, signoffs, reviews, values, activities = [], [], [], [], [], [], []
    added_after = []
    signers = {d.pk: list(d.signers.all()) for d in Department.objects.prefetch_related("signers")}
    for i, plan in enumerate(plans):
        a = plan.account
        members = team.get(a.pk, [])
        people = contacts.get(a.pk, [])
        closed = plan.status == PlanStatus.CLOSED
        for j in range(2 if closed else 1 + i % 3):
            tasks.append(KnowledgeTask(plan=plan, description=TASKS[(i + j) % len(TASKS)], owner=a.kam,
                                       due_date=plan.period_start + datetime.timedelta(days=30 * (j + 1)),
                                       done=closed or j == 0))
        for j in range(n_opps if plan.status != PlanStatus.DRAFT or i % 2 else 0):
            benefit, solution = OPPORTUNITIES[(i + j) % len(OPPORTUNITIES)]
            opps.append(Opportunity(plan=plan, client_benefit=benefit, our_solution=solution,
                                    value=Decimal(r.randrange(20_000, 600_000, 5_000)),
                                    probability=r.choice([10, 25, 40, 50, 60, 75, 90]),
                                    stage=r.choice(["idea", "qualified", "proposed", "won"]),
                                    expected_date=plan.period_start + datetime.timedelta(days=r.randint(60, 330))))
        depts = set()
        for j in range(n_commit):
            due = plan.period_start + datetime.timedelta(days=r.randint(30, 360))
            if j % 3 == 2 and people:
                commitment_status = CommitmentStatus.OPEN
                commitments.append(Commitment(
                    plan=plan, party=Party.CLIENT, contact=people[j % len(people)], owner=None,
                    description=CLIENT_COMMITMENTS[(i + j) % len(CLIENT_COMMITMENTS)], due_date=due,
                    status=CommitmentStatus.DONE if due < ctx.today and r.random() < 0.7 else commitment_status,
                    delivered_on=None))
                if commitments[-1].status == CommitmentStatus.DONE:
                    commitments[-1].delivered_on = due
                continue
            code, text = OUR_COMMITMENTS[(i + j) % len(OUR_COMMITMENTS)]
            member = next((m for m in members if m.department.code == code), None)
            dept = member.department if member else ctx.departments[code]
            depts.add(dept)
            if due < ctx.today:
                commitment_status = r.choices([CommitmentStatus.DONE, CommitmentStatus.MISSED, CommitmentStatus.OPEN],
                                   [7, 2, 1])[0]
            else:
                commitment_status = r.choices([CommitmentStatus.OPEN, CommitmentStatus.AT_RISK], [8, 2])[0]
            commitments.append(Commitment(
                plan=plan, party=Party.US, department=dept, owner=member.user if member else a.kam,
                description=text, due_date=due, status=commitment_status,
                delivered_on=min(due, ctx.today) if commitment_status == CommitmentStatus.DONE else None))
        submitted, committed, reopened = milestones[a.pk]
        if closed:
            assert plan.client_agreed_at is not None  # every closed plan was agreed
            submitted = plan.client_agreed_at - datetime.timedelta(days=30)
            committed, reopened = submitted + datetime.timedelta(days=12), False
        added = None
        if reopened:
            # Added after the client's agreement: its department has not signed it (again) yet.
            code, text = OUR_COMMITMENTS[(i + 3) % len(OUR_COMMITMENTS)]
            added = Commitment(plan=plan, party=Party.US, department=ctx.departments[code], owner=a.kam,
                               description=f"{text} (ampliación)", due_date=plan.period_end,
                               status=CommitmentStatus.OPEN)
            added_after.append(added)
            activities.append(Activity(
                account=a, occurred_at=plan.updated_at, kind=ActivityKind.PLAN_EVENT, subkind="reagreement",
                actor=a.kam, link=plan.get_absolute_url(), commercial=True,
                summary=f"Cambiado tras la aprobación del cliente (compromiso añadido: {added.description}): "
                        "el cliente debe aprobarlo de nuevo"))
        if plan.status in (PlanStatus.COMMITTED, PlanStatus.AGREED, PlanStatus.CLOSED) or reopened:
            # Signed between submission and commitment, each by someone who serves that department
            # and never by the plan's owner.
            moments = iter(submitted + datetime.timedelta(days=1 + k) for k in range(len(depts) + 1))
            if a.sponsor_id:
                signoffs.append(SignOff(plan=plan, department=None, signed_by=a.sponsor, signed_at=next(moments)))
            for d in sorted(depts, key=lambda d: d.pk):
                signer = _signer(a, d, members, signers)
                if signer is not None:
                    signoffs.append(SignOff(plan=plan, department=d, signed_by=signer, signed_at=next(moments)))
                    if added is not None and d.pk == added.department_id:
                        signoffs[-1].cleared_at = plan.updated_at
                        signoffs[-1].cleared_reason = f"compromiso añadido: {added.description}"
        elif plan.status == PlanStatus.IN_REVIEW and a.sponsor_id and i % 2:
            signoffs.append(SignOff(plan=plan, department=None, signed_by=a.sponsor,
                                    signed_at=submitted + datetime.timedelta(days=2)))
        if plan.status in (PlanStatus.AGREED, PlanStatus.CLOSED):
            held = plan.period_start + datetime.timedelta(days=80)
            if held <= ctx.today:
                reviews.append(PlanReview(plan=plan, planned_on=held, held_on=held,
                                          attendees=f"{person_label(a.kam)}; dirección de compras",
                                          outcome="Compromisos en plazo; se acuerda ampliar el piloto."))
            for j in range(1 + i % 3):
                delivered = min(ctx.today, plan.period_start + datetime.timedelta(days=45 * (j + 1)))
                values.append(ValueDelivered(plan=plan, outcome=OPPORTUNITIES[(i + j) % 10][0],
                                             amount=Decimal(r.randrange(5_000, 120_000, 1_000)),
                                             delivered_on=delivered, confirmed_by_client=j % 2 == 0))
        if plan.status != PlanStatus.CLOSED and plan.next_review_date is not None:
            reviews.append(PlanReview(plan=plan, planned_on=plan.next_review_date))
        link = plan.get_absolute_url()
        if plan.submitted_at:
            activities.append(Activity(account=a, occurred_at=plan.submitted_at, kind=ActivityKind.PLAN_EVENT,
                                       subkind="submitted", actor=a.kam, link=link, commercial=True,
                                       summary="Plan enviado a aprobación interna"))
        if plan.committed_at:
            activities.append(Activity(account=a, occurred_at=plan.committed_at, kind=ActivityKind.PLAN_EVENT,
                                       subkind="committed", actor=a.kam, link=link, commercial=True,
                                       summary="Plan comprometido: nuestros equipos lo aprobaron"))
        if plan.client_agreed_at:
            activities.append(Activity(account=a, occurred_at=plan.client_agreed_at,
                                       kind=ActivityKind.PLAN_EVENT, subkind="agreed", actor=a.kam, link=link,
                                       commercial=True, summary=f"El cliente aprobó el plan ({plan.client_agreed_by})"))

    KnowledgeTask.objects.bulk_create(tasks, batch_size=2000)
    Opportunity.objects.bulk_create(opps, batch_size=2000)
    bulk_create_with_history(commitments, Commitment, batch_size=2000, default_user=lead,
                             default_change_reason="demo data")
    # What the client agreed to, as they saw it (before any commitment added since).
    AgreedVersion.objects.bulk_create([
        AgreedVersion(plan=plan, plan_version=plan.version, agreed_at=plan.client_agreed_at,
                      agreed_by=plan.client_agreed_by, contact=plan.client_agreed_contact,
                      channel=plan.client_agreement_channel, content=selectors.agreed_content(plan))
        for plan in plans if plan.client_agreed_at])
    bulk_create_with_history(added_after, Commitment, batch_size=2000, default_user=lead,
                             default_change_reason="demo data")
    commitments += added_after
    SignOff.objects.bulk_create(signoffs, batch_size=2000)
    PlanReview.objects.bulk_create(reviews, batch_size=2000)
    ValueDelivered.objects.bulk_create(values, batch_size=2000)
    Activity.objects.bulk_create(activities, batch_size=2000)

    # Stored completeness, computed in memory from what was just built (no per-plan queries).
    has = {(c.plan_id, c.party) for c in commitments}
    with_tasks = {t.plan_id for t in tasks}
    with_opps = {o.plan_id for o in opps}
    for plan in plans:
        plan.compute_completeness(
            tasks=int(plan.pk in with_tasks), opportunities=int(plan.pk in with_opps),
            commitments_us=int((plan.pk, Party.US) in has), commitments_client=int((plan.pk, Party.CLIENT) in has),
            signoffs_ok=plan.status in workflow.SIGNED_OFF)
    AccountPlan.objects.bulk_update(plans, ["pct_conocimiento", "pct_vision", "pct_compromiso"], batch_size=1000)

    _negotiations(ctx, accounts[:2 if not ctx.large else 10], {p.account_id: p for p in plans
                                                               if p.status != PlanStatus.CLOSED})
    return len(plans)


def _negotiations(ctx, accounts, plan_by_account):
    for a in accounts:
        if a.kam is None:
            continue
        neg = Negotiation.objects.create(
            account=a, plan=plan_by_account.get(a.pk), title="Renovación del contrato marco",
            scheduled_on=ctx.today + datetime.timedelta(days=21), created_by=a.kam,
            our_batna="Reasignar la capacidad a otros dos clientes del sector con margen similar.",
            their_batna="Proveedor asiático con plazos de 10 semanas y sin servicio local.",
            strategy="collaborative", strategy_notes="Cambiar precio por volumen y plazo de contrato.")
        NegotiationObjective.objects.bulk_create([
            NegotiationObjective(negotiation=neg, party=Party.US, description="Contrato a 3 años", priority=1),
            NegotiationObjective(negotiation=neg, party=Party.US, description="Mantener el margen bruto", priority=2),
            NegotiationObjective(negotiation=neg, party=Party.CLIENT, description="Bajar el precio un 5 %", priority=1),
            NegotiationObjective(negotiation=neg, party=Party.CLIENT, description="Plazo de pago a 90 días",
                                 priority=2),
        ])
        NegotiationVariable.objects.bulk_create([
            NegotiationVariable(negotiation=neg, name="Precio", priority=1, our_target="-1 %", our_limit="-3 %",
                                client_position="-6 %"),
            NegotiationVariable(negotiation=neg, name="Duración", priority=2, our_target="3 años",
                                our_limit="2 años", client_position="1 año"),
            NegotiationVariable(negotiation=neg, name="Plazo de pago", priority=3, our_target="60 días",
                                our_limit="75 días", client_position="90 días"),
        ])
        NegotiationAgreement.objects.create(negotiation=neg, description="Revisión semestral de precios ligada "
                                            "al índice de energía", party=Party.US)
