import random

import pytest
from django.utils import timezone

from accounts.models import Account, Activity, ActivityKind
from kam import demo as kam_demo
from kam.roles import KAM, SPONSOR
from tests.factories import AccountFactory, ContactFactory
from touchpoints import demo
from touchpoints.models import ClientFeedback, IncidentStatus, ServiceIncident, Touchpoint, TouchpointKind
from touchpoints.selectors import sponsor_visit_status

pytestmark = pytest.mark.django_db


def test_small_demo_covers_every_case_and_is_idempotent():
    ctx = kam_demo.DemoContext(size="small", today=timezone.localdate(), rng=random.Random(7), log=lambda m: None)
    kam_demo.seed(ctx)
    kams, sponsors = ctx.by_role(KAM), ctx.by_role(SPONSOR)
    for i in range(12):
        account = AccountFactory(tier="key" if i < 8 else "standard", kam=kams[i % len(kams)],
                                 sponsor=sponsors[i % len(sponsors)] if i < 8 else None)
        ContactFactory.create_batch(2, account=account)
    demo.seed(ctx)
    touchpoints = Touchpoint.objects.count()
    assert touchpoints >= demo.SIZES["small"][0]
    assert Activity.objects.filter(kind=ActivityKind.TOUCHPOINT).count() == demo.SIZES["small"][0]
    assert set(Touchpoint.objects.values_list("department__code", flat=True).distinct()) >= {
        "sales", "operations", "finance", "technical", "customer_service"}
    assert set(ServiceIncident.objects.values_list("status", flat=True).distinct()) == set(IncidentStatus.values)
    assert ServiceIncident.objects.filter(ack_breached_at__isnull=False).exists()
    assert ServiceIncident.objects.filter(resolve_breached_at__isnull=False, status=IncidentStatus.CLOSED).exists()
    assert Touchpoint.objects.filter(kind=TouchpointKind.EXECUTIVE_VISIT).exists()
    statuses = sponsor_visit_status(Account.objects.filter(tier="key"))
    assert any(s.overdue for s in statuses) and any(not s.overdue for s in statuses)
    assert ClientFeedback.objects.exists()
    # The five-star service story: taken, waiting on the client, closed with its root cause, escalated.
    assert ServiceIncident.objects.filter(severity="critical", assignee__isnull=False, status="open",
                                          account__tier="key").exists()
    assert ServiceIncident.objects.filter(waiting_since__isnull=False).exists()
    assert ServiceIncident.objects.filter(severity="critical", status="closed").exclude(root_cause="").exists()
    assert ServiceIncident.objects.filter(manager_escalated_at__isnull=False).exists()
    # Deadlines always follow the opening, and finished incidents carry their timestamps.
    for incident in ServiceIncident.objects.filter(status=IncidentStatus.CLOSED)[:50]:
        assert incident.opened_at < incident.ack_due_at <= incident.resolve_due_at
        assert incident.acknowledged_at and incident.resolved_at and incident.closed_at and incident.resolution
    demo.seed(ctx)
    assert Touchpoint.objects.count() == touchpoints
