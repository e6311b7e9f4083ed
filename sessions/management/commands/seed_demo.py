from django.core.management.base import BaseCommand
from django.utils import timezone

from peers.demo_data import DEMO_PASSWORD, seed_demo
from sessions.demo_bookings import seed_bookings
from sessions.feedback.demo import seed_feedback
from sessions.learning.demo import seed_learning
from sessions.webinars.demo import seed_webinars


class Command(BaseCommand):
    # Here rather than in peers: the demo spans both apps, and peers imports nothing from sessions.
    help = "Load the deterministic demo data (councils, peers, demo sign-ins). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-bookings",
            action="store_true",
            help="Leave out the demo bookings (they are made through the booking service).",
        )

    def handle(self, *args, **options):
        summary = seed_demo()
        webinars = seed_webinars()
        bookings = {"bookings": 0} if options["no_bookings"] else seed_bookings()
        now = timezone.now()  # the past panels' and their feedback's, one day for both
        learning = {"points": 0} if options["no_bookings"] else seed_learning(now=now)
        feedback = (
            {"notes": 0, "actions": 0, "answers": 0}
            if options["no_bookings"]
            else seed_feedback(now=now)
        )
        self.stdout.write(f"Demo data: {summary['councils']} councils, {summary['peers']} peers.")
        self.stdout.write(
            f"Webinars: {webinars['webinar_sessions']} sessions scheduled, "
            f"{webinars['registrations']} registrations added."
        )
        self.stdout.write(
            f"Bookings: {bookings['bookings']} demo bookings made through the booking service."
        )
        self.stdout.write(
            f"Learning points: {learning['points']} on past panels, some in the learning library."
        )
        self.stdout.write(
            f"Feedback: {feedback['notes']} notes on past panels (draft to final), "
            f"{feedback['actions']} actions, {feedback['answers']} survey answers."
        )
        self.stdout.write(f"Demo sign-ins (password '{DEMO_PASSWORD}'):")
        for username, description in summary["users"]:
            self.stdout.write(f"  {username:11} {description}")
