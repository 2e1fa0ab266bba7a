"""Demo data of the client's voice: quarterly client scores and our team's ratings, and the client
survey story of the second key account (touchpoints.demo calls these)."""

import datetime

from django.utils import timezone

from accounts.models import Account, Activity, ActivityKind, Contact, Tier

from .models import ClientFeedback, PartnershipRating, SurveyLink, SurveyResponse

BATCH = 5000


def seed_feedback(ctx, accounts, contacts, now):
    """Quarterly client scores and our team's ratings for key and development accounts."""
    rng = ctx.rng
    users = {u.pk: u for u in ctx.users.values()}
    feedback, ratings, activities = [], [], []
    for account in accounts:
        if account.tier not in (Tier.KEY, Tier.DEVELOPMENT):
            continue
        base = rng.randint(5, 9)
        for quarter in range(4):
            day = (now - datetime.timedelta(days=quarter * 91 + rng.randint(1, 30))).date()
            score = max(0, min(10, base + rng.randint(-2, 1)))
            contact_id = rng.choice(contacts[account.pk]) if contacts.get(account.pk) else None
            feedback.append(ClientFeedback(account_id=account.pk, contact_id=contact_id, score=score, received_on=day,
                                           comment=rng.choice(["", "Valoran la rapidez del servicio técnico",
                                                               "Preocupación por los plazos de entrega",
                                                               "Satisfechos con la última revisión"])))
            activities.append(Activity(account_id=account.pk, kind=ActivityKind.FEEDBACK, subkind="client",
                                       occurred_at=noon(day), summary=f"Satisfacción del cliente {score}/10"))
            if quarter % 2 == 0 and account.kam_id in users:
                ours = max(0, min(10, base + rng.randint(-1, 2)))
                ratings.append(PartnershipRating(account_id=account.pk, rated_by=users[account.kam_id], score=ours,
                                                 rated_on=day, comment="Valoración del equipo de cuenta"))
                activities.append(Activity(account_id=account.pk, kind=ActivityKind.FEEDBACK, subkind="partnership",
                                           occurred_at=noon(day), actor=users[account.kam_id],
                                           summary=f"Valoración de la relación por nuestro equipo {ours}/10"))
    ClientFeedback.objects.bulk_create(feedback, batch_size=BATCH)
    PartnershipRating.objects.bulk_create(ratings, batch_size=BATCH)
    Activity.objects.bulk_create(activities, batch_size=BATCH)


# The demo key account's survey story: the client's satisfaction slides quarter after quarter while our
# team goes on rating the partnership highly, until the latest answer falls below the alert floor with a
# gap of four points (the alert the KAM and the sponsor see).
SURVEY_STORY = [  # quarters ago, satisfaction, recommend, understands, delivers, easy, our rating, comment
    (4, 8, 9, 4, 4, 4, 8, "Buen arranque del proyecto de suministro"),
    (3, 8, 8, 4, 4, 4, 8, ""),
    (2, 7, 7, 3, 3, 4, 9, "Algunos retrasos en las entregas a Gijón"),
    (1, 6, 6, 3, 2, 3, 9, "Los plazos de entrega siguen sin cumplirse"),
]
SURVEY_LATEST = {"satisfaction": 5, "recommend": 5, "understands": 3, "delivers": 2, "easy": 3,
                 "comment": "Necesitamos más visibilidad sobre los pedidos urgentes"}


def seed_surveys(ctx, now):
    """Survey answers over several quarters on a key account with a KAM, the last one through
    the real service (so its alert is raised as in use)."""
    from kam.tokens import token_new

    from .services import survey_answer

    # The second key account: the first is the demo's healthy one, whose satisfaction stays high.
    keys = list(Account.objects.filter(tier=Tier.KEY, archived_at__isnull=True, kam__isnull=False)
                .order_by("pk")[:2])
    if not keys:
        return
    account = keys[-1]
    contact = Contact.objects.filter(account=account, left_at__isnull=True).order_by("pk").first()
    if contact is None:
        return
    if not contact.email:
        contact.email = "compras@cliente.example"
    contact.language = "es"
    contact.save(update_fields=["email", "language"])
    for quarters_ago, sat, rec, und, dlv, easy, ours, comment in SURVEY_STORY:
        moment = now - datetime.timedelta(days=91 * quarters_ago)
        day = timezone.localtime(moment).date()
        link = SurveyLink.objects.create(account=account, contact=contact, language="es",
                                         token_hash=token_new()[1],
                                         created_at=moment - datetime.timedelta(days=3), sent_at=moment,
                                         expires_at=moment + datetime.timedelta(days=27), answered_at=moment)
        feedback = ClientFeedback.objects.create(account=account, contact=contact, score=sat, received_on=day,
                                                 comment=comment)
        SurveyResponse.objects.create(link=link, feedback=feedback, satisfaction=sat, recommend=rec, understands=und,
                                      delivers=dlv, easy=easy, comment=comment, answered_at=moment)
        PartnershipRating.objects.create(account=account, rated_by=account.kam, score=ours, rated_on=day,
                                         comment="Valoración del equipo de cuenta tras la revisión trimestral")
    PartnershipRating.objects.create(account=account, rated_by=account.kam, score=9, rated_on=timezone.localdate(now),
                                     comment="Valoración del equipo de cuenta tras la revisión trimestral")
    link = SurveyLink.objects.create(account=account, contact=contact, language="es",
                                     token_hash=token_new()[1],
                                     created_at=now - datetime.timedelta(days=2),
                                     sent_at=now - datetime.timedelta(days=2),
                                     expires_at=now + datetime.timedelta(days=28))
    survey_answer(link=link, data=SURVEY_LATEST)


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
