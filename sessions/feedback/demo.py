"""Demo data after the panel, on the learning demo's past panels (`PANELS` in
sessions/learning/demo.py): a feedback note at every stage (a draft on time and one past its
due date, one with Wigan's booker to check, one the booker has checked with comments, one final
with every version kept), the final note's action plan (open, in progress and done; one
overdue, one due within the week), and a survey with fewer than five answers and one with more.

The notes and the actions are written through the room's services by the demo sign-ins who
write them (`lead` and `booker`), each at its moment in the panel's story, so the versions and
the history are those the pages would have made. The letters of that story went at the time
(they are marked sent); the hourly task sends what falls due now (an owner's reminder, the
six-week follow-up). The survey is written as rows the way its service keeps them: who answered
apart from what was answered, with nothing that joins the two.

Idempotent: once a demo note exists, running it again adds nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from peers.selectors import caller_for
from scheduling.engine.uk_time import LONDON
from sessions.feedback import services
from sessions.feedback.models import (
    ActionStatus,
    FeedbackNote,
    SurveyAnswer,
    SurveyInvitation,
)
from sessions.learning.demo import DEMO_NOTE, PANELS, panel_start
from sessions.models import Booking, Seat, SeatStatus
from sessions.participants.models import Participant, ParticipantAnswer

PARTICIPANT_DOMAIN = "wigan.demo.example.org"
# The council's people at Wigan's panels: the participants the survey asks, and the owners of
# the actions.
WIGAN_PEOPLE = (
    ("Dana Holt", "Leader of the council"),
    ("Sam Barker", "Chief Executive"),
    ("Ruth Okafor", "Director of Finance"),
    ("Imran Aziz", "Cabinet member for communities"),
    ("Megan Price", "Director of Adult Social Care"),
)


@dataclass(frozen=True)
class NoteText:
    heard: str
    strengths: str
    consider: str


@dataclass(frozen=True)
class DemoAction:
    what: str
    owner: int  # of WIGAN_PEOPLE
    due_in: int  # days from the demo's today (negative: past)
    status: str
    changed_after: int = 0  # days after the panel that the booker changed its status


@dataclass(frozen=True)
class DemoFeedback:
    council: str
    days_ago: int  # the panel of PANELS this is the feedback of
    steps: tuple[tuple[str, int], ...]  # (what, days after the panel), in order
    text: NoteText
    comments: str = ""  # the booker's, at the "checked" step
    revised: NoteText | None = None  # the lead's change after the comments
    actions: tuple[DemoAction, ...] = ()
    participants: int = 0  # the first of WIGAN_PEOPLE, asked for the survey with the panel
    answers: tuple[tuple[int, bool, str], ...] = ()  # (useful, would recommend, improve)


ACTIONS_ADDED = 17  # days after the panel: the booker records the plan from the final note

FIRST_THOUGHTS = NoteText(
    heard=(
        "A council in the middle of its budget round, asking how to keep the recovery plan "
        "in front of residents while savings are found."
    ),
    strengths="",
    consider="",
)
RECOVERY = NoteText(
    heard=(
        "A council that knows its communities well and moved quickly in the emergency, now "
        "planning its budget three years ahead with residents' panels."
    ),
    strengths=(
        "Leadership that listens: Cabinet and the senior team meet monthly on recovery alone.\n"
        "Community hubs that kept going after the shielding response ended."
    ),
    consider=(
        "Keep the skills redeployed staff found in the emergency.\n"
        "Agree how the community hubs are funded beyond next year."
    ),
)
BUDGET = NoteText(
    heard=(
        "A frank conversation about the budget gap of £18m over three years and the choices "
        "it forces."
    ),
    strengths="A rolling three-year budget, reviewed with residents every quarter.",
    consider=(
        "Bring the savings proposals to residents earlier in the year.\n"
        "Set out which services the council will stop, not only what it will save."
    ),
)
DIGITAL = NoteText(
    heard=(
        "Resident accounts that keep every request and its answer in one place, and a "
        "recovery plan whose milestones residents cannot yet see."
    ),
    strengths=(
        "A digital offer built with the residents who use it most.\n"
        "Staff who see the whole story of a case."
    ),
    consider=(
        "Publish the recovery plan's milestones, so residents can see progress.\n"
        "Keep a way in for residents who will not go online."
    ),
)
DISCHARGE = NoteText(
    heard=(
        "Hospital discharge teams and home care providers sharing one daily list, and a "
        "market-town grants scheme matched by local business groups."
    ),
    strengths="Partnerships with the NHS and with traders that predate the emergency.",
    consider="",  # not written yet
)

FEEDBACK = (
    # Two days on: the lead has begun the note, due ten working days after the panel.
    DemoFeedback("Wigan Council", 2, (("draft", 1),), FIRST_THOUGHTS),
    # A month on and still a draft: past its due date (the dashboard counts it).
    DemoFeedback("Lancashire County Council", 30, (("draft", 3),), DISCHARGE),
    # With Wigan's booker to check for factual accuracy; a survey short of five answers.
    DemoFeedback(
        "Wigan Council",
        12,
        (("draft", 4), ("sent", 9)),
        RECOVERY,
        participants=3,
        answers=((4, True, "More time for questions."), (5, True, ""), (3, False, "")),
    ),
    # Checked: the booker's comments wait for the lead.
    DemoFeedback(
        "Wigan Council",
        20,
        (("draft", 4), ("sent", 9), ("checked", 13)),
        BUDGET,
        comments="The budget gap is £14m over three years, not £18m: the latest forecast cut it.",
    ),
    # Final, every version kept, with its action plan and a survey of six answers.
    DemoFeedback(
        "Wigan Council",
        45,
        (("draft", 4), ("sent", 9), ("checked", 13), ("revised", 14), ("final", 15)),
        DIGITAL,
        comments="The resident accounts were built by our customer services team, not bought in.",
        revised=NoteText(
            heard=DIGITAL.heard,
            strengths=(
                "A digital offer built by the council's own customer services team with the "
                "residents who use it most.\n"
                "Staff who see the whole story of a case."
            ),
            consider=DIGITAL.consider,
        ),
        actions=(
            DemoAction(
                "Publish the recovery plan's quarterly milestones on the council's website.",
                1,
                -6,
                ActionStatus.OPEN,
            ),
            DemoAction(
                "Offer help with resident accounts in every library, by phone and in person.",
                3,
                5,
                ActionStatus.IN_PROGRESS,
                changed_after=30,
            ),
            DemoAction(
                "Publish how quickly requests made through resident accounts are answered.",
                1,
                -10,
                ActionStatus.DONE,
                changed_after=35,
            ),
            DemoAction(
                "Bring a plan for residents who will not go online to Cabinet.",
                4,
                60,
                ActionStatus.OPEN,
            ),
        ),
        participants=5,
        answers=(
            (5, True, "Send the pre-reading a week earlier."),
            (4, True, ""),
            (4, True, "A short written summary on the day."),
            (5, True, ""),
            (3, False, "More time on the budget."),
            (4, True, ""),
        ),
    ),
)


def _address(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@{PARTICIPANT_DOMAIN}"


def _moment(start: datetime, days_after: int) -> datetime:
    """11:00 UK time, `days_after` days after the panel's day."""
    day = start.astimezone(LONDON).date() + timedelta(days=days_after)
    return datetime.combine(day, time(11), tzinfo=LONDON)


