""""My work": every person's own list of what is theirs to do, whatever their role, each item linking to
where it is done; everyone without a dashboard lands on it; a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Attitude, DecisionRole
from kam.navigation import home_url_for, nav_for
from planning.models import PlanStatus, SignOff
from tests.agreements.factories import FrameworkAgreementFactory
from tests.conftest import client_for
from tests.factories import AccountFactory, ContactFactory, TeamMemberFactory, UserFactory, department
from tests.planning.factories import CommitmentFactory, PlanFactory, TaskFactory
from tests.touchpoints.factories import IncidentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
URL = reverse("metrics:my_work")
BUDGET = 20


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def _work(p, account, i=0):
    """On `account`: something for each section and each persona."""
    TouchpointFactory(account=account, created_by=p.kam, follow_up=True, follow_up_note=f"Enviar extracto {i}",
                      follow_up_owner=p.teammate, follow_up_due=_days(-1))
    plan = PlanFactory(account=account, owner=p.kam, status=PlanStatus.IN_REVIEW, next_review_date=_days(3))
    CommitmentFactory(plan=plan, owner=p.teammate, department=department("finance"), due_date=_days(5),
                      description=f"Abono de octubre {i}")
    TaskFactory(plan=plan, owner=p.teammate, due_date=_days(2), description=f"Curso de inducción {i}")
    incident = IncidentFactory(account=account, title=f"Entrega incompleta {i}")
    incident.assignee = p.operator
    incident.save(update_fields=["assignee"])
    ContactFactory(account=account, name=f"Marta Champion {i}", attitude=Attitude.CHAMPION,
                   last_contact_date=_days(-200))
    ContactFactory(account=account, name=f"Decisor Reciente {i}", decision_role=DecisionRole.DECISION_MAKER,
                   last_contact_date=_days(-5))
    FrameworkAgreementFactory(account=account, status="active", start_date=_days(-300),
                              end_date=_days(30), renewal_date=_days(30), notice_days=10, notice_date=_days(20))


def _grow(p, n, start):
    for i in range(start, start + n):
        account = AccountFactory(name=f"Cuenta {i:03d}", tier="key", kam=p.kam, sponsor=p.sponsor)
        TeamMemberFactory(account=account, user=p.teammate, department=department("finance"))
        _work(p, account, i)


def _page(user, client=None):
    response = (client or client_for(user)).get(URL)
    assert response.status_code == 200
    return response


def _sections(response):
    return {s.key: s for s in response.context["sections"]}


def test_the_finance_person_sees_what_is_theirs_across_accounts(personas):
    _work(personas, personas.account)
    # Not on its team: only the commitment they own there, which is what lets them open its plan.
    _work(personas, personas.other_account, 99)
    client = client_for(personas.teammate)
    sections = _sections(_page(personas.teammate))
    assert [i.title for i in sections["follow_ups"].items] == ["Enviar extracto 0"]
    assert sections["follow_ups"].items[0].overdue
    assert [i.title for i in sections["commitments"].items] == ["Abono de octubre 0", "Abono de octubre 99"]
    for section in sections.values():
        for item in section.items:
            assert client.get(item.url).status_code == 200, item
    assert [i.title for i in sections["tasks"].items] == ["Curso de inducción 0"]
    assert [(i.account, i.title) for i in sections["signoffs"].items] == [
        ("Aceros del Norte S.A.", "Sign-off for Finance")]
    assert "visits" not in sections and "reviews" not in sections and "agreements" not in sections


def test_a_given_sign_off_is_no_longer_owed(personas):
    _work(personas, personas.account)
    plan = personas.account.plans.get()
    SignOff.objects.create(plan=plan, department=department("finance"), signed_by=personas.teammate)
    assert _sections(_page(personas.teammate))["signoffs"].items == []
    # The sponsor's is still owed, by the sponsor only.
    assert [i.title for i in _sections(_page(personas.sponsor))["signoffs"].items] == [
        "Sign-off for the executive sponsor"]


def test_a_kam_never_signs_off_for_a_department(personas):
    _work(personas, personas.account)
    TeamMemberFactory(account=personas.account, user=personas.other_kam, department=department("finance"))
    assert _sections(_page(personas.other_kam))["signoffs"].items == []


def test_the_kam_sees_reviews_stakeholders_and_agreements(personas):
    _work(personas, personas.account)
    sections = _sections(_page(personas.kam))
    assert [i.account for i in sections["reviews"].items] == ["Aceros del Norte S.A."]
    assert [i.title for i in sections["stakeholders"].items] == ["Marta Champion 0"]
    assert len(sections["agreements"].items) == 1
    assert sections["follow_ups"].items == []  # the teammate's, not the KAM's


def test_the_sponsor_sees_visits_due_and_the_operator_incidents_assigned(personas):
    _work(personas, personas.account)
    sponsor = _sections(_page(personas.sponsor))
    # No sponsor visit yet: one is due a cadence after the account was created, i.e. within days.
    assert "visits" in sponsor
    operator = _sections(_page(personas.operator))
    assert [i.title.split(" ", 1)[1] for i in operator["incidents"].items] == ["Entrega incompleta 0"]
    assert operator["incidents"].items[0].url == reverse("touchpoints:incident_detail",
                                                         args=[personas.account.incidents.get().pk])


def test_someone_with_nothing_due_sees_what_will_appear(personas):
    response = _page(personas.outsider)
    html = response.content.decode()
    assert response.context["total"] == 0
    for key in ("follow_ups", "commitments", "signoffs", "tasks", "incidents"):
        assert f'data-testid="empty-{key}"' in html
    assert "Nothing due: each section below says what will appear in it." in html


def test_it_reads_in_spanish(personas):
    _work(personas, personas.account)
    client = client_for(personas.teammate)
    client.post(reverse("set_language"), {"language": "es", "next": URL})
    html = client.get(URL).content.decode()
    assert "Mi trabajo" in html and "Seguimientos" in html and "vencido desde el" in html


@pytest.mark.parametrize("persona", ["kam", "teammate", "sponsor", "operator", "lead"])
def test_the_query_budget_does_not_grow_with_data(personas, django_assert_max_num_queries, persona):
    user = getattr(personas, persona)
    client = client_for(user)
    _grow(personas, 2, 0)
    with django_assert_max_num_queries(BUDGET) as small:
        _page(user, client)
    _grow(personas, 12, 100)
    with django_assert_max_num_queries(BUDGET) as large:
        response = _page(user, client)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["total"] > 0


def test_my_work_is_first_in_everyones_navigation(personas):
    for persona in ("kam", "teammate", "sponsor", "operator", "lead", "outsider"):
        assert nav_for(getattr(personas, persona))[0]["name"] == "metrics:my_work", persona


def test_roles_without_a_dashboard_land_on_my_work(personas):
    assert home_url_for(personas.teammate) == URL
    assert home_url_for(personas.operator) == URL
    assert home_url_for(UserFactory(username="nadie")) == URL
    assert home_url_for(personas.kam) == reverse("metrics:dashboard_kam")
    assert home_url_for(personas.sponsor) == reverse("metrics:dashboard_sponsor")
    response = client_for(personas.teammate).get("/", follow=True)
    assert response.redirect_chain[-1][0] == URL
