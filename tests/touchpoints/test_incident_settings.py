"""The incident settings of the programme: the operations manager of the second escalation rung and the
business-hours calendar, edited by the lead on the settings form and kept in history."""

import pytest
from django.urls import reverse

from kam.models import ProgrammeSettings
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.metrics.test_views import _settings_post

pytestmark = pytest.mark.django_db
URL = reverse("metrics:programme_settings")


def test_lead_names_the_operations_manager_and_the_calendar(personas):
    manager = UserFactory(username="jefa_ops", first_name="Marta", last_name="Soler", roles=["Operations"])
    response = client_for(personas.lead).post(URL, _settings_post(
        operations_manager=manager.pk, manager_escalation_hours=6, work_days=["0", "1", "2", "3"],
        work_start_hour=8, work_end_hour=15, holidays="2026-12-25\n2026-01-06, 2026-12-25"))
    assert response.status_code == 302, response.context["form"].errors
    programme = ProgrammeSettings.current()
    assert programme.operations_manager == manager and programme.manager_escalation_hours == 6
    assert programme.work_days == [0, 1, 2, 3]
    assert (programme.work_start_hour, programme.work_end_hour) == (8, 15)
    assert programme.holidays == ["2026-01-06", "2026-12-25"]
    assert programme.history.first().operations_manager_id == manager.pk
    page = client_for(personas.operator).get(reverse("touchpoints:sla_policy_read")).content.decode()
    assert "8:00–15:00" in page and "Thursday" in page and "Friday" not in page


@pytest.mark.parametrize("overrides, field", [
    ({"holidays": "25/12/2026"}, "holidays"),
    ({"work_start_hour": 18, "work_end_hour": 9}, "work_end_hour"),
    ({"work_days": []}, "work_days"),
    ({"work_end_hour": 25}, "work_end_hour"),
    ({"manager_escalation_hours": 0}, "manager_escalation_hours"),
])
def test_calendar_errors_show_on_their_fields(personas, overrides, field):
    response = client_for(personas.lead).post(URL, _settings_post(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