def _note_story(plan: DemoFeedback, booking: Booking, start: datetime, callers: dict) -> None:
    """The note's steps through the services, each dated; the letters of each step marked
    sent then."""
    lead, booker = callers["lead"], callers["booker"]
    told = {}
    for step, days_after in plan.steps:
        at = _moment(start, days_after)
        text = plan.revised if step == "revised" else plan.text
        if step in ("draft", "revised", "sent"):
            services.note_save(
                caller=lead,
                booking=booking,
                heard=text.heard,
                strengths=text.strengths,
                consider=text.consider,
                send=step == "sent",
                now=at,
            )
            if step == "sent":
                told["council_told_at"] = at
        elif step == "checked":
            services.note_check(
                caller=booker,
                booking=booking,
                comments=plan.comments,
                no_corrections=not plan.comments,
                now=at,
            )
            told["lead_told_at"] = at
        elif step == "final":
            services.note_finalise(caller=lead, booking=booking, now=at)
    if told:
        FeedbackNote.objects.filter(booking=booking).update(**told)


def _action_plan(plan: DemoFeedback, booking: Booking, start: datetime, today: date, booker):
    for action in plan.actions:
        name, _ = WIGAN_PEOPLE[action.owner]
        row = services.action_add(
            caller=booker,
            booking=booking,
            now=_moment(start, ACTIONS_ADDED),
            what=action.what,
            owner_name=name,
            owner_email=_address(name),
            due_on=today + timedelta(days=action.due_in),
        )
        if action.status != ActionStatus.OPEN:
            services.action_change(
                caller=booker,
                action=row,
                now=_moment(start, action.changed_after),
                status=action.status,
            )


