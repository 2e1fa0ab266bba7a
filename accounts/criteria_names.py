"""Catalogue markers for the default criteria, which are stored in English by the data migration: a
criterion's name is shown through `gettext`, so the defaults read in the user's language and names the
programme lead types stay as typed."""

from django.utils.translation import gettext_noop

DEFAULT_NAMES = (
    gettext_noop("Purchase and invoicing volume"),
    gettext_noop("3-year growth potential"),
    gettext_noop("Current profitability"),
    gettext_noop("Potential profitability"),
    gettext_noop("Influence in its industry"),
    gettext_noop("Brand image"),
    gettext_noop("Strategic fit"),
    gettext_noop("Reciprocity (will the client return the investment)"),
    gettext_noop("Relationship stage"),
    gettext_noop("Share of wallet"),
    gettext_noop("Solution fit"),
    gettext_noop("Access to decision makers"),
    gettext_noop("Competitive position"),
)
