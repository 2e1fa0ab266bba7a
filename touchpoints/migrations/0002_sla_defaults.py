from django.db import migrations

# Hours (acknowledge, resolve) per tier and severity. Key accounts get the fastest service.
DEFAULTS = {
    "key": {"critical": (1, 8), "high": (2, 24), "medium": (4, 48), "low": (8, 120)},
    "development": {"critical": (2, 16), "high": (4, 48), "medium": (8, 96), "low": (24, 240)},
    "standard": {"critical": (4, 24), "high": (8, 72), "medium": (24, 120), "low": (48, 336)},
}


def forwards(apps, schema_editor):
    SlaPolicy = apps.get_model("touchpoints", "SlaPolicy")
    for tier, by_severity in DEFAULTS.items():
        for severity, (ack, resolve) in by_severity.items():
            SlaPolicy.objects.get_or_create(tier=tier, severity=severity,
                                            defaults={"ack_hours": ack, "resolve_hours": resolve})


class Migration(migrations.Migration):
    dependencies = [("touchpoints", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
