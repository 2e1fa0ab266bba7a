from decimal import Decimal

from django.db import migrations

# The method's criteria (DESIGN.md): management chooses key accounts by what the client is worth to us
# over three years and by how well placed we are to serve it. Names are stored in English and shown
# through the catalogue (see accounts.criteria_names).
DEFAULTS = [
    ("volume", "Purchase and invoicing volume", "attractiveness", "20", 1),
    ("growth", "3-year growth potential", "attractiveness", "15", 2),
    ("profitability_now", "Current profitability", "attractiveness", "15", 3),
    ("profitability_future", "Potential profitability", "attractiveness", "10", 4),
    ("industry_influence", "Influence in its industry", "attractiveness", "10", 5),
    ("brand_image", "Brand image", "attractiveness", "5", 6),
    ("strategic_fit", "Strategic fit", "attractiveness", "15", 7),
    ("reciprocity", "Reciprocity (will the client return the investment)", "attractiveness", "10", 8),
    ("relationship_stage", "Relationship stage", "strength", "20", 1),
    ("share_of_wallet", "Share of wallet", "strength", "25", 2),
    ("solution_fit", "Solution fit", "strength", "20", 3),
    ("decision_access", "Access to decision makers", "strength", "20", 4),
    ("competitive_position", "Competitive position", "strength", "15", 5),
]


def seed(apps, schema_editor):
    Criterion = apps.get_model("accounts", "SelectionCriterion")
    for code, name, axis, weight, order in DEFAULTS:
        Criterion.objects.get_or_create(
            code=code, defaults={"name": name, "axis": axis, "weight": Decimal(weight), "order": order, "scale_max": 5}
        )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "SelectionCriterion").objects.filter(code__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_stage_criteria_assessments_tiers")]

    operations = [migrations.RunPython(seed, unseed)]
