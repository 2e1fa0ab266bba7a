import datetime
from decimal import Decimal

import factory

from accounts.models import Assessment, AssessmentScore, SelectionCriterion
from tests.factories import AccountFactory, UserFactory


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionCriterion

    code = factory.Sequence(lambda n: f"criterion-{n}")
    name = factory.Sequence(lambda n: f"Criterion {n}")
    axis = "attractiveness"
    weight = Decimal("1")
    scale_max = 5


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    account = factory.SubFactory(AccountFactory)
    assessor = factory.SubFactory(UserFactory)
    assessed_on = factory.LazyFunction(datetime.date.today)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentScore

    assessment = factory.SubFactory(AssessmentFactory)
    criterion = factory.SubFactory(CriterionFactory)
    score = 3


def only_criteria(*specs):
    """Replace the default criteria by `specs` [(code, axis, weight, scale_max)], for hand-computed examples."""
    SelectionCriterion.objects.all().update(active=False)
    return [CriterionFactory(code=code, name=code, axis=axis, weight=Decimal(str(w)), scale_max=scale)
            for code, axis, w, scale in specs]
