"""Demo accounts: Spanish B2B customers with groups, teams, org charts, five years of monthly financials,
assessments by two assessors and the tier decisions that made the key accounts.

Idempotent: accounts are identified by a deterministic tax id; an account that exists is left alone, so
running the seed twice changes nothing and running `--size large` after `small` adds the missing ones.
Bulk inserts keep the large set (2,000 accounts × 60 months) to well under a minute.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kam.roles import KAM, LEAD, SPONSOR

from . import services
from .models import (
    Account,
    AccountStatus,
    AccountTeamMember,
    Activity,
    ActivityKind,
    Assessment,
    AssessmentScore,
    Attitude,
    Contact,
    DecisionRole,
    FinancialRecord,
    ImportJob,
    ImportKind,
    ImportStatus,
    Industry,
    Influence,
    RelationshipStage,
    RelationshipStageChange,
    SelectionCriterion,
    Tier,
    TierDecision,
)

STEMS = {
    Industry.OIL_GAS: ["Petróleos", "Refinería", "Gas Natural", "Energía Offshore", "Hidrocarburos"],
    Industry.STEEL: ["Aceros", "Siderúrgica", "Laminados", "Fundiciones", "Forjas"],
    Industry.MINING: ["Minera", "Canteras", "Minerales", "Extracciones"],
    Industry.RETAIL: ["Supermercados", "Hipermercados", "Grandes Almacenes", "Distribuciones"],
    Industry.FOOD: ["Alimentos", "Conservas", "Lácteos", "Bebidas", "Panificadora"],
    Industry.CHEMICALS: ["Química", "Polímeros", "Fertilizantes", "Pinturas"],
    Industry.AUTOMOTIVE: ["Componentes de Automoción", "Carrocerías", "Motores"],
    Industry.UTILITIES: ["Aguas", "Eléctrica", "Servicios Urbanos"],
    Industry.CONSTRUCTION: ["Construcciones", "Obras Públicas", "Cementos", "Prefabricados"],
    Industry.PHARMA: ["Laboratorios", "Farmacéutica"],
    Industry.LOGISTICS: ["Transportes", "Logística", "Almacenajes"],
}
PLACES = ["del Norte", "del Cantábrico", "de Levante", "del Sur", "Ibérica", "de Castilla", "del Ebro", "Atlántica",
          "Mediterránea", "de Galicia", "Andaluza", "de Aragón", "del Duero", "Balear", "Canaria", "de Navarra",
          "Extremeña", "Riojana", "del Tajo", "Vasca", "Catalana", "Asturiana", "Manchega", "del Guadalquivir"]
REGIONS = ["Madrid", "Cataluña", "Andalucía", "País Vasco", "Asturias", "Galicia", "Comunidad Valenciana",
           "Aragón", "Castilla y León", "Navarra", "Murcia", "Cantabria"]
FIRST = ["Javier", "Carmen", "Antonio", "Isabel", "Manuel", "Pilar", "Francisco", "Rosa", "José", "Laura", "Miguel",
         "Teresa", "Alberto", "Cristina", "Fernando", "Beatriz", "Jorge", "Silvia", "Andrés", "Mercedes"]
LAST = ["Álvarez", "Moreno", "Jiménez", "Muñoz", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez",
        "Vázquez", "Ramos", "Gil", "Serrano", "Blanco", "Molina", "Castro", "Ortiz", "Rubio", "Marín"]
ORG = [  # (position, reports to index, decision role, influence)
    ("Consejero delegado", None, DecisionRole.DECISION_MAKER, Influence.HIGH),
    ("Director de compras", 0, DecisionRole.DECISION_MAKER, Influence.HIGH),
    ("Director de operaciones", 0, DecisionRole.INFLUENCER, Influence.HIGH),
    ("Director financiero", 0, DecisionRole.INFLUENCER, Influence.MEDIUM),
    ("Jefe de compras", 1, DecisionRole.BUYER, Influence.MEDIUM),
    ("Jefe de planta", 2, DecisionRole.USER, Influence.MEDIUM),
    ("Responsable de calidad", 2, DecisionRole.TECHNICAL, Influence.MEDIUM),
    ("Asistente de dirección", 0, DecisionRole.GATEKEEPER, Influence.LOW),
]
TEAM_USERS = [("pablo.gil", "Control financiero de la cuenta"), ("irene.vidal", "Planificación de suministro"),
              ("raul.castro", "Soporte técnico"), ("nuria.ortega", "Atención al cliente"),
              ("carlos.navarro", "Responsable de operaciones"), ("sofia.moreno", "Servicio posventa"),
              ("luis.romero", "Cadena de suministro")]
MONTHS = 60
TAX_PREFIX = "B9"


def _tax_id(i: int) -> str:
    return f"{TAX_PREFIX}{i:07d}"


def _month_add(d: datetime.date, months: int) -> datetime.date:
    y, m = divmod(d.month - 1 + months, 12)
    return datetime.date(d.year + y, m + 1, 1)


def seed(ctx) -> None:
    n = 2000 if ctx.large else 60
    n_key = 100 if ctx.large else 12
    n_dev = 300 if ctx.large else 15
    existing = set(Account.objects.filter(tax_id__startswith=TAX_PREFIX).values_list("tax_id", flat=True))
    todo = [i for i in range(n) if _tax_id(i) not in existing]
    if not todo:
        ctx.log("  accounts: demo accounts already present")
        return
    with transaction.atomic():
        _seed(ctx, todo, n_key, n_dev)
        services.revenue_recompute(ctx.today)
        services.scores_recompute_all()
    ctx.log(f"  accounts: {len(todo)} accounts ({n_key} key), {MONTHS} months of financials each")


def _seed(ctx, todo, n_key, n_dev):
    # Each account draws from its own seeded stream, so its facts do not depend on what other apps drew.
    kams = ctx.by_role(KAM)
    sponsors = ctx.by_role(SPONSOR)
    lead = ctx.by_role(LEAD)[0]
    now = timezone.now()
    today = ctx.today
    industries = list(STEMS)
    used_names = set(Account.objects.values_list("name", flat=True))

    def tier_of(i):
        return Tier.KEY if i < n_key else Tier.DEVELOPMENT if i < n_key + n_dev else Tier.STANDARD

    accounts = []
    for i in todo:
        r = random.Random(i * 7919 + 17)
        industry = industries[i % len(industries)]
        name = ""
        for attempt in range(60):
            candidate = f"{r.choice(STEMS[industry])} {r.choice(PLACES)} {r.choice(['S.A.', 'S.L.', 'S.A.U.'])}"
            if attempt >= 30:  # the combinations of one industry run out in the large set
                candidate = f"{r.choice(STEMS[industry])} {r.choice(PLACES)} {r.choice(REGIONS)} S.A."
            if candidate not in used_names:
                name = candidate
                break
        name = name or f"{r.choice(STEMS[industry])} {r.choice(PLACES)} {i} S.A."
        used_names.add(name)
        tier = tier_of(i)
        stage = {Tier.KEY: r.choice([RelationshipStage.COOPERATIVE, RelationshipStage.INTERDEPENDENT,
                                     RelationshipStage.INTEGRATED, RelationshipStage.INTERDEPENDENT]),
                 Tier.DEVELOPMENT: r.choice([RelationshipStage.BASIC, RelationshipStage.COOPERATIVE]),
                 Tier.STANDARD: r.choice([RelationshipStage.EXPLORATORY, RelationshipStage.BASIC])}[tier]
        if tier == Tier.KEY and i % 11 == 5:
            stage = RelationshipStage.DISINTEGRATING
        accounts.append(Account(
            name=name, tax_id=_tax_id(i), customer_number=f"C-{10000 + i}",
            industry=industry, country="ES", region=r.choice(REGIONS),
            status=AccountStatus.PROSPECT if (tier == Tier.STANDARD and i % 17 == 0) else AccountStatus.ACTIVE,
            tier=tier, relationship_stage=stage,
            kam=kams[i % len(kams)] if tier != Tier.STANDARD or i % 3 == 0 else None,
            sponsor=sponsors[i % len(sponsors)] if tier == Tier.KEY else None))
    bulk_create_with_history(accounts, Account, batch_size=1000, default_user=lead)
    accounts = list(Account.objects.filter(tax_id__in=[_tax_id(i) for i in todo]).order_by("tax_id"))
    index = {int(a.tax_id[len(TAX_PREFIX):]): a for a in accounts}

    # Groups: some development and standard accounts are subsidiaries of a key account.
    children = []
    for i, a in index.items():
        if i >= n_key and i % 9 == 0:
            parent = index.get(i % n_key)
            if parent is not None:
                a.parent = parent
                children.append(a)
    Account.objects.bulk_update(children, ["parent"], batch_size=1000)

    # Teams.
    members = []
    for i, a in index.items():
        if a.tier == Tier.STANDARD:
            continue
        r = random.Random(i * 31 + 1)
        picks = r.sample(TEAM_USERS, 4 if a.tier == Tier.KEY else 2)
        for username, role in picks:
            members.append(AccountTeamMember(account=a, user=ctx.users[username],
                                             department=ctx.department_of(username), role=role))
    AccountTeamMember.objects.bulk_create(members, batch_size=2000, ignore_conflicts=True)

    # Contacts with an org chart; key accounts also have someone who left, with a successor.
    contacts = []
    shape = {}
    for i, a in index.items():
        r = random.Random(i * 53 + 3)
        size = len(ORG) if a.tier == Tier.KEY else 4 if a.tier == Tier.DEVELOPMENT else 1 + (i % 2)
        shape[a.pk] = size
        domain = a.name.split()[0].lower().replace("ó", "o").replace("í", "i").replace("é", "e").replace("á", "a")
        for j in range(size):
            first, last = r.choice(FIRST), r.choice(LAST)
            position, _boss, role, influence = ORG[j]
            attitude = r.choices([Attitude.CHAMPION, Attitude.SUPPORTER, Attitude.NEUTRAL, Attitude.SCEPTIC,
                                  Attitude.BLOCKER], weights=[2, 4, 4, 2, 1])[0]
            if a.tier == Tier.KEY and j == 1 and i % 4 != 3:
                attitude = Attitude.CHAMPION
            owner = None
            if a.tier != Tier.STANDARD and (j < 3 or r.random() < 0.5):
                owner = a.kam if j < 2 else ctx.users[r.choice(TEAM_USERS)[0]]
            contacts.append(Contact(
                account=a, name=f"{first} {last}", position=position, influence=influence, attitude=attitude,
                decision_role=role, owner=owner, email=f"{first.lower()}.{j}{i}@{domain}.example",
                last_contact_date=today - datetime.timedelta(days=r.randint(3, 120)) if owner else None))
    bulk_create_with_history(contacts, Contact, batch_size=2000)
    by_account: dict[int, list[Contact]] = {}
    for c in Contact.objects.filter(account__in=accounts).order_by("account_id", "pk"):
        by_account.setdefault(c.account_id, []).append(c)
    linked, gone = [], []
    for a in accounts:
        people = by_account.get(a.pk, [])
        for j, c in enumerate(people):
            boss = ORG[j][1] if j < len(ORG) else None
            if boss is not None and boss < len(people):
                c.reports_to = people[boss]
                linked.append(c)
        if a.tier == Tier.KEY and len(people) > 4:
            # The former head of purchasing left; the current one took the position.
            former = Contact(account=a, name=f"{FIRST[a.pk % 20]} {LAST[(a.pk * 3) % 20]}", position=people[4].position,
                             influence=Influence.MEDIUM, attitude=Attitude.SUPPORTER, decision_role=DecisionRole.BUYER,
                             left_at=today - datetime.timedelta(days=200 + a.pk % 300), successor=people[4])
            gone.append(former)
    Contact.objects.bulk_update(linked, ["reports_to"], batch_size=2000)
    Contact.objects.bulk_create(gone, batch_size=2000)

    # Five years of monthly financials with a trend, seasonality and noise.
    first_month = _month_add(today.replace(day=1), -MONTHS)
    records = []
    for i, a in index.items():
        r = random.Random(i * 101 + 7)
        base = {Tier.KEY: r.uniform(120_000, 900_000), Tier.DEVELOPMENT: r.uniform(30_000, 220_000),
                Tier.STANDARD: r.lognormvariate(9.3, 1.1)}[Tier(a.tier)]
        growth = r.uniform(-0.12, 0.22)
        start = 0 if a.status != AccountStatus.PROSPECT else MONTHS  # prospects have bought nothing yet
        end = MONTHS
        if a.tier == Tier.STANDARD and i % 13 == 0:
            start = r.randint(24, 48)  # newer customers
        elif a.tier == Tier.STANDARD and i % 5 == 2 and i % 7 != 4:
            end = MONTHS - r.randint(13, 30)  # customers lost: the base's observed retention is not 1
        # A few accounts cost more to serve than they earn, as in any real portfolio (the whale curve's tail).
        serve = (0.48, 0.6) if a.tier == Tier.STANDARD and i % 7 == 4 else (0.03, 0.12)
        for m in range(start, end):
            month = _month_add(first_month, m)
            season = 1 + 0.12 * ((month.month in (3, 4, 5, 10, 11)) - (month.month in (8, 12)))
            revenue = base * (1 + growth) ** (m / 12) * season * r.uniform(0.85, 1.15)
            if r.random() < 0.02:
                revenue = 0
            if a.tier == Tier.KEY and i == 1 and m >= MONTHS - 12:
                # A key account losing share: nine months at three quarters of its usual orders, then
                # three without any (its commercial trajectory tells, whatever the relationship says).
                revenue = 0 if m >= MONTHS - 3 else revenue * 0.75
            revenue = Decimal(round(revenue, 2))
            records.append(FinancialRecord(
                account=a, month=month, revenue=revenue,
                cost_of_goods=(revenue * Decimal(str(round(r.uniform(0.55, 0.74), 3)))).quantize(Decimal("0.01")),
                cost_to_serve=(revenue * Decimal(str(round(r.uniform(*serve), 3)))).quantize(Decimal("0.01"))))
    FinancialRecord.objects.bulk_create(records, batch_size=5000)

    # Stage history and tier decisions (with their events on the account stream).
    stages, decisions, events = [], [], []
    ladder = [RelationshipStage.EXPLORATORY, RelationshipStage.BASIC, RelationshipStage.COOPERATIVE,
              RelationshipStage.INTERDEPENDENT, RelationshipStage.INTEGRATED]
    for i, a in index.items():
        r = random.Random(i * 211 + 5)
        path = (ladder[: ladder.index(RelationshipStage(a.relationship_stage)) + 1]
                if a.relationship_stage in ladder else ladder[:4])
        if a.relationship_stage == RelationshipStage.DISINTEGRATING:
            path = path + [RelationshipStage.DISINTEGRATING]
        day = today - datetime.timedelta(days=365 * 5 - r.randint(0, 200))
        previous = ""
        for stage in path:
            stages.append(RelationshipStageChange(account=a, from_stage=previous, to_stage=stage, changed_on=day,
                                                  changed_by=a.kam))
            if previous:
                events.append(Activity(account=a, kind=ActivityKind.STAGE_CHANGE, subkind=stage, actor=a.kam,
                                       occurred_at=_at(day), summary=f"{RelationshipStage(previous).label} → "
                                                                     f"{RelationshipStage(stage).label}"))
            previous = stage
            day = min(day + datetime.timedelta(days=r.randint(150, 420)), today - datetime.timedelta(days=10))
        if a.tier in (Tier.KEY, Tier.DEVELOPMENT):
            when = now - datetime.timedelta(days=r.randint(700, 1000))
            decisions.append(TierDecision(
                account=a, from_tier=Tier.STANDARD, to_tier=Tier.DEVELOPMENT, decided_by=lead, decided_at=when,
                reason="Alto potencial de crecimiento y buen encaje estratégico; se asigna KAM para desarrollarla.",
                evidence={"pareto_class": "B", "quadrant": "star"}))
            events.append(Activity(account=a, kind=ActivityKind.TIER_DECISION, subkind=Tier.DEVELOPMENT, actor=lead,
                                   occurred_at=when, summary="Standard → Development"))
        if a.tier == Tier.KEY:
            when = now - datetime.timedelta(days=r.randint(90, 600))
            over = i >= 25
            decisions.append(TierDecision(
                account=a, from_tier=Tier.DEVELOPMENT, to_tier=Tier.KEY, decided_by=lead, decided_at=when,
                reason="Cliente clase A con relación de cooperación y disposición a corresponder a la inversión "
                       "(plan conjunto y acceso a la dirección).",
                evidence={"pareto_class": "A", "quadrant": "strategic"}, cap_override=over,
                override_reason="Conjunto de datos de rendimiento: más cuentas clave que el tope." if over else ""))
            events.append(Activity(account=a, kind=ActivityKind.TIER_DECISION, subkind=Tier.KEY, actor=lead,
                                   occurred_at=when, summary="Development → Key account"))
    RelationshipStageChange.objects.bulk_create(stages, batch_size=5000)
    TierDecision.objects.bulk_create(decisions, batch_size=2000)
    Activity.objects.bulk_create(events, batch_size=5000)

    # Assessments by the lead and a sponsor: key and development accounts, and some standard ones.
    criteria = list(SelectionCriterion.objects.filter(active=True))
    assessments, planned_scores = [], []
    for i, a in index.items():
        if a.tier == Tier.STANDARD and i % 5 != 0:
            continue
        r = random.Random(i * 977 + 11)
        lean = {Tier.KEY: (4.0, 3.8), Tier.DEVELOPMENT: (3.6, 2.6), Tier.STANDARD: (2.4, 2.2)}[Tier(a.tier)]
        if a.tier == Tier.KEY and i % 11 == 5:
            lean = (2.2, 2.0)  # a key account whose evidence no longer supports the tier
        if a.tier == Tier.STANDARD and i % 25 == 0:
            lean = (4.2, 3.9)  # a strong candidate outside the programme
        for assessor, days_ago in ((lead, r.randint(20, 200)), (sponsors[i % len(sponsors)], r.randint(10, 300))):
            assessment = Assessment(account=a, assessor=assessor, assessed_on=today - datetime.timedelta(days=days_ago),
                                    note="Revisión anual de la cartera.")
            assessments.append(assessment)
            planned_scores.append([(c, max(1, min(c.scale_max, round(r.gauss(
                lean[0] if c.axis == "attractiveness" else lean[1], 0.8))))) for c in criteria])
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    scores = [AssessmentScore(assessment=a, criterion=c, score=s)
              for a, pairs in zip(assessments, planned_scores, strict=True) for c, s in pairs]
    AssessmentScore.objects.bulk_create(scores, batch_size=5000)
    _seed_import_history(lead, len(todo), today)


def _seed_import_history(lead, n_accounts: int, today: datetime.date) -> None:
    """The imports that loaded the demo from the ERP, as the import history shows them, and one file
    whose check found errors."""

    def report(rows, created, groups=()):
        return {"rows": rows, "created": created, "updated": rows - created, "unchanged": 0, "overwritten": 0,
                "file_error": "", "rows_with_errors": sum(g["count"] for g in groups), "error_groups": list(groups),
                "groups_left_out": 0}

    def at(days_ago, minute=0):
        return _at(today - datetime.timedelta(days=days_ago)) + datetime.timedelta(minutes=minute)

    months = n_accounts * MONTHS
    ImportJob.objects.bulk_create([
        ImportJob(kind=ImportKind.ACCOUNTS, filename="clientes_erp.csv", status=ImportStatus.DONE, created_by=lead,
                  rows_total=n_accounts, rows_done=n_accounts, preview=report(n_accounts, n_accounts),
                  result=report(n_accounts, n_accounts), created_at=at(60), previewed_at=at(60),
                  queued_at=at(60, 1), started_at=at(60, 1), finished_at=at(60, 2)),
        ImportJob(kind=ImportKind.FINANCIALS, filename="ventas_mensuales.csv", status=ImportStatus.PREVIEWED,
                  created_by=lead, rows_total=months, created_at=at(59), previewed_at=at(59),
                  preview=report(months, 0, [{"message": "Ninguna cuenta tiene el NIF “B00000000”.", "count": 12,
                                              "lines": list(range(2, 14))}])),
        ImportJob(kind=ImportKind.FINANCIALS, filename="ventas_mensuales_corregido.csv", status=ImportStatus.DONE,
                  created_by=lead, rows_total=months, rows_done=months, preview=report(months, months),
                  result=report(months, months), created_at=at(59, 30), previewed_at=at(59, 30),
                  queued_at=at(59, 31), started_at=at(59, 31), finished_at=at(59, 33)),
    ])


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
