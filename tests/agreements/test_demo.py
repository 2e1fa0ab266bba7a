"""The demo tells the agreements' story: one expiring whose KAM and sponsor were told, one renewed into it,
one grown from the demo negotiation, and a few renewing within 90 days."""

import os

import pytest
from django.core.management import call_command
from django.test import override_settings

from agreements import selectors
from agreements.models import AgreementStatus, FrameworkAgreement
from kam.models import Notification

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_agreements_tell_the_story():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    expiring = FrameworkAgreement.objects.get(status=AgreementStatus.EXPIRING)
    assert FrameworkAgreement.objects.get(status=AgreementStatus.RENEWED).successor == expiring
    told = set(Notification.objects.filter(event_key__startswith=f"agreement:{expiring.pk}:")
               .values_list("recipient_id", flat=True))
    assert told == {expiring.account.kam_id, expiring.account.sponsor_id}
    grown = FrameworkAgreement.objects.get(negotiation__isnull=False)
    assert grown.status == AgreementStatus.NEGOTIATION
    assert grown.terms.filter(negotiation_agreement__negotiation=grown.negotiation).exists()
    assert selectors.expiring().count() >= 2
    assert FrameworkAgreement.objects.filter(status=AgreementStatus.ENDED).exists()
