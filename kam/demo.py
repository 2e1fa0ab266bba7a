"""Demo data shared by every app: the supplier's people and the programme settings.

Each app seeds its own data in its own `demo.py` (`seed(ctx)`), called by `seed_demo` in dependency
order with the context built here. Everything is idempotent: running the command twice changes nothing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from . import departments
from .models import Department, ProgrammeSettings
from .roles import KAM, LEAD, OPERATIONS, SPONSOR

# (username, first name, last name, role or None, department code)
PEOPLE = [
    ("lucia.martin", "Lucía", "Martín", LEAD, departments.EXECUTIVE),
    ("ana.garcia", "Ana", "García", KAM, departments.SALES),
    ("javier.lopez", "Javier", "López", KAM, departments.SALES),
    ("marta.sanchez", "Marta", "Sánchez", KAM, departments.SALES),
    ("diego.fernandez", "Diego", "Fernández", KAM, departments.SALES),
    ("elena.ruiz", "Elena", "Ruiz", SPONSOR, departments.EXECUTIVE),
    ("ramon.torres", "Ramón", "Torres", SPONSOR, departments.EXECUTIVE),
    ("carlos.navarro", "Carlos", "Navarro", OPERATIONS, departments.OPERATIONS),
    ("sofia.moreno", "Sofía", "Moreno", OPERATIONS, departments.CUSTOMER_SERVICE),
    ("luis.romero", "Luis", "Romero", OPERATIONS, departments.SUPPLY_CHAIN),
    # Account-team members from other departments (no programme role of their own).
    ("pablo.gil", "Pablo", "Gil", None, departments.FINANCE),
    ("irene.vidal", "Irene", "Vidal", None, departments.SUPPLY_CHAIN),
    ("raul.castro", "Raúl", "Castro", None, departments.TECHNICAL),
    ("nuria.ortega", "Nuria", "Ortega", None, departments.CUSTOMER_SERVICE),
]

# Named signers: besides a department's people on an account's team, these sign off its commitments on
# any plan (two sales signers, so that a KAM's own plans are always signed by the other).
SIGNERS = {
    departments.SALES: ("javier.lopez", "marta.sanchez"),
    departments.OPERATIONS: ("carlos.navarro",),
    departments.SUPPLY_CHAIN: ("luis.romero",),
    departments.CUSTOMER_SERVICE: ("sofia.moreno",),
    departments.FINANCE: ("pablo.gil",),
    departments.TECHNICAL: ("raul.castro",),
    departments.EXECUTIVE: ("elena.ruiz",),
}

SIZES = ("small", "large")


@dataclass
class DemoContext:
    size: str
    today: date
    rng: random.Random
    users: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    log: Callable[[str], object] = print

    @property
    def large(self) -> bool:
        return self.size == "large"

    def by_role(self, role):
        return [self.users[u] for u, _f, _l, r, _d in PEOPLE if r == role]

    def department_of(self, username):
        code = next(d for u, _f, _l, _r, d in PEOPLE if u == username)
        return self.departments[code]


def seed(ctx: DemoContext) -> None:
    User = get_user_model()
    ctx.departments = {d.code: d for d in Department.objects.all()}
    groups = {g.name: g for g in Group.objects.all()}
    password = make_password(settings.KAM_DEMO_PASSWORD)
    for username, first, last, role, _dept in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@proveedor.example",
                      "password": password, "is_staff": role == LEAD, "is_superuser": role == LEAD},
        )
        if role and created:
            user.groups.add(groups[role])
        ctx.users[username] = user
    for code, usernames in SIGNERS.items():
        department = ctx.departments.get(code)
        if department is not None and not department.signers.exists():
            department.signers.add(*(ctx.users[u] for u in usernames))
    programme = ProgrammeSettings.current()
    if not programme.supplier_name:
        # What the client's documents carry (the plan's client PDF).
        ProgrammeSettings.objects.filter(pk=programme.pk).update(supplier_name="Aceros y Servicios Iberia",
                                                                 supplier_colour="#8a1c1c")
    ctx.log(f"  people: {len(PEOPLE)} demo logins, password '{settings.KAM_DEMO_PASSWORD}'")
