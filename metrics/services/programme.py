"""The programme settings: edited by the lead, validated together, a recompute scheduled when a figure uses them."""

import logging

from django.contrib.auth.models import User
from django.db import transaction

from accounts import services as account_services
from kam import versioning
from kam.errors import Invalid, clean
from kam.models import ProgrammeSettings

from .. import formulas

log = logging.getLogger(__name__)

SETTINGS_FIELDS = (
    "key_account_cap", "attractiveness_threshold", "strength_threshold", "clv_retention", "clv_discount",
    "retention_at_health_0", "retention_at_health_100", "weight_engagement", "weight_service", "weight_plan",
    "weight_sponsor", "weight_satisfaction", "sponsor_visit_days", "plan_review_days", "plan_stale_days",
    "weight_commercial", "key_account_grace_days", "currency",
    "clv_retention_mode", "retention_min_sample", "pareto_basis", "stakeholder_contact_days",
    "survey_cadence_days", "survey_score_alert_below", "survey_gap_alert_above",
    "supplier_name", "supplier_logo", "supplier_colour",
    "operations_manager", "manager_escalation_hours", "work_days", "work_start_hour", "work_end_hour", "holidays",
)
THRESHOLDS = {"attractiveness_threshold", "strength_threshold"}
# Settings no snapshot is computed from: changing only these asks for no recompute.
NOT_IN_FIGURES = {"key_account_cap", "plan_review_days", "plan_stale_days", "stakeholder_contact_days",
                  "survey_cadence_days", "survey_score_alert_below", "survey_gap_alert_above", "supplier_name",
                  "supplier_logo", "supplier_colour", "operations_manager", "manager_escalation_hours",
                  "work_days", "work_start_hour", "work_end_hour", "holidays"}
RATES = ("clv_retention", "retention_at_health_0", "retention_at_health_100")


@transaction.atomic
def programme_settings_update(*, actor: User, expected_version, data: dict) -> ProgrammeSettings:
    """The lead's change to the programme's parameters, from the version the form showed (a save over
    someone else's change is refused with `Conflict`). Quadrants derive from the thresholds: when one
    moves, every account's quadrant is recomputed in the same transaction, so none is left stale.
    Health and CLV use the new values from the next recompute."""

    account_services.permission_require(actor=actor, perm="accounts.manage_programme")
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not programme settings")
    pk = ProgrammeSettings.current().pk
    settings = versioning.claim(ProgrammeSettings.objects.all(), pk, expected_version, SETTINGS_FIELDS)
    if not settings.history.exists():
        # The row was created by a migration, which leaves no history: record the values in force as the
        # baseline, so the first change shows what it changed from.
        ProgrammeSettings.history.bulk_history_create([settings], default_date=settings.updated_at)
    changed = {name for name, value in data.items() if getattr(settings, name) != value}
    if not changed:
        return settings
    for name in changed:
        setattr(settings, name, data[name])
    clean(settings)
    _rates_require(settings)
    versioning.bump(settings)
    settings._history_user = actor
    settings.save()
    if changed & THRESHOLDS:
        account_services.quadrants_recompute()
    if "pareto_basis" in changed:
        # The classes are selection evidence: they follow the new basis now, not at the next recompute.
        account_services.revenue_recompute()
    if changed - NOT_IN_FIGURES:
        from ..scheduling import recompute_schedule

        recompute_schedule(trigger="settings")
    return settings


def _rates_require(settings: ProgrammeSettings) -> None:
    """Every retention the CLV may use must satisfy 0 ≤ r < 1 + d (formulas.validate_clv_rates), or the
    lifetime value is infinite or negative; checked here too, for callers other than the form."""
    from django.utils.translation import gettext as _

    errors: dict[str | None, list[str]] = {}
    if settings.clv_discount <= -1:
        errors["clv_discount"] = [_("The discount rate must be greater than −1.")]
    else:
        for name in RATES:
            try:
                formulas.validate_clv_rates(getattr(settings, name), settings.clv_discount)
            except ValueError:
                errors[name] = [rate_message(settings.clv_discount)]
    if errors:
        raise Invalid(_("The retention rates must be at least 0 and lower than 1 + the discount rate."),
                      errors=errors)


def rate_message(discount) -> str:
    """The one message for a retention outside 0 ≤ r < 1 + d, in the form and in the service."""
    from django.utils.translation import gettext as _

    return _("Must be at least 0 and lower than 1 + the discount rate (%(limit)s), or the lifetime value "
             "would be infinite.") % {"limit": 1 + discount}
