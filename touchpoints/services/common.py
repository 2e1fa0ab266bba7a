"""What the touchpoints services share: the object rule, field errors, the people involved."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from kam.errors import Forbidden, Invalid
from kam.models import Department

from ..models import ServiceIncident


def _require(user, perm: str, account: Account) -> None:
    if not user.has_perm(perm, account):
        raise Forbidden(_("You may not do this on this account."))


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(errors={field: [message]})


def _contacts_of(account: Account, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(contacts or [])
    if any(c.account_id != account.pk for c in contacts):
        raise _invalid("contacts", _("Choose contacts of this account."))
    return contacts


def _department_of(user, account: Account) -> Department | None:
    member = account.team_members.filter(user_id=user.pk).select_related("department").first()
    return member.department if member else None


def _incident_link(incident: ServiceIncident) -> str:
    return reverse("touchpoints:incident_detail", args=[incident.pk])

