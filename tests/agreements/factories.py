import datetime

import factory

from agreements.formulas import notice_date
from agreements.models import AgreementTerm, FrameworkAgreement
from tests.factories import AccountFactory


class FrameworkAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkAgreement

    account = factory.SubFactory(AccountFactory, tier="key")
    title = factory.Sequence(lambda n: f"Acuerdo marco de suministro {n}")
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=200))
    end_date = factory.LazyAttribute(lambda a: a.start_date + datetime.timedelta(days=364))
    renewal_date = factory.LazyAttribute(lambda a: a.end_date)
    notice_days = 90
    notice_date = factory.LazyAttribute(lambda a: notice_date(a.renewal_date, a.notice_days))
    created_by = factory.LazyAttribute(lambda a: a.account.kam)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementTerm

    agreement = factory.SubFactory(FrameworkAgreementFactory)
    kind = "price"
    text = factory.Sequence(lambda n: f"Descuento por volumen escalón {n}")
