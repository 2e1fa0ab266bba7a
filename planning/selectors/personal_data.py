"""What plans hold about a client contact (accounts.personal_data): where to find it and what it is."""


from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ..models import AccountPlan, Commitment, Negotiation


def personal_texts(account) -> list[tuple]:
    """Where the account's plans may name a client's person in free text: (rows, fields, history rows'
    filter). The export lists these mentions, the erasure scrubs them."""
    from ..models import KnowledgeTask, PlanReview

    plans = AccountPlan.objects.filter(account=account)
    in_plans = {"plan_id__in": plans.values("pk")}
    plan_texts = ["client_agreed_by", "client_agreement_note", "summary", "industry_variables", "operations_state",
                  "competitive_advantages", "business_problems", "value_chain", "vision_statement"]
    return [
        (plans, plan_texts, {"account_id": account.pk}),
        (Commitment.objects.filter(plan__account=account), ["description"], in_plans),
        (KnowledgeTask.objects.filter(plan__account=account), ["description"], in_plans),
        (PlanReview.objects.filter(plan__account=account), ["attendees", "outcome"], in_plans),
        (Negotiation.objects.filter(account=account), ["title", "our_batna", "their_batna", "strategy_notes"],
         {"account_id": account.pk}),
    ]


def share_links_of(person) -> QuerySet:
    """The account's share links that are the person's: addressed to them, labelled with their name, or
    where they commented under it."""
    from ..models import ClientMessage, ShareLink

    links = ShareLink.objects.filter(plan__account=person.contact.account)
    theirs = {link.pk for link in links.filter(Q(contact=person.contact) | person.q("label")).only("pk", "label",
                                                                                                  "contact_id")
              if link.contact_id == person.contact.pk or person.mentioned_in(link.label)}
    theirs |= {m.thread.link_id for m in ClientMessage.objects.filter(thread__link__in=links)
               .filter(person.q("author_name")).select_related("thread").only("thread__link_id", "author_name")
               if m.thread.link_id is not None and person.mentioned_in(m.author_name)}
    return links.filter(pk__in=theirs)


def personal_data(person) -> list:
    """What plans hold about one client contact (accounts.personal_data): the plans they agreed to,
    the versions they agreed, commitments they owe, share links addressed to them with their views and
    comments, and every plan text naming them."""
    from accounts.personal_data import Section, mentions

    from ..models import AgreedVersion, ClientAction, ClientMessage, ShareView

    contact, account = person.contact, person.contact.account
    agreed = [
        {"plan": str(p), "status": p.get_status_display(), "agreed_by": p.client_agreed_by,
         "agreed_at": p.client_agreed_at, "how": p.get_client_agreement_channel_display(),
         "note": p.client_agreement_note}
        for p in AccountPlan.objects.filter(account=account).filter(
            Q(client_agreed_contact=contact) | person.q("client_agreed_by")).select_related("account")
        if p.client_agreed_contact_id == contact.pk or person.mentioned_in(p.client_agreed_by)
    ]
    versions = [
        {"plan": str(v.plan), "agreed_at": v.agreed_at, "agreed_by": v.agreed_by,
         "how": v.get_channel_display(), "mentioned_in_the_agreed_content": person.mentioned_in(str(v.content))}
        for v in AgreedVersion.objects.filter(plan__account=account).select_related("plan__account")
        if v.contact_id == contact.pk or person.mentioned_in(v.agreed_by) or person.mentioned_in(str(v.content))
    ]
    owed = [{"plan": str(c.plan), "commitment": c.description, "due": c.due_date, "status": c.get_status_display()}
            for c in Commitment.objects.filter(contact=contact).select_related("plan__account")]
    links = share_links_of(person)
    link_rows = [{"id": link.pk, "plan": str(link.plan), "label": link.label, "created_at": link.created_at,
                  "expires_at": link.expires_at, "revoked_at": link.revoked_at}
                 for link in links.select_related("plan__account")]
    views = [{"link": v.link_id, "viewed_at": v.viewed_at, "ip": v.ip, "user_agent": v.user_agent}
             for v in ShareView.objects.filter(link__in=links).order_by("viewed_at", "pk")]
    their_links = {r["id"] for r in link_rows}
    comments = [{"link": m.thread.link_id, "when": m.created_at, "author": m.author_name, "comment": m.body}
                for m in ClientMessage.objects.filter(thread__plan__account=account, author_user__isnull=True)
                .select_related("thread").order_by("created_at", "pk")
                if m.thread.link_id in their_links or m.author_contact_id == contact.pk
                or person.mentioned_in(m.author_name) or person.mentioned_in(m.body)]
    actions = [{"link": a.link_id, "when": a.at, "action": a.get_kind_display(), "on": a.subject, "note": a.note,
                "ip": a.ip, "user_agent": a.user_agent}
               for a in ClientAction.objects.filter(link__in=links).order_by("at", "pk")]
    texts = [row for rows, fields, _history in personal_texts(account) for row in mentions(person, rows, fields)]
    return [
        Section("plans_agreed", _("Plans they agreed to"), agreed),
        Section("agreed_versions", _("Versions of plans agreed by them or naming them"), versions),
        Section("commitments", _("The client's commitments they owe"), owed),
        Section("share_links", _("Share links addressed to them"), link_rows),
        Section("share_views", _("Views of those links (address and browser)"), views),
        Section("share_comments", _("Comments on those links or by them"), comments),
        Section("client_actions", _("What they did through those links (address and browser)"), actions),
        Section("plan_texts", _("Plan texts mentioning them"), texts),
    ]
