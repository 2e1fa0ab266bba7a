"""Reference data every installation needs: the role groups, the departments and the programme settings
row.

Migration 0002 creates them on a new database. They are also restored after every `migrate` and
`flush` (post_migrate), because a flush empties every table: a database emptied that way (by
`manage.py flush`, or between transactional tests) would otherwise lose its roles and departments.
"""

from . import departments
from .roles import ALL_ROLES

DEPARTMENTS = (
    (departments.SALES, "Sales"),
    (departments.OPERATIONS, "Operations"),
    (departments.SUPPLY_CHAIN, "Supply chain"),
    (departments.CUSTOMER_SERVICE, "Customer service"),
    (departments.FINANCE, "Finance"),
    (departments.TECHNICAL, "Technical"),
    (departments.EXECUTIVE, "Executive"),
)


def ensure_reference_data(*, using: str = "default") -> None:
    from django.contrib.auth.models import Group

    from .models import Department, ProgrammeSettings

    existing = set(Group.objects.using(using).filter(name__in=ALL_ROLES).values_list("name", flat=True))
    Group.objects.using(using).bulk_create([Group(name=n) for n in ALL_ROLES if n not in existing])
    known = set(Department.objects.using(using).values_list("code", flat=True))
    Department.objects.using(using).bulk_create(
        [Department(code=code, name=name, order=order)
         for order, (code, name) in enumerate(DEPARTMENTS) if code not in known]
    )
    if not ProgrammeSettings.objects.using(using).exists():
        ProgrammeSettings.objects.using(using).create()


def restore_after_migrate(sender, using="default", **kwargs):
    ensure_reference_data(using=using)
