"""Back up the database to a file (scheduling/backups.py says how, per database)."""

from django.core.management.base import BaseCommand, CommandError

from scheduling.backups import BackupFailed, database_backup


class Command(BaseCommand):
    help = "Back up the database to PATH (PostgreSQL: pg_dump custom format; SQLite: a copy)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            written = database_backup(path)
        except BackupFailed as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {written}")
