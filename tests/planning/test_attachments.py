"""Files on plans, negotiations and framework agreements: the access table's rows for them
(ATTACHMENT_CASES of tests/planning/access.py and tests/agreements/access.py) walked for every persona,
GET and POST, as the access and write matrices do for the account's files; and the files' part on the
plan, negotiation and agreement pages."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Attachment
from tests.access import POST_PERSONAS
from tests.agreements.access import ATTACHMENT_CASES as AGREEMENT_CASES
from tests.conftest import PERSONAS, client_for
from tests.planning.access import ATTACHMENT_CASES as PLANNING_CASES
from tests.test_write_matrix import REFUSED, _writes

pytestmark = pytest.mark.django_db

ATTACHMENT_CASES = {**PLANNING_CASES, **AGREEMENT_CASES}


@pytest.mark.parametrize("label", sorted(ATTACHMENT_CASES))
def test_every_persona_gets_what_the_table_says(world, label):
    url_name, case = ATTACHMENT_CASES[label]
    url = reverse(url_name, kwargs=case.resolve_kwargs(world))
    got = {p: client_for(getattr(world, p)).get(url).status_code for p in PERSONAS}
    assert got == case.expected, label


@pytest.mark.parametrize("label", sorted(k for k, (_n, c) in ATTACHMENT_CASES.items() if c.post))
def test_every_persona_posts_what_the_table_says(world, label):
    url_name, case = ATTACHMENT_CASES[label]
    got, wrote = {}, {}
    for persona in POST_PERSONAS:
        with transaction.atomic():
            data = case.post(world)
            url = reverse(url_name, kwargs=case.resolve_kwargs(world))
            client = client_for(getattr(world, persona))
            with CaptureQueriesContext(connection) as queries:
                response = client.post(url, data)
            got[persona] = response.status_code
            refused = response.status_code in REFUSED or response.get("Location", "").startswith("/login/")
            wrote[persona] = (refused, _writes(queries))
            transaction.set_rollback(True)
    assert got == case.post_expected, label
    for persona, (refused, writes) in wrote.items():
        assert bool(writes) != refused, f"{label}: {persona} refused={refused} wrote {writes}"


def test_the_plan_and_negotiation_pages_load_their_files(world):
    client = client_for(world.kam)
    for page, key, obj in ((reverse("planning:plan_detail", args=[world.plan.pk]), "accountplan", world.plan),
                           (reverse("planning:negotiation_detail", args=[world.negotiation.pk]), "negotiation",
                            world.negotiation)):
        html = client.get(page).content.decode()
        part = reverse("accounts:attachments", args=[key, obj.pk])
        assert f'hx-get="{part}"' in html
        listed = client.get(part, HTTP_HX_REQUEST="true").content.decode()
        name = Attachment.objects.get(object_id=obj.pk, content_type__model=key).original_name
        assert name in listed and "<html" not in listed


def test_who_may_not_read_a_negotiation_is_not_offered_its_files(world):
    # ops_member opens the plan (on the team) but not the negotiation, nor its files.
    client = client_for(world.ops_member)
    plan_page = client.get(reverse("planning:plan_detail", args=[world.plan.pk])).content.decode()
    assert reverse("accounts:attachments", args=["accountplan", world.plan.pk]) in plan_page
    assert client.get(reverse("accounts:attachments", args=["negotiation", world.negotiation.pk])).status_code == 404
    assert client.get(reverse("accounts:attachment_download",
                              args=[world.negotiation_attachment.pk])).status_code == 404


def test_the_agreement_page_loads_its_signed_copy(world):
    html = client_for(world.kam).get(reverse("agreements:detail", args=[world.framework.pk])).content.decode()
    part = reverse("accounts:attachments", args=["frameworkagreement", world.framework.pk])
    assert f'hx-get="{part}"' in html
    listed = client_for(world.kam).get(part, HTTP_HX_REQUEST="true").content.decode()
    assert "acuerdo-firmado.pdf" in listed
    # Operations on the team serve the account without its commercial data: neither page nor files.
    assert client_for(world.operator).get(part).status_code == 404
