import importlib
import random
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from kam import demo
from kam.roles import ROLE_LABELS

# Dependency order of the apps that seed data (docs/architecture.md: kam <- accounts <- planning, touchpoints
# <- metrics).
APP_ORDER = ("accounts", "planning", "touchpoints", "agreements", "charter", "metrics", "roster", "programme")


class Command(BaseCommand):
    help = "Create the demo data set (idempotent). --size large builds the performance data set."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=demo.SIZES, default="small")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")

    def handle(self, *args, size, seed, **options):
        started = time.monotonic()
        ctx = demo.DemoContext(size=size, today=timezone.localdate(), rng=random.Random(seed),
                               log=lambda msg: self.stdout.write(msg))
        self.stdout.write(f"Seeding the {size} demo data set…")
        with transaction.atomic():
            demo.seed(ctx)
        for label in APP_ORDER:
            if not apps.is_installed(label):
                continue
            try:
                module = importlib.import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{label}.demo":
                    raise
                continue
            t0 = time.monotonic()
            module.seed(ctx)
            self.stdout.write(f"  {label}: done in {time.monotonic() - t0:.1f} s")
        if connection.vendor == "postgresql":
            # Bulk loads leave the planner without statistics (and autovacuum may be off or late):
            # without them it misjudges row counts by orders of magnitude and picks slow plans. The
            # seed's own updates leave dead index entries that slow every scan until a vacuum; VACUUM
            # cannot run inside a transaction (the test suite seeds inside one), ANALYZE can.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(f"Logins (password: {demo.settings.KAM_DEMO_PASSWORD}):")
        for username, first, last, role, _dept in demo.PEOPLE:
            department = ctx.department_of(username)
            role_label = ROLE_LABELS[role] if role else f"account-team member, {department}"
            self.stdout.write(f"  {username:<18} {first + ' ' + last:<18} {role_label}")
