"""The closed list of measures a charter promise can be held to, with the unit of its target and which
way is better. Each kind's definition (what is counted, over which period) is the docstring of its
function in `charter.measures`.

An incident reopen rate is not among them: an incident never goes back to an earlier status
(`touchpoints.services.incident_update` refuses it), so there is no reopening to count.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeasureKind(models.TextChoices):
    SLA_RESOLUTION = "sla_resolution", _("Incidents resolved within the SLA")
    ACK_HOURS = "ack_hours", _("Average hours to acknowledge an incident")
    COMMITMENTS_ON_TIME = "commitments_on_time", _("Department's plan commitments delivered on time")
    SPONSOR_VISITS = "sponsor_visits", _("Accounts whose sponsor visits kept the cadence")
    TOUCHPOINTS_PER_QUARTER = "touchpoints_per_quarter", _("Department's touchpoints per account and quarter")


class Unit(models.TextChoices):
    PERCENT = "percent", pgettext_lazy("unit", "%")
    HOURS = "hours", pgettext_lazy("unit", "hours")
    PER_QUARTER = "per_quarter", pgettext_lazy("unit", "per quarter")


@dataclass(frozen=True)
class KindSpec:
    unit: str
    higher_is_better: bool
    # Whether the promise's department narrows what is counted (its commitments, its touchpoints); the
    # other kinds measure the service the department answers for, whoever logged it.
    by_department: bool


SPECS: dict[str, KindSpec] = {
    MeasureKind.SLA_RESOLUTION: KindSpec(Unit.PERCENT, True, False),
    MeasureKind.ACK_HOURS: KindSpec(Unit.HOURS, False, False),
    MeasureKind.COMMITMENTS_ON_TIME: KindSpec(Unit.PERCENT, True, True),
    MeasureKind.SPONSOR_VISITS: KindSpec(Unit.PERCENT, True, False),
    MeasureKind.TOUCHPOINTS_PER_QUARTER: KindSpec(Unit.PER_QUARTER, True, True),
}


def unit_label(kind: str) -> str:
    return str(Unit(SPECS[kind].unit).label)
