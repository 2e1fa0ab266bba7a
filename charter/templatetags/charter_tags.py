"""How the charter's figures read on its pages: a value in its unit, and met / missed / not measured."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..kinds import Unit

register = template.Library()


@register.filter
def outcome(met) -> str:
    """The status of a target for the "charter" tone: met, missed or unmeasured."""
    return "unmeasured" if met is None else ("met" if met else "missed")


@register.filter
def outcome_label(met) -> str:
    if met is None:
        return _("not measured")
    return _("met") if met else _("missed")


@register.filter
def in_unit(value, promise) -> str:
    """`value` (or the promise's target) with the promise's unit; a dash when nothing was measured."""
    if value is None:
        return "—"
    number = number_format(value, decimal_pos=1 if value != int(value) else 0)
    if promise.unit == Unit.PERCENT:
        return f"{number} %"
    if promise.unit == Unit.HOURS:
        return _("%(n)s h") % {"n": number}
    return _("%(n)s per quarter") % {"n": number}


@register.filter
def target_text(promise) -> str:
    """The target as a rule: "at least 95 %" or "at most 4 h"."""
    shown = in_unit(promise.target, promise)
    if promise.higher_is_better:
        return _("at least %(target)s") % {"target": shown}
    return _("at most %(target)s") % {"target": shown}


@register.filter
def tier_labels(tiers) -> str:
    from accounts.models import Tier

    return ", ".join(str(Tier(t).label) for t in tiers if t in Tier.values)


@register.filter
def share(report, which: str):
    """The share of promises met over `which` accounts, in % (None when nothing was measurable)."""
    value = report.share_met(which)
    return None if value is None else number_format(value * 100, decimal_pos=0)
