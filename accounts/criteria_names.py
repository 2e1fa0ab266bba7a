"""The method's default selection criteria: management chooses key accounts by what the client is worth
to us over three years and by how well placed we are to serve it.

Names are stored in English and shown through the catalogue (`gettext`), so the defaults read in the
user's language and names the programme lead types stay as typed. The data migration creates them on a
new database, and `restore_default_criteria` again after a flush (which empties every table) when none
is left."""

from decimal import Decimal

from django.utils.translation import gettext_noop

# (code, name, axis, weight, order)
DEFAULT_CRITERIA = (
    ("volume", gettext_noop("Purchase and invoicing volume"), "attractiveness", "20", 1),
    ("growth", gettext_noop("3-year growth potential"), "attractiveness", "15", 2),
    ("profitability_now", gettext_noop("Current profitability"), "attractiveness", "15", 3),
    ("profitability_future", gettext_noop("Potential profitability"), "attractiveness", "10", 4),
    ("industry_influence", gettext_noop("Influence in its industry"), "attractiveness", "10", 5),
    ("brand_image", gettext_noop("Brand image"), "attractiveness", "5", 6),
    ("strategic_fit", gettext_noop("Strategic fit"), "attractiveness", "15", 7),
    ("reciprocity", gettext_noop("Reciprocity (will the client return the investment)"), "attractiveness", "10", 8),
    ("relationship_stage", gettext_noop("Relationship stage"), "strength", "20", 1),
    ("share_of_wallet", gettext_noop("Share of wallet"), "strength", "25", 2),
    ("solution_fit", gettext_noop("Solution fit"), "strength", "20", 3),
    ("decision_access", gettext_noop("Access to decision makers"), "strength", "20", 4),
    ("competitive_position", gettext_noop("Competitive position"), "strength", "15", 5),
)
DEFAULT_NAMES = tuple(name for _code, name, _axis, _weight, _order in DEFAULT_CRITERIA)


def create_default_criteria(model) -> None:
    for code, name, axis, weight, order in DEFAULT_CRITERIA:
        model.objects.get_or_create(code=code, defaults={"name": name, "axis": axis, "weight": Decimal(weight),
                                                         "order": order, "scale_max": 5})


def restore_default_criteria(sender, using="default", **kwargs):
    """post_migrate: a database left with no criterion at all (flushed) gets the defaults back."""
    from .models import SelectionCriterion

    if not SelectionCriterion.objects.using(using).exists():
        create_default_criteria(SelectionCriterion)
