"""PostgreSQL drops the request's connection in the middle of a write: the user gets the clear error
page, and nothing the request had written survives (the service's transaction dies with it).

The drop is real: between two statements of the service, a second connection terminates the
request's own backend with pg_terminate_backend.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import Activity
from bench.htmlforms import fill_valid, parse_forms
from tests.faults.conftest import admin_connection

pytestmark = [pytest.mark.django_db(transaction=True)]


class DropConnectionBefore:
    """An execute wrapper that kills the current backend just before the first statement that
    matches `marker`, after `after` has already run in the same transaction."""

    def __init__(self, marker: str, after: str):
        self.marker, self.after = marker, after
        self.seen_after = False
        self.fired = False

    def __call__(self, execute, sql, params, many, context):
        if self.after in sql and sql.lstrip().upper().startswith("INSERT"):
            self.seen_after = True
        if not self.fired and self.seen_after and self.marker in sql:
            self.fired = True
            pid = context["connection"].connection.info.backend_pid
            with admin_connection() as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("terminates a PostgreSQL backend")


def _form_data(client, url, text):
    page = client.get(url)
    assert page.status_code == 200
    forms = [f for f in parse_forms(page.content.decode()) if f.method == "post" and f.field("csrfmiddlewaretoken")]
    form = max(forms, key=lambda f: len(f.fields))
    return form.action or url, fill_valid(form, text=text)


@pytest.mark.parametrize("url_name, persona, model, table", [
    ("touchpoints:touchpoint_new", "kam", "Touchpoint", "touchpoints_touchpoint"),
    ("touchpoints:incident_new", "operator", "ServiceIncident", "touchpoints_serviceincident"),
])
def test_connection_dropped_mid_write_shows_the_error_page_and_keeps_nothing(personas, url_name, persona,
                                                                            model, table):
    try:
        url = f"{reverse(url_name)}?account={personas.account.pk}"
    except NoReverseMatch:
        pytest.skip(f"{url_name} not installed")
    Model = apps.get_model("touchpoints", model)
    client = Client(raise_request_exception=False)
    client.force_login(getattr(personas, persona))
    action, data = _form_data(client, url, text="Reunión que nunca se guardó")
    rows_before, activity_before = Model.objects.count(), Activity.objects.count()

    # The row itself is inserted; the connection dies before the account's activity is recorded.
    hook = DropConnectionBefore(marker='"accounts_activity"', after=f'"{table}"')
    with connection.execute_wrapper(hook):
        response = client.post(action, data)
    connection.close()  # the test's own handle on the dead backend; the next query reconnects

    assert hook.fired, "the service never reached the activity insert"
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Nothing you submitted was saved half-way" in body
    assert "Traceback" not in body and "psycopg" not in body
    # All or nothing: the row inserted before the drop was rolled back with the transaction.
    assert Model.objects.count() == rows_before
    assert Activity.objects.count() == activity_before
    assert not Model.objects.filter(**{"title" if model == "ServiceIncident" else "summary":
                                       "Reunión que nunca se guardó"}).exists()

    # The site recovers by itself: the next request gets a fresh connection and saves.
    response = client.post(action, data)
    assert response.status_code == 302
    assert Model.objects.count() == rows_before + 1
