"""Demo data of the charter: the programme lead's promises to key accounts, one or two per serving
department, with everyday targets. Over the demo's last quarter some are met and some missed; should the
records of the day not show both, one target is moved to the nearest round value that does, so that
the compliance page always tells the story.

Idempotent: if any promise exists the charter is considered seeded and nothing is added.
"""

import math
from decimal import Decimal

from django.db import transaction

from accounts.models import Account
from kam import departments as dept
from kam.roles import LEAD

from . import formulas, selectors, services
from .kinds import MeasureKind
from .models import Promise

# (department, measure, target, what the key account gets)
PROMISES = [
    (dept.OPERATIONS, MeasureKind.SLA_RESOLUTION, 95,
     "Sus incidencias se resuelven dentro del plazo del SLA de cuentas clave, 24 horas al día."),
    (dept.OPERATIONS, MeasureKind.COMMITMENTS_ON_TIME, 90,
     "Operaciones cumple en fecha lo que se comprometió en el plan de cuenta."),
    (dept.SUPPLY_CHAIN, MeasureKind.TOUCHPOINTS_PER_QUARTER, 2,
     "Al menos dos contactos de logística por trimestre: previsión de demanda y stock de consigna."),
    (dept.SUPPLY_CHAIN, MeasureKind.COMMITMENTS_ON_TIME, 90,
     "Logística entrega a tiempo sus compromisos del plan (rutas, almacenes, consigna)."),
    (dept.CUSTOMER_SERVICE, MeasureKind.ACK_HOURS, 4,
     "Cada incidencia recibe acuse de recibo de una persona en menos de cuatro horas."),
    (dept.FINANCE, MeasureKind.COMMITMENTS_ON_TIME, 90,
     "Finanzas cumple en fecha sus compromisos (condiciones de pago, abonos, facturación)."),
    (dept.TECHNICAL, MeasureKind.TOUCHPOINTS_PER_QUARTER, 1,
     "Un técnico asignado que le visita o llama al menos una vez al trimestre."),
    (dept.EXECUTIVE, MeasureKind.SPONSOR_VISITS, 100,
     "Su patrocinador ejecutivo le visita con la cadencia del programa."),
]


def seed(ctx) -> None:
    if Promise.objects.exists():
        ctx.log("  charter: already seeded")
        return
    lead = ctx.by_role(LEAD)[0]
    with transaction.atomic():
        promises = [services.promise_create(actor=lead, data={
            "department": ctx.departments[code], "measure": measure, "text": text, "order": i,
            "target": Decimal(target), "tiers": ["key"], "active": True})
            for i, (code, measure, target, text) in enumerate(PROMISES)]
        start, end = formulas.preset_period("last_quarter", ctx.today)
        report = selectors.compliance(Account.objects.all(), start=start, end=end, promises=promises)
        outcomes = {r.key_met for r in report.results}
        for wanted in (True, False):
            if wanted in outcomes:
                continue
            for r in report.results:
                target = _target(r.promise, r.key, wanted)
                if target is not None:
                    services.promise_update(actor=lead, promise=r.promise, expected_version=r.promise.version,
                                            data={"target": target})
                    break


def _target(promise: Promise, value: Decimal | None, met: bool) -> Decimal | None:
    """A round target the key accounts' value meets (or misses), when one exists."""
    if value is None:
        return None
    step = Decimal(5) if promise.unit == "percent" else Decimal(1)
    below = step * math.floor(value / step)
    above = step * (math.floor(value / step) + 1)
    if promise.unit == "percent":
        above = min(above, Decimal(100))
    target = below if met == promise.higher_is_better else above
    if target <= 0 or (not met and target == value):
        return None
    return target
