"""Promoting an account to key account names who runs it: its KAM and an executive sponsor, asked on
the tier decision form and set in the same transaction as the decision."""

import pytest

from accounts import services
from accounts.models import Account, TierDecision
from kam.errors import Invalid
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_promotion_to_key_needs_a_kam_and_a_sponsor(personas):
    account = personas.other_account  # a KAM, no sponsor
    with pytest.raises(Invalid) as caught:
        services.tier_decide(actor=personas.lead, account=account, to_tier="key", reason="Estratégica",
                             kam=personas.other_kam, sponsor=None)
    assert set(caught.value.errors) == {"sponsor"}
    assert not TierDecision.objects.filter(account=account).exists()
    assert Account.objects.get(pk=account.pk).tier == "standard"


def test_promotion_sets_kam_and_sponsor_with_the_decision(personas):
    account = personas.other_account
    services.tier_decide(actor=personas.lead, account=account, to_tier="key", reason="Estratégica",
                         kam=personas.kam, sponsor=personas.sponsor)
    account.refresh_from_db()
    assert (account.tier, account.kam, account.sponsor) == ("key", personas.kam, personas.sponsor)


def test_the_kam_and_sponsor_must_hold_those_roles(personas):
    with pytest.raises(Invalid) as caught:
        services.tier_decide(actor=personas.lead, account=personas.other_account, to_tier="key", reason="Sí",
                             kam=personas.teammate, sponsor=personas.kam)
    assert set(caught.value.errors) == {"kam", "sponsor"}


def test_other_tier_changes_ask_for_nobody(personas):
    services.tier_decide(actor=personas.lead, account=personas.other_account, to_tier="development", reason="Crece")
    assert Account.objects.get(pk=personas.other_account.pk).tier == "development"


def test_the_tier_form_asks_for_them_prefilled_from_the_account(personas):
    account = personas.other_account
    client = client_for(personas.lead)
    page = client.get(f"/accounts/{account.pk}/tier/").content.decode()
    assert '<select name="kam"' in page and '<select name="sponsor"' in page
    assert f'<option value="{personas.other_kam.pk}" selected>' in page
    form = {"expected_tier": "standard", "to_tier": "key", "reason": "Clase A y estratégica",
            "kam": personas.other_kam.pk}
    missing = client.post(f"/accounts/{account.pk}/tier/", form)
    assert missing.status_code == 200 and "needs an executive sponsor" in missing.content.decode()
    assert client.post(f"/accounts/{account.pk}/tier/", {**form, "sponsor": personas.sponsor.pk}).status_code == 302
    account.refresh_from_db()
    assert (account.tier, account.sponsor) == ("key", personas.sponsor)
