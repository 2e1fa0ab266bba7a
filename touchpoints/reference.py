"""The default SLA policy: created by migration 0002 on a new database and restored after every
`migrate` and `flush` (post_migrate), since a flush (or a transactional test) empties the table and
incidents would otherwise be opened against fallback hours."""

# Hours (acknowledge, resolve) per tier and severity; key accounts get the fastest service.
SLA_DEFAULTS = {
    "key": {"critical": (1, 8), "high": (2, 24), "medium": (4, 48), "low": (8, 120)},
    "development": {"critical": (2, 16), "high": (4, 48), "medium": (8, 96), "low": (24, 240)},
    "standard": {"critical": (4, 24), "high": (8, 72), "medium": (24, 120), "low": (48, 336)},
}


def ensure_sla_policies(*, using: str = "default") -> None:
    """Add the missing tier x severity rows; rows the programme lead edited are left alone."""
    from .models import SlaPolicy

    known = set(SlaPolicy.objects.using(using).values_list("tier", "severity"))
    SlaPolicy.objects.using(using).bulk_create([
        SlaPolicy(tier=tier, severity=severity, ack_hours=ack, resolve_hours=resolve)
        for tier, by_severity in SLA_DEFAULTS.items()
        for severity, (ack, resolve) in by_severity.items()
        if (tier, severity) not in known
    ])


def restore_after_migrate(sender, using="default", **kwargs):
    ensure_sla_policies(using=using)
