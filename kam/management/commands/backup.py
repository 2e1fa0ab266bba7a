from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kam import backup


class Command(BaseCommand):
    help = ("Dump the database (pg_dump, custom format) with a manifest of its row counts into KAM_BACKUP_DIR, "
            "and remove dumps older than KAM_BACKUP_KEEP_DAYS.")

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="default: KAM_BACKUP_DIR")
        parser.add_argument("--keep-days", type=int, default=None, help="default: KAM_BACKUP_KEEP_DAYS")

    def handle(self, *args, dir=None, keep_days=None, **options):
        directory = dir or settings.KAM_BACKUP_DIR
        keep = settings.KAM_BACKUP_KEEP_DAYS if keep_days is None else keep_days
        try:
            path, manifest = backup.dump(directory=directory, keep_days=keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"{path} ({manifest['size']:,} bytes): {len(manifest['tables'])} tables, {rows:,} rows; "
                          f"dumps older than {keep} days removed")
