"""The shared mechanisms every app's rules go through: the domain errors and their pages, optimistic
locking with the changes shown, and one-time form tokens."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from kam import idempotency, versioning
from kam.errors import Change, Conflict, Forbidden, Invalid
from kam.middleware import DomainErrorMiddleware
from kam.models import SubmittedForm

pytestmark = pytest.mark.django_db


def _request(method="get", data=None, user=None):
    request = getattr(RequestFactory(), method)("/x/", data or {})
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("exc, status, text", [
    (Forbidden("Only the sponsor signs."), 403, "Only the sponsor signs."),
    (Invalid("The period is over."), 400, "The period is over."),
    (Conflict(changes=[Change("summary", "summary", "their text")]), 409, "their text"),
])
def test_an_unhandled_domain_error_is_answered_with_its_page(exc, status, text):
    middleware = DomainErrorMiddleware(lambda r: HttpResponse())
    response = middleware.process_exception(_request(), exc)
    assert response.status_code == status
    assert text in response.content.decode()


def test_other_exceptions_are_left_to_django():
    assert DomainErrorMiddleware(lambda r: HttpResponse()).process_exception(_request(), ValueError()) is None


def test_invalid_keeps_field_errors_from_a_validation_error():
    from django.core.exceptions import ValidationError

    exc = Invalid.from_validation_error(ValidationError({"due_date": ["Too late."], "__all__": ["No."]}))
    assert exc.errors == {"due_date": ["Too late."], None: ["No."]}
    assert "Too late." in str(exc)


def test_a_save_from_an_old_version_is_refused_with_what_changed():
    from planning.models import AccountPlan
    from tests.planning.factories import PlanFactory

    plan = PlanFactory(summary="first")
    started_from = plan.version
    plan.summary = "someone else's"
    plan.version += 1
    plan.save()
    with pytest.raises(Conflict) as caught:
        versioning.claim(AccountPlan.objects.all(), plan.pk, started_from, ["summary", "vision_statement"])
    assert [(c.field, c.theirs) for c in caught.value.changes] == [("summary", "someone else's")]
    assert caught.value.current.pk == plan.pk
    # From the version now shown, the same save goes through.
    assert versioning.claim(AccountPlan.objects.all(), plan.pk, plan.version, ["summary"]).pk == plan.pk


@pytest.mark.parametrize("tampered", [None, "", "x", "-1"])
def test_a_missing_or_tampered_version_is_a_conflict(tampered):
    from planning.models import AccountPlan
    from tests.planning.factories import PlanFactory

    plan = PlanFactory()
    with pytest.raises(Conflict):
        versioning.claim(AccountPlan.objects.all(), plan.pk, tampered, ["summary"])


def test_current_skips_the_check_for_deliberate_edits_of_the_row_as_it_is():
    from planning.models import AccountPlan
    from tests.planning.factories import PlanFactory

    plan = PlanFactory()
    assert versioning.claim(AccountPlan.objects.all(), plan.pk, versioning.CURRENT, ["summary"]).pk == plan.pk


def test_a_form_sent_twice_acts_once_and_the_second_gets_the_first_result():
    calls = []

    @idempotency.once_per_submit
    def create(request):
        calls.append(1)
        return HttpResponseRedirect(f"/things/{len(calls)}/")

    token = str(uuid.uuid4())
    first = create(_request("post", {idempotency.FIELD: token}))
    second = create(_request("post", {idempotency.FIELD: token}))
    assert len(calls) == 1
    assert first["Location"] == second["Location"] == "/things/1/"


def test_a_form_shown_again_with_errors_releases_its_token():
    calls = []

    @idempotency.once_per_submit
    def create(request):
        calls.append(1)
        return HttpResponse("errors", status=200) if len(calls) == 1 else HttpResponseRedirect("/ok/")

    token = str(uuid.uuid4())
    create(_request("post", {idempotency.FIELD: token}))
    assert not SubmittedForm.objects.filter(token=token).exists()
    assert create(_request("post", {idempotency.FIELD: token}))["Location"] == "/ok/"
    assert len(calls) == 2


def test_without_a_token_every_post_acts():
    calls = []

    @idempotency.once_per_submit
    def create(request):
        calls.append(1)
        return HttpResponseRedirect("/")

    create(_request("post", {}))
    create(_request("post", {idempotency.FIELD: "not-a-uuid"}))
    assert len(calls) == 2


def test_old_tokens_are_pruned():
    from django.utils import timezone

    old = SubmittedForm.objects.create(token=uuid.uuid4())
    SubmittedForm.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    fresh = SubmittedForm.objects.create(token=uuid.uuid4())
    assert idempotency.submitted_forms_prune() == 1
    assert list(SubmittedForm.objects.values_list("pk", flat=True)) == [fresh.pk]
