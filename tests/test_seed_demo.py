"""The demo data set as a whole: every app's seed runs, the result is believable, and running the
command again changes nothing (`make run` seeds on every start)."""

import os

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from kam.demo import PEOPLE
from kam.navigation import home_url_for
from kam.roles import user_roles

PROJECT_APPS = ("kam", "accounts", "planning", "touchpoints", "agreements", "charter", "metrics",
                "roster", "programme")
# Operational logs, not demo data: each seed triggers one metrics recompute, which records that it ran.
RUN_LOGS = {"metrics.RecomputeRun"}


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in RUN_LOGS
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeds twice once for the module (a seed takes tens of seconds), inside a transaction that is
    rolled back afterwards so the other tests start from an empty database."""
    from django.db import transaction
    from django.test import override_settings

    # The real password hasher is not under test; the fast one keeps the seed quick.
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ), open(os.devnull, "w") as quiet:
        with transaction.atomic():
            call_command("seed_demo", stdout=quiet)
            first = _row_counts()
            call_command("seed_demo", stdout=quiet)
            yield first, _row_counts()
            transaction.set_rollback(True)


pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_seed_demo_is_idempotent(seeded):
    first, again = seeded
    changed = {k: (first[k], again[k]) for k in first if first[k] != again[k]}
    assert not changed, f"a second seed_demo changed row counts (before, after): {changed}"
    # Every app that has models seeds something.
    empty_apps = {label for label in PROJECT_APPS
                  if label != "kam" and sum(n for k, n in first.items() if k.startswith(f"{label}.")) == 0}
    assert not empty_apps, f"apps without demo data: {empty_apps}"


def test_every_demo_login_works_and_has_its_role(seeded):
    User = get_user_model()
    assert User.objects.filter(username__in=[p[0] for p in PEOPLE]).count() == len(PEOPLE)
    for username, _first, _last, role, _dept in PEOPLE:
        user = authenticate(username=username, password=settings.KAM_DEMO_PASSWORD)
        assert user is not None, username
        if role:
            assert role in user_roles(user), username
        assert home_url_for(user).startswith("/")


def test_the_demo_has_a_believable_programme(seeded):
    from accounts.models import Account

    accounts = Account.objects.all()
    assert 50 <= accounts.count() <= 80
    assert 5 <= accounts.filter(tier="key").count() <= 30
    assert accounts.values("industry").distinct().count() >= 5
    # Every key account has its KAM and its executive sponsor.
    assert not accounts.filter(tier="key", kam__isnull=True).exists()
    assert not accounts.filter(tier="key", sponsor__isnull=True).exists()


def test_the_demo_plans_follow_the_method(seeded):
    """Our sign-offs come before the client's agreement, each given by someone allowed to give it now,
    and a client commitment carries a delivery date only when it is done."""
    from planning import selectors
    from planning.models import AccountPlan, AgreedVersion, Commitment, PlanStatus

    agreed = (AccountPlan.objects.filter(client_agreed_at__isnull=False)
              .select_related("account__kam", "account__sponsor"))
    assert agreed.filter(status=PlanStatus.AGREED).count() >= 3
    for plan in agreed:
        signoffs = list(plan.signoffs.all())
        assert signoffs, plan
        assert all(s.signed_at <= plan.client_agreed_at for s in signoffs), plan
        for s in signoffs:
            assert s.signed_by_id not in (plan.owner_id, plan.account.kam_id), plan
            assert selectors.can_sign_for(s.signed_by, plan, s.department), (plan, s)
        if plan.status != PlanStatus.CLOSED:
            assert AgreedVersion.objects.filter(plan=plan).exists(), plan
        if plan.status == PlanStatus.AGREED:
            assert not plan.needs_reagreement
            active = {s.department_id for s in signoffs if s.cleared_at is None}
            required = set(plan.commitments.filter(party="us").values_list("department_id", flat=True))
            assert required | {None} <= active, plan
    # The demo also shows a plan changed after the client agreed, awaiting sign-off and agreement again.
    reopened = AccountPlan.objects.filter(needs_reagreement=True, status=PlanStatus.IN_REVIEW)
    assert reopened.exists()
    assert all(selectors.agreement_changes(p)["added"] for p in reopened)
    assert not Commitment.objects.exclude(status="done").filter(delivered_on__isnull=False).exists()


def test_the_demo_tells_the_health_story(seeded):
    """A healthy key account, a key account declining commercially, and a customer not measured yet."""
    from accounts.models import Account
    from metrics.demo import NOT_MEASURED_TAX_ID
    from metrics.models import AccountSnapshot

    latest = AccountSnapshot.objects.order_by("-day").values_list("day", flat=True).first()
    today = AccountSnapshot.objects.filter(day=latest)
    assert today.filter(tier="key", health__gte=70).exists()
    assert today.filter(tier="key", health_commercial__lte=30).exists()
    fresh = Account.objects.get(tax_id=NOT_MEASURED_TAX_ID)
    assert fresh.kam_id is not None and fresh.health_score is None
    assert today.get(account=fresh).health is None
    assert not today.filter(health__isnull=False).exclude(parameters__has_key="weights").exists()
def test_the_demo_has_loss_making_accounts_and_customers_lost(seeded):
    """As real portfolios do: a few accounts cost more to serve than they earn (the whale curve's tail),
    and some customers stopped buying (so the observed retention is below 1)."""
    from metrics.models import AccountSnapshot, RetentionEstimate
    from metrics.selectors import latest_snapshot_day

    day = latest_snapshot_day()
    losing = AccountSnapshot.objects.filter(day=day, has_financials=True, contribution_12m__lt=0).count()
    assert 2 <= losing <= 10
    overall = RetentionEstimate.objects.filter(segment="overall").latest("run__finished_at")
    assert overall.sample >= 30 and 0.6 < overall.rate < 0.95


def test_the_demo_key_account_has_a_full_brief(seeded):
    """The brief of a demo KAM's first key account has something in every section a meeting starts from."""
    from django.contrib.auth import get_user_model

    from accounts.models import Account
    from metrics.selectors import account_brief

    kam = get_user_model().objects.get(username="ana.garcia")
    account = Account.objects.filter(kam=kam, tier="key").order_by("pk").first()
    brief = account_brief(kam, account)
    assert brief["incidents"] and brief["ours"] and brief["touchpoints"]
    assert brief["health"]["score"] is not None and brief["health"]["delta"] is not None
    assert brief["vision"] and brief["vision"]["text"]


def test_my_work_has_something_for_the_kam_the_sponsor_finance_and_operations(seeded):
    from django.contrib.auth import get_user_model

    from accounts.selectors import stale_stakeholders
    from metrics.selectors import my_work

    User = get_user_model()
    for username in ("ana.garcia", "elena.ruiz", "pablo.gil", "carlos.navarro"):
        work = my_work(User.objects.get(username=username))
        sections = {s.key: s for s in work["sections"]}
        assert sections["follow_ups"].items, username
        assert work["total"] > 0, username
    finance = {s.key: s for s in my_work(User.objects.get(username="pablo.gil"))["sections"]}
    assert any(i.overdue for i in finance["follow_ups"].items)  # one overdue, one due soon
    assert any(not i.overdue for i in finance["follow_ups"].items)
    from accounts.models import Account

    assert stale_stakeholders(Account.objects.filter(kam__username="ana.garcia", tier="key")).exists()


def test_the_demo_shows_the_clients_side(seeded):
    """A plan shared with a client contact who opened it with a code and worked on it: the KAM has
    client activity to read and a request to answer."""
    from planning.models import ClientAction, ClientThread, ShareLink

    link = ShareLink.objects.filter(contact__isnull=False, client_actions__isnull=False).distinct().get()
    assert link.email and link.contact.account_id == link.plan.account_id
    kinds = set(ClientAction.objects.filter(link=link).values_list("kind", flat=True))
    assert {"commitment_done", "value_disputed", "change_requested"} <= kinds
    threads = ClientThread.objects.filter(link=link)
    assert threads.filter(answered_at__isnull=False).exists() and threads.filter(answered_at__isnull=True).exists()
