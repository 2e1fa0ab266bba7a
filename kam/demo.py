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
from django.utils import timezone

from .models import Department, ProgrammeSettings
from .roles import KAM, LEAD, OPERATIONS, SPONSOR

# (username, first name, last name, role or None, department code)
PEOPLE = [
    ("lucia.martin", "Lucía", "Martín", LEAD, "executive"),
    ("ana.garcia", "Ana", "García", KAM, "sales"),
    ("javier.lopez", "Javier", "López", KAM, "sales"),
    ("marta.sanchez", "Marta", "Sánchez", KAM, "sales"),
    ("diego.fernandez", "Diego", "Fernández", KAM, "sales"),
    ("elena.ruiz", "Elena", "Ruiz", SPONSOR, "executive"),
    ("ramon.torres", "Ramón", "Torres", SPONSOR, "executive"),
    ("carlos.navarro", "Carlos", "Navarro", OPERATIONS, "operations"),
    ("sofia.moreno", "Sofía", "Moreno", OPERATIONS, "customer_service"),
    ("luis.romero", "Luis", "Romero", OPERATIONS, "supply_chain"),
    # Account-team members from other departments (no programme role of their own).
    ("pablo.gil", "Pablo", "Gil", None, "finance"),
    ("irene.vidal", "Irene", "Vidal", None, "supply_chain"),
    ("raul.castro", "Raúl", "Castro", None, "technical"),
    ("nuria.ortega", "Nuria", "Ortega", None, "customer_service"),
]

# Named signers: besides a department's people on an account's team, these sign off its commitments on
# any plan (two sales signers, so that a KAM's own plans are always signed by the other).
SIGNERS = {
    "sales": ("javier.lopez", "marta.sanchez"),
    "operations": ("carlos.navarro",),
    "supply_chain": ("luis.romero",),
    "customer_service": ("sofia.moreno",),
    "finance": ("pablo.gil",),
    "technical": ("raul.castro",),
    "executive": ("elena.ruiz",),
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
    ProgrammeSettings.current()
    ctx.log(f"  people: {len(PEOPLE)} demo logins, password '{settings.KAM_DEMO_PASSWORD}'")


def demo_now():
    return timezone.now()
