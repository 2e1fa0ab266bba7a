import datetime

from django.core.management.base import BaseCommand, CommandError

from metrics.services import recompute_metrics


class Command(BaseCommand):
    help = "Recompute every account's metrics snapshot (health, CLV, contribution) for a day, by hand."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, day=None, **options):
        try:
            parsed = datetime.date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError(f"--day must be YYYY-MM-DD: {exc}") from exc
        result = recompute_metrics(day=parsed, trigger="command")
        self.stdout.write(self.style.SUCCESS(
            f"Recomputed {result.accounts} accounts for {result.day}: {result.snapshots} snapshots written "
            f"in {result.seconds:.2f} s."))
