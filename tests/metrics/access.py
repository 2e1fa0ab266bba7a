from tests.access import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, REDIRECT, Case, expect, may_post, only

CASES = {
    # The account brief: exactly whoever sees the account (the outsider does not even learn it exists).
    "metrics:account_brief": Case(expect(OK, outsider=NOT_FOUND), kwargs=lambda w: {"pk": w.account.pk}),
    # Everyone signed in has their own list of work, whatever their role (or none).
    "metrics:my_work": Case(expect(OK)),
    # The client's way from the plan's page to the survey: only with the share link's client session.
    "metrics:share_survey": Case(expect(REDIRECT, anonymous=REDIRECT), kwargs=lambda w: {"token": w.share_token}),
    "metrics:dashboard_kam": Case(only("kam")),
    "metrics:dashboard_sponsor": Case(only("sponsor")),
    # The programme lead is a superuser, which also counts as lead for the programme dashboard.
    "metrics:dashboard_program": Case(only("lead", "sponsor")),
    "metrics:programme_settings": Case(only("lead")),
    "metrics:recompute_now": Case(expect(FORBIDDEN, lead=NOT_ALLOWED)),  # POST only, lead only
}


# --- the write column -------------------------------------------------------------------------------
# The programme settings and a recompute on demand are the lead's (metrics.services).


def _settings_form(w):
    from kam.models import ProgrammeSettings
    from tests.metrics.settings_form import settings_post_data

    return settings_post_data(plan_review_days=ProgrammeSettings.current().plan_review_days + 1)


def _recompute(w):
    from kam.celery import app

    # As in production (a broker): the request is an outbox row written in the request's transaction.
    # In-process it would run on a commit, which the write test, rolling back, never makes. The test's
    # fixture restores the setting afterwards.
    app.conf.task_always_eager = False
    return {"next": "/dashboards/program/"}


WRITES = {
    "metrics:programme_settings": (_settings_form, may_post("lead")),
    "metrics:recompute_now": (_recompute, may_post("lead")),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
