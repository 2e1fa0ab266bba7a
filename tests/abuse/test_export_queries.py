"""Every download under hostile query strings: garbage values for each filter, repeated parameters,
NUL bytes, huge numbers and unknown sort keys give a download or a clear 400, never a server error."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.downloads import body
from tests.touchpoints.factories import IncidentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

GARBAGE = [
    "?tier=%27%3B--&kam=abc&sponsor=-1&industry=%3Cscript%3E&quadrant=9&pareto_class=ZZ&health=x&archived=maybe",
    "?sort=password&sort=-nope&q=" + "x" * 5000,
    "?kam=99999999999999999999999&sponsor=1e9&page=-3",
    "?q=%00&department=%00&kind=%00",
    "?status=%ff%fe&severity=1&category=[]&tier=&breached=nah&account=" + "%25" * 300,
    "?department=sales&department=../../etc&kind=touchpoint&kind=x&sheet=opportunities&sheet=%00",
    "?status=all&account=%E2%80%AE",
]

URLS = [
    ("lead", "accounts:export", False), ("kam", "accounts:export_xlsx", False),
    ("teammate", "accounts:financials_export", False), ("lead", "accounts:financials_export_xlsx", False),
    ("kam", "accounts:account_financials_export", True), ("lead", "accounts:account_financials_export_xlsx", True),
    ("kam", "planning:plans_export", True), ("sponsor", "planning:plans_export_xlsx", True),
    ("kam", "touchpoints:touchpoints_export", True), ("lead", "touchpoints:touchpoints_export_xlsx", True),
    ("operator", "touchpoints:incident_export", False), ("kam", "touchpoints:incident_export_xlsx", False),
]


@pytest.mark.parametrize("query", GARBAGE)
@pytest.mark.parametrize("persona,url_name,per_account", URLS)
def test_no_server_error_on_any_filter_input(personas, persona, url_name, per_account, query):
    TouchpointFactory(account=personas.account)
    IncidentFactory(account=personas.account)
    url = reverse(url_name, args=[personas.account.pk] if per_account else []) + query
    response = client_for(getattr(personas, persona)).get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    if response.status_code == 200:
        assert body(response)
