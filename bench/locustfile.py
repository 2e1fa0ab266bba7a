"""The load test's users (run by `make load`, bench/load.py; locust in its own process).

The mix follows how the platform is used in a working day: KAMs read their dashboard, accounts and
plans and log touchpoints (and edit plans); operations work the incident queue and open incidents;
sponsors look at their dashboards. The concrete pages come from bench/targets.py through the JSON file
named by KAM_BENCH_TARGETS. Stdlib and locust only: Django must not be imported here.
"""

import itertools
import json
import os
import re

from locust import HttpUser, between, task

from bench.htmlforms import csrf_token, fill_valid, parse_forms

with open(os.environ["KAM_BENCH_TARGETS"]) as fh:
    TARGETS = json.load(fh)
PASSWORD = TARGETS["password"]
URLS = TARGETS["urls"]
PLANS = TARGETS["plans"] or []
KAM_ACCOUNTS = TARGETS["kam_accounts"] or []
_plan_slots = itertools.count()
_account_slots = itertools.count()
_operators = itertools.cycle(TARGETS["users"]["Operations"])
_sponsors = itertools.cycle(TARGETS["users"]["Executive sponsor"])


def account_url(pk):
    return re.sub(r"/0/$", f"/{pk}/", URLS["account_detail"]) if URLS.get("account_detail") else None


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def sign_in(self, username):
        self.username = username
        session = TARGETS.get("sessions", {}).get(username)
        if session:
            # Signed in beforehand (bench/targets.py): the run measures pages, not password hashing.
            self.client.cookies.set("sessionid", session)
            return
        page = self.client.get("/login/", name="/login/ [GET]")
        token = csrf_token(page.text) or ""
        with self.client.post("/login/", {"csrfmiddlewaretoken": token, "username": username,
                                          "password": PASSWORD}, name="/login/ [POST]",
                              catch_response=True) as response:
            if "sessionid" not in self.client.cookies:
                response.failure(f"sign-in refused for {username}")

    def submit_form(self, url, name, form_pick=None, extra=None):
        """GET a form page, fill the form as a user would and POST it; success is a redirect after save."""
        if not url:
            return
        page = self.client.get(url, name=f"{name} [GET]")
        forms = [f for f in parse_forms(page.text) if f.method == "post" and f.field("csrfmiddlewaretoken")]
        forms = [f for f in forms if form_pick(f)] if form_pick else forms
        # The largest form on the page is the page's own (the others are language and log-out).
        form = max(forms, key=lambda f: len(f.fields), default=None)
        if form is None:
            return
        data = fill_valid(form)
        data.update(extra or {})
        action = form.action or url
        with self.client.post(action, data, name=f"{name} [POST]", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code not in (301, 302, 303):
                response.failure(f"form not saved (HTTP {response.status_code})")


class KamUser(SignedInUser):
    weight = 5

    def on_start(self):
        slot = next(_plan_slots)
        if PLANS:
            self.plan = PLANS[slot % len(PLANS)]
            self.account_pk = self.plan["account_pk"]
            self.sign_in(self.plan["kam"])
        else:
            self.plan = None
            acc = KAM_ACCOUNTS[slot % len(KAM_ACCOUNTS)] if KAM_ACCOUNTS else None
            self.account_pk = acc["pk"] if acc else None
            self.sign_in(acc["kam"] if acc else TARGETS["users"]["KAM"][0])

    @task(3)
    def dashboard(self):
        if URLS.get("dashboard_kam"):
            self.client.get(URLS["dashboard_kam"])

    @task(3)
    def read_plan(self):
        if self.plan:
            self.client.get(self.plan["url"], name="/plans/<id>/")

    @task(2)
    def account_page(self):
        if self.account_pk:
            self.client.get(account_url(self.account_pk), name="/accounts/<id>/")

    @task(1)
    def account_list(self):
        if URLS.get("account_list"):
            self.client.get(URLS["account_list"])

    @task(1)
    def log_touchpoint(self):
        if URLS.get("touchpoint_new") and self.account_pk:
            self.submit_form(f"{URLS['touchpoint_new']}?account={self.account_pk}", "/touchpoints/new/",
                             extra={"account": [str(self.account_pk)]})

    @task(1)
    def edit_plan(self):
        if self.plan and self.plan.get("edit_url"):
            self.submit_form(self.plan["edit_url"], "/plans/<id>/edit/")


class OperatorUser(SignedInUser):
    weight = 3

    def on_start(self):
        self.sign_in(next(_operators))
        self.account_pk = KAM_ACCOUNTS[next(_account_slots) % len(KAM_ACCOUNTS)]["pk"] if KAM_ACCOUNTS else None

    @task(4)
    def queue(self):
        if URLS.get("incident_list"):
            self.client.get(URLS["incident_list"])

    @task(1)
    def open_incident(self):
        if URLS.get("incident_new") and self.account_pk:
            self.submit_form(f"{URLS['incident_new']}?account={self.account_pk}", "/incidents/new/",
                             extra={"account": [str(self.account_pk)]})

    @task(1)
    def account_page(self):
        if self.account_pk:
            self.client.get(account_url(self.account_pk), name="/accounts/<id>/")


class SponsorUser(SignedInUser):
    weight = 2

    def on_start(self):
        self.sign_in(next(_sponsors))

    @task(3)
    def sponsor_dashboard(self):
        if URLS.get("dashboard_sponsor"):
            self.client.get(URLS["dashboard_sponsor"])

    @task(2)
    def programme_dashboard(self):
        if URLS.get("dashboard_program"):
            self.client.get(URLS["dashboard_program"])

    @task(1)
    def account_list(self):
        if URLS.get("account_list"):
            self.client.get(URLS["account_list"])
