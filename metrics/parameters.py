"""The programme parameters a snapshot is computed with, as recorded on it: one definition for the
recompute (which writes them) and the account panel (which shows them and compares them with today's)."""

from decimal import Decimal

HEALTH_COMPONENTS = ("engagement", "service", "plan", "sponsor", "satisfaction", "commercial")
# The settings besides the weights that enter a snapshot's figures.
RECORDED_SETTINGS = ("clv_retention", "clv_discount", "retention_at_health_0", "retention_at_health_100",
                     "sponsor_visit_days", "key_account_grace_days")


def health_weights(settings) -> dict[str, Decimal]:
    return {k: Decimal(getattr(settings, f"weight_{k}")) for k in HEALTH_COMPONENTS}


def _plain(value) -> str | int:
    # Decimals as their normalised text: JSON has no decimal type, and 20.00 and 20 are the same weight.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def snapshot_parameters(settings) -> dict:
    """What a snapshot records: the health weights and every other setting its figures depend on, and
    the settings' version (to say which change they came from)."""
    return {"weights": {k: _plain(v) for k, v in health_weights(settings).items()},
            **{name: _plain(Decimal(getattr(settings, name)) if name.startswith(("clv", "retention"))
                            else getattr(settings, name)) for name in RECORDED_SETTINGS},
            "settings_version": settings.version}


def recorded_weights(parameters: dict) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in (parameters or {}).get("weights", {}).items()}


def parameters_changed(recorded: dict, settings) -> list[str]:
    """The names of the weights (`weight_<component>`) and settings whose value differs between what a
    snapshot recorded and `settings` now; empty when nothing that enters the figures moved."""
    if not recorded:
        return []
    now = snapshot_parameters(settings)
    changed = [f"weight_{k}" for k in HEALTH_COMPONENTS
               if Decimal(str(recorded.get("weights", {}).get(k, "0"))) != Decimal(now["weights"][k])]
    for name in RECORDED_SETTINGS:
        if name in recorded and str(recorded[name]) != str(now[name]):
            changed.append(name)
    return changed
