from django.db import migrations

ROLES = ["KAM", "Executive sponsor", "Operations", "Programme lead"]
DEPARTMENTS = [
    ("sales", "Sales"),
    ("operations", "Operations"),
    ("supply_chain", "Supply chain"),
    ("customer_service", "Customer service"),
    ("finance", "Finance"),
    ("technical", "Technical"),
    ("executive", "Executive"),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Department = apps.get_model("kam", "Department")
    ProgrammeSettings = apps.get_model("kam", "ProgrammeSettings")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for order, (code, name) in enumerate(DEPARTMENTS):
        Department.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    if not ProgrammeSettings.objects.exists():
        ProgrammeSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [
        ("kam", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
