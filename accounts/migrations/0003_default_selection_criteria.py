from django.db import migrations

from accounts.criteria_names import DEFAULT_CRITERIA, create_default_criteria


def seed(apps, schema_editor):
    create_default_criteria(apps.get_model("accounts", "SelectionCriterion"))


def unseed(apps, schema_editor):
    apps.get_model("accounts", "SelectionCriterion").objects.filter(code__in=[d[0] for d in DEFAULT_CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_stage_criteria_assessments_tiers")]

    operations = [migrations.RunPython(seed, unseed)]
