"""The programme's roles are Django groups; these names are the single source for them."""

from django.utils.translation import gettext_lazy as _

KAM = "KAM"
SPONSOR = "Executive sponsor"
OPERATIONS = "Operations"
LEAD = "Programme lead"

ALL_ROLES = (KAM, SPONSOR, OPERATIONS, LEAD)

ROLE_LABELS = {
    KAM: _("Key account manager"),
    SPONSOR: _("Executive sponsor"),
    OPERATIONS: _("Operations"),
    LEAD: _("Programme lead"),
}


def user_roles(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request (one query at most)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_kam_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {LEAD}
        user._kam_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
