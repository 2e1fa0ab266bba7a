"""factory-boy factories shared by every app's tests. Apps add their own factories in
tests/<app>/factories.py, importing these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Account, AccountTeamMember, Contact, FinancialRecord, Tier
from kam.models import Department


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-test-12345")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


def department(code="sales") -> Department:
    return Department.objects.get(code=code)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Cliente {n} S.A.")
    tax_id = factory.Sequence(lambda n: f"A{n:08d}")
    industry = "steel"
    country = "ES"
    tier = Tier.STANDARD


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    department = factory.LazyFunction(lambda: department("operations"))
    role = "Responsable de operaciones"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    position = "Director de compras"
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


class FinancialRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialRecord

    account = factory.SubFactory(AccountFactory)
    month = datetime.date(2026, 1, 1)
    revenue = Decimal("100000.00")
    cost_of_goods = Decimal("60000.00")
    cost_to_serve = Decimal("10000.00")