def _survey(plan: DemoFeedback, booking: Booking, start: datetime) -> None:
    """The panel's people and the council's participants asked; as many marked answered as
    there are answers, and the answers kept apart (random keys, the day only)."""
    session = booking.sessions.order_by("number").first()
    people = [
        (seat.peer, seat.peer.email, seat.peer.name)
        for seat in Seat.objects.filter(session=session, status=SeatStatus.ACCEPTED)
        .select_related("peer")
        .order_by("id")
    ]
    for name, role in WIGAN_PEOPLE[: plan.participants]:
        participant = Participant(
            booking=booking,
            name=name,
            role=role,
            email=_address(name),
            answer=ParticipantAnswer.ACCEPTED,
            answered_at=start - timedelta(days=7),
        )
        participant._history_date = start - timedelta(days=7)
        participant.save()
        people.append((None, participant.email, name))
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(
            session=session,
            peer=peer,
            email=email.lower(),
            name=name,
            answered=number < len(plan.answers),
        )
        for number, (peer, email, name) in enumerate(people)
    )
    first_day = start.astimezone(LONDON).date()
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            session=session,
            useful=useful,
            recommend=recommend,
            improve=improve,
            answered_on=first_day + timedelta(days=1 + number % 2),
        )
        for number, (useful, recommend, improve) in enumerate(plan.answers)
    )


def seed_feedback(*, now: datetime | None = None) -> dict:
    """The feedback of the demo's past panels; returns how many notes, actions and survey
    answers were made. `now` must be the learning demo's, which dated the panels."""
    made = {"notes": 0, "actions": 0, "answers": 0}
    if FeedbackNote.objects.filter(booking__notes=DEMO_NOTE).exists():
        return made
    now = now or timezone.now()
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["booker", "lead"])
    }
    if set(users) != {"booker", "lead"}:
        return made
    callers = {name: caller_for(user) for name, user in users.items()}
    panels = {(plan.council, plan.days_ago): plan for plan in PANELS}
    today = now.astimezone(LONDON).date()
    for plan in FEEDBACK:
        start = panel_start(panels[(plan.council, plan.days_ago)], now)
        booking = Booking.objects.filter(
            notes=DEMO_NOTE, council__name=plan.council, start=start
        ).first()
        if booking is None:  # the panels were made on another day: nothing to match
            continue
        with transaction.atomic():
            _note_story(plan, booking, start, callers)
            _action_plan(plan, booking, start, today, callers["booker"])
            if plan.answers:
                _survey(plan, booking, start)
        made["notes"] += 1
        made["actions"] += len(plan.actions)
        made["answers"] += len(plan.answers)
    return made
