"""Restore the database from a backup made by `manage.py backup`."""

from django.core.management.base import BaseCommand, CommandError

from scheduling.backups import BackupFailed, database_restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup at PATH. Stop the web processes "
        "and the workers first. Asks first unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path, yes=False, **options):
        if not yes:
            answer = input(f"Replace everything in the database with {path}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing restored.")
        try:
            database_restore(path)
        except BackupFailed as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored from {path}")
