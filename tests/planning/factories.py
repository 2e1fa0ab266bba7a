import datetime

import factory

from planning.models import (
    AccountPlan,
    Commitment,
    KnowledgeTask,
    Negotiation,
    NegotiationAgreement,
    Opportunity,
    PlanReview,
    ValueDelivered,
)
from tests.factories import AccountFactory, UserFactory, department


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPlan

    account = factory.SubFactory(AccountFactory, tier="key")
    period_kind = "year"
    period_start = factory.LazyFunction(lambda: datetime.date(datetime.date.today().year, 1, 1))
    period_end = factory.LazyAttribute(lambda p: datetime.date(p.period_start.year, 12, 31))
    owner = factory.LazyAttribute(lambda p: p.account.kam)
    summary = "Crecer en mantenimiento predictivo"
    next_review_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeTask

    plan = factory.SubFactory(PlanFactory)
    description = factory.Sequence(lambda n: f"Asistir al curso de inducción {n}")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    plan = factory.SubFactory(PlanFactory)
    client_benefit = factory.Sequence(lambda n: f"Reducir paradas {n}")
    our_solution = "Monitorización de bombas"
    value = 100000
    probability = 50


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    plan = factory.SubFactory(PlanFactory)
    party = "us"
    department = factory.LazyFunction(lambda: department("finance"))
    description = factory.Sequence(lambda n: f"Compromiso {n}")
    due_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(PlanFactory)
    planned_on = factory.LazyFunction(datetime.date.today)


class ValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueDelivered

    plan = factory.SubFactory(PlanFactory)
    outcome = "Ahorro energético"
    amount = 25000
    delivered_on = factory.LazyFunction(datetime.date.today)


class NegotiationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Negotiation

    account = factory.SubFactory(AccountFactory, tier="key")
    title = "Renovación del contrato marco"
    created_by = factory.SubFactory(UserFactory)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NegotiationAgreement

    negotiation = factory.SubFactory(NegotiationFactory)
    description = "Revisión trimestral de precios"


def share_link(actor, plan, hidden_sections=(), contact=None, **kwargs):
    """A share link addressed to a contact of the plan's account (one with an e-mail is made if none is
    given): (link, token)."""
    from planning import services
    from tests.factories import ContactFactory

    contact = contact or ContactFactory(account=plan.account)
    return services.share_link_create(actor=actor, plan=plan, hidden_sections=list(hidden_sections),
                                      contact=contact, **kwargs)
