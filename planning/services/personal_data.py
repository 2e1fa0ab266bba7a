"""A client contact's personal data in plans, erased on request (accounts.personal_data)."""


from django.db import transaction

from .. import selectors
from ..models import (
    AccountPlan,
    AgreedVersion,
    ClientAction,
    ClientMessage,
    ClientSession,
    ShareCode,
    ShareLink,
    ShareView,
)


@transaction.atomic
def personal_data_erase(person) -> dict[str, int]:
    """Scrub one client contact from the plans (accounts.personal_data; called by
    accounts.services.contact_erase, which checks who may): every plan text naming them, "agreed by"
    and the agreed versions, their share links' labels, the address and browser of those links' views,
    the addresses and browsers their client sessions and actions came from, and the messages made on
    those links or under their name."""
    from accounts.personal_data import scrub, with_history

    contact, account = person.contact, person.contact.account
    counts = {"plan_texts": sum(scrub(person, with_history(rows, history), fields)
                                for rows, fields, history in selectors.personal_texts(account))}
    counts["plans_agreed"] = scrub(
        person, with_history(AccountPlan.objects.filter(client_agreed_contact=contact),
                             {"client_agreed_contact_id": contact.pk}), (), search=False,
        replace={"client_agreed_by": person.marker})
    versions = AgreedVersion.objects.filter(plan__account=account)
    counts["agreed_versions"] = (
        scrub(person, [versions.filter(contact=contact)], (), search=False, replace={"agreed_by": person.marker})
        + scrub(person, [versions], ["agreed_by", "content"], search=False))
    links = selectors.share_links_of(person)
    counts["share_links"] = scrub(person, with_history(ShareLink.objects.filter(plan__account=account),
                                                       {"plan_id__in": AccountPlan.objects.filter(
                                                           account=account).values("pk")}), ["label"])
    counts["share_views"] = scrub(person, [ShareView.objects.filter(link__in=links)], (), search=False,
                                  replace={"ip": None, "user_agent": ""})
    counts["share_addresses"] = (
        scrub(person, with_history(ShareLink.objects.filter(contact=contact), {"contact_id": contact.pk}), (),
              search=False, replace={"email": ""})
        + scrub(person, [ShareCode.objects.filter(link__in=links)], (), search=False, replace={"email": ""}))
    counts["client_sessions"] = scrub(person, [ClientSession.objects.filter(link__in=links)], (), search=False,
                                      replace={"ip": None, "user_agent": ""})
    actions = ClientAction.objects.filter(plan__account=account)
    counts["client_actions"] = (
        scrub(person, [actions], ["note"])
        + scrub(person, [actions.filter(link__in=links)], (), search=False, replace={"ip": None, "user_agent": ""}))
    comments = ClientMessage.objects.filter(thread__plan__account=account)
    counts["share_comments"] = (
        scrub(person, [comments], ["author_name", "body"])
        + scrub(person, [comments.filter(author_contact=contact)], (), search=False,
                replace={"author_name": person.marker}))
    return counts
