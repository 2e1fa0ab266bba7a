import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import AccountFactory, UserFactory, department
from touchpoints import sla
from touchpoints.models import (
    ClientFeedback,
    IncidentCategory,
    PartnershipRating,
    ServiceIncident,
    Severity,
    Touchpoint,
    TouchpointKind,
)
from touchpoints.selectors import sla_policy_for


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    account = factory.SubFactory(AccountFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    department = factory.LazyFunction(lambda: department("sales"))
    channel = "phone"
    kind = TouchpointKind.COMMERCIAL
    summary = "Llamada de seguimiento del pedido trimestral"
    quality = 4
    cost = Decimal("0")
    created_by = factory.SubFactory(UserFactory)


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident with its deadlines computed from the policy, as the service does."""

    class Meta:
        model = ServiceIncident

    account = factory.SubFactory(AccountFactory)
    opened_at = factory.LazyFunction(timezone.now)
    title = "Entrega retrasada en planta de Avilés"
    category = IncidentCategory.DELIVERY
    severity = Severity.HIGH
    opened_by = factory.SubFactory(UserFactory)

    @factory.lazy_attribute
    def ack_due_at(self):
        policy = sla_policy_for(self.account.tier, self.severity)
        return sla.deadlines(self.opened_at, policy.ack_hours, policy.resolve_hours)[0]

    @factory.lazy_attribute
    def resolve_due_at(self):
        policy = sla_policy_for(self.account.tier, self.severity)
        return sla.deadlines(self.opened_at, policy.ack_hours, policy.resolve_hours)[1]


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientFeedback

    account = factory.SubFactory(AccountFactory)
    score = 8
    comment = "Contentos con el servicio"
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipRating

    account = factory.SubFactory(AccountFactory)
    score = 6
    rated_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
