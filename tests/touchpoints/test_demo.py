import datetime
import random

import pytest
from django.utils import timezone

from accounts.models import Account, Activity, ActivityKind, Contact
from kam import demo as kam_demo
from kam.roles import KAM, SPONSOR
from tests.factories import AccountFactory, ContactFactory, TeamMemberFactory
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
        if i == 0:
            TeamMemberFactory(account=account, user=ctx.users["pablo.gil"], department=ctx.department_of("pablo.gil"))
            champion = ContactFactory(account=account, attitude="champion")
    demo.seed(ctx)
    touchpoints = Touchpoint.objects.count()
    assert touchpoints >= demo.SIZES["small"][0]
    story = len(demo.FOLLOW_UP_STORY)
    assert Activity.objects.filter(kind=ActivityKind.TOUCHPOINT).count() == demo.SIZES["small"][0] + story
    # The follow-up story: open ones for finance, operations, supply chain, the KAM and a sponsor; the
    # random ones have an owner and a due date, the older ones done; the champion forgotten for months.
    open_ones = Touchpoint.objects.filter(follow_up=True, follow_up_closed_at__isnull=True)
    assert {"pablo.gil", "carlos.navarro", "luis.romero", "ana.garcia", "elena.ruiz"} <= set(
        open_ones.values_list("follow_up_owner__username", flat=True))
    assert not Touchpoint.objects.filter(follow_up=True, follow_up_owner__isnull=True).exists()
    assert Touchpoint.objects.filter(follow_up=True, follow_up_closed_at__isnull=False).exists()
    champion.refresh_from_db()
    assert champion.last_contact_date == timezone.localdate() - datetime.timedelta(days=150)
    assert not champion.touchpoints.exists()
    # Every contact's last contact is no earlier than their latest touchpoint.
    for c in Contact.objects.filter(touchpoints__isnull=False).distinct()[:50]:
        latest = c.touchpoints.order_by("-occurred_at").first().occurred_at.date()
        assert c.last_contact_date >= latest
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
