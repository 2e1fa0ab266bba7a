"""Picks the concrete pages to measure from the seeded data, inside Django (run by bench/server.py as
`python -m bench.targets`, which prints JSON). Pages whose URL name is not installed are reported as
missing rather than failing the run, so the benchmark works on a partial build too.

The objects chosen are the heaviest of their kind the demo people can see (the key account with the
most activity, its current plan), so the figures are the worst case a user meets, not the average.
"""

import json
import os
import sys


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    import django

    django.setup()


def _reverse(name, **kwargs):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _model(app_label, name):
    from django.apps import apps

    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def find() -> dict:
    _setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import get_commands
    from django.db.models import Count

    from accounts.models import Account
    from kam.demo import PEOPLE
    from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR

    users = {role: [u for u, _f, _l, r, _d in PEOPLE if r == role] for role in (KAM, LEAD, OPERATIONS, SPONSOR)}
    lead = users[LEAD][0]
    operator = users[OPERATIONS][0]
    kam = users[KAM][0]
    sponsor = users[SPONSOR][0]

    # The first demo KAM's busiest key account: most events on its timeline.
    account = (
        Account.objects.filter(tier="key", kam__username=kam)
        .annotate(n=Count("activities"))
        .order_by("-n", "pk")
        .first()
    ) or Account.objects.filter(kam__username=kam).order_by("pk").first()
    if account is not None and account.sponsor_id:
        sponsor = get_user_model().objects.filter(pk=account.sponsor_id).values_list("username", flat=True).first()

    plan_url = None
    plans = []
    AccountPlan = _model("planning", "AccountPlan")
    if AccountPlan is not None and account is not None:
        plan = AccountPlan.objects.filter(account=account).order_by("-period_start", "-pk").first()
        if plan is not None:
            plan_url = _reverse("planning:plan_detail", pk=plan.pk)
        # One plan per load-test user to read and edit, each with the KAM who may edit it.
        for p in (AccountPlan.objects.filter(account__kam__isnull=False, account__tier="key")
                  .exclude(status="closed").select_related("account__kam").order_by("pk")[:60]):
            plans.append({"url": _reverse("planning:plan_detail", pk=p.pk),
                          "kam": p.account.kam.username, "account_pk": p.account_id})

    acc = {"pk": account.pk} if account is not None else None
    pages = [
        ("account list", lead, _reverse("accounts:list")),
        ("account page", kam, acc and _reverse("accounts:detail", **acc)),
        # The account page loads its panels in requests of their own (htmx, on load).
        ("  plan panel", kam, acc and _reverse("accounts:panel", app="planning", **acc)),
        ("  touchpoints panel", kam, acc and _reverse("accounts:panel", app="touchpoints", **acc)),
        ("  metrics panel", kam, acc and _reverse("accounts:panel", app="metrics", **acc)),
        ("relationship map", kam, acc and _reverse("accounts:contacts", **acc)),
        ("timeline", kam, acc and _reverse("touchpoints:timeline", **acc)),
        ("portfolio", lead, _reverse("accounts:portfolio")),
        ("pareto", lead, _reverse("accounts:pareto")),
        ("plan", kam, plan_url),
        ("incident queue", operator, _reverse("touchpoints:incident_list")),
        ("dashboard kam", kam, _reverse("metrics:dashboard_kam")),
        ("dashboard sponsor", sponsor, _reverse("metrics:dashboard_sponsor")),
        ("dashboard program", lead, _reverse("metrics:dashboard_program")),
        ("notifications", kam, _reverse("kam:notifications")),
    ]
    kam_accounts = list(Account.objects.filter(tier="key", kam__isnull=False).order_by("pk")
                        .values_list("pk", "kam__username")[:60])
    return {
        "pages": [{"name": n, "user": u, "url": url} for n, u, url in pages],
        "users": users,
        "account_pk": account.pk if account else None,
        "accounts": Account.objects.count(),
        "key_accounts": Account.objects.filter(tier="key").count(),
        "kam_accounts": [{"pk": pk, "kam": k} for pk, k in kam_accounts],
        "plans": plans,
        "urls": {
            "account_list": _reverse("accounts:list"),
            "incident_list": _reverse("touchpoints:incident_list"),
            "incident_new": _reverse("touchpoints:incident_new"),
            "touchpoint_new": _reverse("touchpoints:touchpoint_new"),
            "dashboard_kam": _reverse("metrics:dashboard_kam"),
            "dashboard_sponsor": _reverse("metrics:dashboard_sponsor"),
            "dashboard_program": _reverse("metrics:dashboard_program"),
            "account_detail": _reverse("accounts:detail", pk=0),
        },
        "password": settings.KAM_DEMO_PASSWORD,
        "has_recompute_metrics": "recompute_metrics" in get_commands(),
    }


def sessions() -> dict:
    """A signed-in session per demo person, for the load test: 50 simulated users signing in at once
    would measure PBKDF2 (slow on purpose, about half a second per sign-in), not the pages."""
    _setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from kam.demo import PEOPLE

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in get_user_model().objects.filter(username__in=[p[0] for p in PEOPLE]):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.username] = session.session_key
    return keys


if __name__ == "__main__":
    if sys.argv[1:] == ["sessions"]:
        json.dump(sessions(), sys.stdout)
        sys.exit()

    json.dump(find(), sys.stdout)
