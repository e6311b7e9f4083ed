"""Print everything held about one person, by e-mail address, as one JSON document."""

import json

from django.core.management.base import BaseCommand

from privacy.export import person_export


class Command(BaseCommand):
    help = (
        "Export everything held about a person (by e-mail address) as JSON; the export is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, email, output=None, **options):
        document = json.dumps(person_export(email=email), indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(document + "\n")
        else:
            self.stdout.write(document)
