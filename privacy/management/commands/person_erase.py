"""Erase one person, by e-mail address (see privacy/erasure.py for what that means)."""

import json

from django.core.management.base import BaseCommand, CommandError

from privacy.erasure import person_erase


class Command(BaseCommand):
    help = (
        "Erase a person (by e-mail address): future seats and places given up, their own data "
        "deleted, the records the programme keeps pseudonymised. Asks first unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, email, yes=False, **options):
        if not yes:
            answer = input(f"Erase everything held about {email}? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing erased.")
        outcome = person_erase(email=email)
        self.stdout.write(json.dumps(outcome, indent=2))
