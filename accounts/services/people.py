"""The people around an account: its team, the client's contacts, and the erasure of a contact's data."""
import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Conflict, Invalid, clean
from kam.models import Department
from kam.people import person_label
from kam.validators import require_not_in_future

from .. import messages as msg
from .. import personal_data
from ..models import (
    Account,
    AccountTeamMember,
    Activity,
    ActivityKind,
    Contact,
    ErasureRecord,
    RelationshipStageChange,
    TierDecision,
)
from .base import (
    _account_link,
    _lock,
    _save_unique,
    activity_record,
    permission_require,
)

# --- Team ------------------------------------------------------------------------------------------
TEAM_MEMBER_FIELDS = ("department", "role")


@transaction.atomic
def team_member_add(*, actor: User, account: Account, user: User, department: Department,
                    role: str = "") -> AccountTeamMember:
    """Put a person on the account's team. Someone already on it keeps their place: their department or
    role is changed with `team_member_update`, from the version the editor saw."""
    permission_require(actor=actor, perm="accounts.manage_team", obj=account)
    taken = _("%(person)s is already on the team: change their role from the team list.") % {
        "person": person_label(user)}
    if AccountTeamMember.objects.filter(account=account, user=user).exists():
        raise Invalid(errors={"user": [taken]})
    member = AccountTeamMember(account=account, user=user, department=department, role=role)
    member._history_user = actor
    _save_unique(member, "team_member_once", "user", taken)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor, department=department,
                    message=msg.TEAM_JOINED, params={"person": person_label(user), "dept": department},
                    link=_account_link(account))
    return member


def _team_member_claim(*, actor: User, member: AccountTeamMember, expected_version) -> AccountTeamMember:
    try:
        locked = _lock(AccountTeamMember.objects.select_related("account", "user"), member.pk)
    except AccountTeamMember.DoesNotExist:
        permission_require(actor=actor, perm="accounts.manage_team", obj=member.account)
        raise Conflict(_("%(person)s was taken off the team meanwhile; nothing was saved.") % {
            "person": person_label(member.user)}) from None
    permission_require(actor=actor, perm="accounts.manage_team", obj=locked.account)
    versioning.check(locked, expected_version, TEAM_MEMBER_FIELDS)
    return locked


@transaction.atomic
def team_member_update(*, actor: User, member: AccountTeamMember, expected_version, department: Department,
                       role: str = "") -> AccountTeamMember:
    member = _team_member_claim(actor=actor, member=member, expected_version=expected_version)
    member.department = department
    member.role = role
    versioning.bump(member)
    member._history_user = actor
    member.save()
    activity_record(account=member.account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor,
                    department=department,
                    message=msg.TEAM_ROLE, params={"person": person_label(member.user)},
                    link=_account_link(member.account))
    return member


@transaction.atomic
def team_member_remove(*, actor: User, member: AccountTeamMember, expected_version) -> None:
    """Take a person off the team; refused if their place was edited since the page was shown, so a
    removal never discards a change the remover did not see."""
    member = _team_member_claim(actor=actor, member=member, expected_version=expected_version)
    account = member.account
    name = person_label(member.user)
    member._history_user = actor
    member.delete()
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor,
                    message=msg.TEAM_LEFT, params={"person": name}, link=_account_link(account))


# --- Contacts --------------------------------------------------------------------------------------
CONTACT_FIELDS = ("name", "position", "email", "phone", "language", "reports_to", "influence", "attitude",
                  "decision_role", "owner", "last_contact_date", "notes")


def _check_reports_to(contact: Contact, boss) -> None:
    if boss is None:
        return
    if boss.account_id != contact.account_id:
        raise Invalid(errors={"reports_to": [_("That person is not one of this client's people.")]})
    node, seen = boss, set()
    while node is not None and contact.pk:
        if node.pk == contact.pk or node.pk in seen:
            raise Invalid(errors={"reports_to": [_("That would make the org chart go round in a circle.")]})
        seen.add(node.pk)
        node = node.reports_to


@transaction.atomic
def contact_save(*, actor: User, account: Account, data: dict, contact: Contact | None = None,
                 expected_version=None) -> Contact:
    """Add a contact (`contact` None) or edit one from the version the editor saw; an edit made on a
    stale copy is refused with `Conflict`, saying what the other person changed."""
    permission_require(actor=actor, perm="accounts.change_account", obj=account)
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not edited here")
    if contact is None:
        contact = Contact(account=account)
    else:
        contact = _lock(Contact.objects.filter(account=account), contact.pk)
        versioning.check(contact, expected_version, CONTACT_FIELDS)
        versioning.bump(contact)
    for name, value in data.items():
        setattr(contact, name, value)
    _check_reports_to(contact, contact.reports_to)
    clean(contact)
    contact._history_user = actor
    contact.save()
    return contact


@transaction.atomic
def contacts_mark_contacted(*, actor: User, contacts, day: datetime.date) -> int:
    """The contacts were spoken to on `day` (a touchpoint was logged with them): each one's last contact
    moves to `day` when that is later, never back. Called by the service that logged the contact, which
    checked that `actor` may log on the account; the contact's version moves, so an edit opened before
    does not silently put the older date back. Returns how many contacts changed."""
    pks = [c.pk for c in contacts]
    changed = 0
    for contact in (Contact.objects.select_for_update().filter(pk__in=pks, erased_at__isnull=True)
                    .filter(Q(last_contact_date__isnull=True) | Q(last_contact_date__lt=day)).order_by("pk")):
        contact.last_contact_date = day
        versioning.bump(contact)
        contact._history_user = actor
        contact.save(update_fields=["last_contact_date", "version"])
        changed += 1
    return changed


