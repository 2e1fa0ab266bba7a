from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kam import backup


class Command(BaseCommand):
    help = ("Restore a dump (default: the latest in KAM_BACKUP_DIR) into a scratch database, compare it with its "
            "manifest (row counts, checksums of the records, migrations, triggers, sequences) and drop it. "
            "Fails (exit status 1) on any difference.")

    def add_arguments(self, parser):
        parser.add_argument("dump", nargs="?", type=Path, help="a .dump file; default: the latest one")
        parser.add_argument("--dir", type=Path, default=None, help="default: KAM_BACKUP_DIR")
        parser.add_argument("--scratch-prefix", default=None,
                            help="the scratch database's name before a random suffix "
                                 "(default: <database>_restore_check)")

    def handle(self, *args, dump=None, dir=None, scratch_prefix=None, **options):
        if dump is None:
            found = backup.backups(dir or settings.KAM_BACKUP_DIR)
            if not found:
                raise CommandError(f"No backup in {dir or settings.KAM_BACKUP_DIR}.")
            dump = found[-1]
        try:
            report = backup.restore_check(dump_path=dump, scratch_prefix=scratch_prefix)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if not report.ok:
            raise CommandError(f"{dump.name} does not restore as dumped:\n  " + "\n  ".join(report.problems))
        self.stdout.write(f"{dump.name} restored into {report.scratch} and matches its manifest: {report.tables} "
                          f"tables, {report.rows:,} rows, records' checksums, migrations, triggers and sequences; "
                          f"{report.scratch} dropped")
