import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from kam.models import Department
from kam.reference import DEPARTMENTS, ensure_reference_data
from kam.roles import ALL_ROLES


@pytest.mark.django_db(transaction=True)
def test_roles_and_departments_come_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)
    assert list(Department.objects.values_list("code", flat=True)) == [code for code, _name in DEPARTMENTS]
    from kam.models import ProgrammeSettings

    assert ProgrammeSettings.objects.count() == 1


@pytest.mark.django_db
def test_ensuring_twice_changes_nothing_and_keeps_renamed_departments():
    Department.objects.filter(code="sales").update(name="Comercial")
    ensure_reference_data()
    ensure_reference_data()
    assert Group.objects.filter(name__in=ALL_ROLES).count() == len(ALL_ROLES)
    assert Department.objects.count() == len(DEPARTMENTS)
    assert Department.objects.get(code="sales").name == "Comercial"


@pytest.mark.django_db(transaction=True)
def test_the_default_selection_criteria_come_back_after_a_flush_but_never_over_the_leads():
    from accounts.criteria_names import DEFAULT_CRITERIA
    from accounts.models import SelectionCriterion

    call_command("flush", interactive=False, verbosity=0)
    assert set(SelectionCriterion.objects.values_list("code", flat=True)) == {c[0] for c in DEFAULT_CRITERIA}
    SelectionCriterion.objects.exclude(code="volume").delete()
    call_command("migrate", verbosity=0)  # post_migrate again: the lead's choice stands
    assert list(SelectionCriterion.objects.values_list("code", flat=True)) == ["volume"]