@transaction.atomic
def contact_mark_gone(*, actor: User, contact: Contact, left_at: datetime.date,
                      successor: Contact | None = None, successor_name: str = "") -> Contact | None:
    """The person leaves; the position stays. The successor (an existing contact or a new one) takes the
    position, the place in the org chart and the people who reported to the one who left."""
    contact = _lock(Contact.objects.select_related("account"), contact.pk)
    permission_require(actor=actor, perm="accounts.change_account", obj=contact.account)
    if contact.left_at is not None:
        raise Invalid(_("This contact is already marked as gone."))
    require_not_in_future("left_at", left_at)
    if successor is not None and (successor.pk == contact.pk or successor.account_id != contact.account_id):
        raise Invalid(errors={"successor": [_("The successor must be another contact of the same account.")]})
    if successor is None and successor_name.strip():
        successor = Contact(account=contact.account, name=successor_name.strip()[:160],
                            position=contact.position, reports_to=contact.reports_to,
                            influence=contact.influence, decision_role=contact.decision_role, owner=contact.owner)
    elif successor is not None:
        successor = _lock(Contact.objects.all(), successor.pk)
        successor.position = contact.position or successor.position
        if successor.reports_to_id in (None, contact.pk):
            successor.reports_to = contact.reports_to
        successor.decision_role = contact.decision_role
        versioning.bump(successor)
    if successor is not None:
        successor._history_user = actor
        successor.save()
        # Their manager changed: an edit opened before this is now stale.
        Contact.objects.filter(reports_to=contact).exclude(pk=successor.pk).update(
            reports_to=successor, version=F("version") + 1)
    contact.left_at = left_at
    contact.successor = successor
    versioning.bump(contact)
    contact._history_user = actor
    contact.save()
    if successor:
        message, params = msg.CONTACT_SUCCEEDED, {"name": contact.name, "successor": successor.name}
    else:
        message, params = msg.CONTACT_GONE, {"name": contact.name}
    activity_record(account=contact.account, kind=ActivityKind.ACCOUNT, subkind="contact_gone", actor=actor,
                    message=message, params=params, link=reverse("accounts:contacts", args=[contact.account_id]))
    return successor


# --- Personal data ---------------------------------------------------------------------------------
def _anonymous(person: personal_data.Person) -> dict:
    """What identifies a contact, as the erasure leaves it. Influence, attitude and decision role stay:
    without a name or a position they describe a place in the account's org chart, not a person."""
    return {"name": person.marker, "email": "", "phone": "", "position": "", "notes": "", "last_contact_date": None}


@transaction.atomic
def contact_erase(*, actor: User, contact: Contact, reason: str) -> ErasureRecord:
    """Erase a client contact's personal data (the right to erasure), by the programme lead, with a
    reason. The contact row stays, anonymised and marked gone, so that what points at it still points
    somewhere; its history, the account's events and records naming them, notifications, and every
    app's rows (accounts.personal_data sources: plans agreed, share links with their views and comments,
    touchpoints, feedback...) are scrubbed of their names and addresses. The erasure log keeps who,
    when, why and how many rows, and the contact's id only."""
    from kam.models import Notification

    contact = _lock(Contact.objects.select_related("account"), contact.pk)
    permission_require(actor=actor, perm="accounts.handle_personal_data", obj=contact.account)
    if contact.is_erased:
        raise Invalid(_("This contact's personal data has already been erased."))
    if not reason.strip():
        raise Invalid(errors={"reason": [_("Say why the data is erased (without naming the person).")]})
    person = personal_data.Person.of(contact)
    account = contact.account
    anonymous = _anonymous(person)
    scrub = personal_data.scrub
    scrubbed = {
        "contact_history": scrub(person, [Contact.history.filter(id=contact.pk)], (), search=False,
                                 replace=anonymous),
        "activities": scrub(person, [Activity.objects.filter(account=account)], ["summary", "params"]),
        "account_texts": (
            scrub(person, personal_data.with_history(Contact.objects.filter(account=account).exclude(pk=contact.pk),
                                                     {"account_id": account.pk}), ["notes"])
            + scrub(person, personal_data.with_history(RelationshipStageChange.objects.filter(account=account),
                                                       {"account_id": account.pk}), ["note"])
            + scrub(person, [TierDecision.objects.filter(account=account)], ["reason"])),
        "notifications": scrub(person, [Notification.objects.all()], ["title", "body", "params"]),
    }
    for source in personal_data.sources():
        scrubbed.update(source.erase(person))
    for name, value in anonymous.items():
        setattr(contact, name, value)
    contact.erased_at = timezone.now()
    contact.left_at = contact.left_at or timezone.localdate()
    versioning.bump(contact)
    contact._history_user = actor
    contact._change_reason = "personal data erased"
    contact.save()
    record = ErasureRecord.objects.create(contact=contact, account=account, erased_by=actor,
                                          reason=person.scrub(reason.strip()), scrubbed=scrubbed)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="contact_erased", actor=actor,
                    message=msg.CONTACT_ERASED, params={"who": person.marker},
                    link=reverse("accounts:contacts", args=[account.pk]))
    return record
