from django.db import migrations

from roster.competences import STANDARD_COMPETENCES, create_standard_competences


def seed(apps, schema_editor):
    create_standard_competences(apps.get_model("roster", "Competence"))
    settings = apps.get_model("roster", "RosterSettings")
    if not settings.objects.exists():
        settings.objects.create()


def unseed(apps, schema_editor):
    apps.get_model("roster", "Competence").objects.filter(code__in=[c[0] for c in STANDARD_COMPETENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("roster", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
