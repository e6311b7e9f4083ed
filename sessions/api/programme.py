"""The programme's figures for LGA staff (every council) and Principal Advisers (theirs)."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from peers.schemas import Day
from peers.selectors import caller_for
from scheduling.engine.uk_time import LONDON
from sessions.programme.figures import programme_period, programme_summary

router = Router(tags=["programme"])


class PeriodQuery(Schema):
    start: Day | None = Field(
        None, description="First UK date (YYYY-MM-DD); default: the 1st of this month"
    )
    end: Day | None = Field(
        None,
        description="Last UK date, included: on or after the start, at most a year after it; "
        "default: the end of the third month",
    )


class PeriodOut(Schema):
    start: date
    end: date


class SessionBrief(Schema):
    session: int
    booking: int
    number: int
    offer: str
    council: str
    start: datetime


class UnfilledSessionOut(SessionBrief):
    seats: int
    unfilled: int
    roles: list[str]
    reasons: list[str]


class UnansweredSeatOut(SessionBrief):
    seat: int
    role: str
    peer: str
    invited_at: datetime
    days_waiting: int


class UndeliveredInviteOut(SessionBrief):
    seat: int
    role: str
    peer: str
    address: str
    reason: str = Field(description="What the mail server said")
    bounced_at: datetime


class DeclineOut(SessionBrief):
    seat: int
    role: str
    declined_by: str
    declined_at: datetime
    recorded_as: str = Field(description="Who the history records as declining")
    replaced_by: str | None
    replacement_status: str


class HistogramBarOut(Schema):
    sessions: str
    peers: int = Field(description="Eligible people of the pool who sit on this many sessions.")
    peers_free: int = Field(
        description="Of those, the ones who had time free in the period (or sat on a session)."
    )


class SpreadOut(Schema):
    over: str = Field(description="The group measured: `eligible`, `free` or `used`.")
    label: str
    peers: int = Field(description="People of the pool in the group.")
    gini: float = Field(
        description="0: everyone in the group sits equally often; near 1: a few do it all."
    )
    meaning: str = Field(description="What the figure means, in words.")


class LoadedPeerOut(Schema):
    peer: int
    name: str
    sessions: int
    busiest_month: str
    busiest_month_sessions: int
    monthly_cap: int
    share_of_cap: float | None


class PoolLoadOut(Schema):
    eligible_peers: int = Field(description="The pool's active, accredited people.")
    peers_free: int = Field(
        description="Of those, the ones who had time free in the period (or sat on a session)."
    )
    peers_used: int
    share_used: float
    gini: float = Field(description="The spread over every eligible one (`spread`'s first).")
    spread: list[SpreadOut]
    histogram: list[HistogramBarOut]
    most_loaded: list[LoadedPeerOut]


class LoadOut(PoolLoadOut):
    """The member and officer peers' load; the LGA facilitators', who sit only in the lead's
    seat, is apart in `facilitators`, so that neither misstates the other's spread."""

    facilitators: PoolLoadOut = Field(
        description="The same figures over the LGA facilitators alone."
    )


class TakeUpRowOut(Schema):
    key: str
    label: str
    bookings: int
    cancelled: int


class TakeUpOut(Schema):
    by_offer: list[TakeUpRowOut]
    by_region: list[TakeUpRowOut]
    by_council_type: list[TakeUpRowOut]


class WebinarRowOut(Schema):
    session: int
    title: str
    start: datetime
    capacity: int
    registered: int
    waiting: int
    fill: float | None


class WebinarsOut(Schema):
    sessions: list[WebinarRowOut]
    capacity: int
    registered: int
    waiting: int
    fill: float | None


class AttendanceMonthOut(Schema):
    offer: str
    month: str = Field(description="YYYY-MM, by the UK date of the session's start.")
    sessions: int = Field(description="Sessions going ahead that have started.")
    sessions_recorded: int = Field(description="Of those, the sessions with attendance recorded.")
    attended: int
    stand_ins: int = Field(description="People covered by a named stand-in (not no-shows).")
    no_shows: int = Field(description="People recorded absent.")
    not_recorded: int = Field(description="People on a started session not recorded yet.")
    participants_attended: int = Field(
        description="The council's participants recorded attended (counted apart from the "
        "panel's people above)."
    )
    participants_stand_ins: int = Field(
        description="The council's participants covered by a named stand-in."
    )
    participants_absent: int = Field(
        description="The council's participants recorded absent (no peer's no-show)."
    )


class PeerNoShowsOut(Schema):
    peer: int
    name: str
    no_shows: int
    recorded: int = Field(description="The peer's seats with attendance recorded.")


class AttendanceFiguresOut(Schema):
    by_offer_month: list[AttendanceMonthOut]
    sessions: int
    sessions_recorded: int
    attended: int
    stand_ins: int
    no_shows: int
    not_recorded: int
    participants_attended: int
    participants_stand_ins: int
    participants_absent: int
    peer_no_shows: list[PeerNoShowsOut] = Field(
        description="Each peer recorded absent, most no-shows first: LGA staff only (empty "
        "for an adviser)."
    )


class NotesFiguresOut(Schema):
    panels: int = Field(
        description="Confirmed bookings whose first session is in the period and whose "
        "sessions have all ended."
    )
    final: int = Field(description="Of those, the panels whose feedback note is final.")
    share_final: float | None = Field(description="final / panels (null without panels).")
    drafts_overdue: int = Field(
        description="Of those, the panels whose note was not sent to the council by its due "
        "date (ten working days after the panel)."
    )


class ActionsFiguresOut(Schema):
    on_track: int = Field(description="Open or in progress, and not yet past the due date.")
    overdue: int = Field(description="Open or in progress, and past the due date.")
    done: int


class SurveyOfferOut(Schema):
    offer: str = Field(description="The offer's slug.")
    label: str
    answers: int
    shown: bool = Field(description="False below `survey_fewest_answers`: only the count.")
    useful_average: float | None = Field(description="How useful, 1 to 5 (null unless shown).")
    recommend_share: int | None = Field(
        description="Per cent who would recommend it (null unless shown)."
    )


class FeedbackFiguresOut(Schema):
    notes: NotesFiguresOut
    actions: ActionsFiguresOut = Field(description="The actions from those panels' notes.")
    survey: list[SurveyOfferOut] = Field(
        description="By offer, for the booked sessions that started in the period and have "
        "answers. No total across offers: it would give away an offer's hidden figures."
    )
    survey_fewest_answers: int = Field(description="Figures are shown from this many answers.")


class SummaryOut(Schema):
    period: PeriodOut
    councils: str | int = Field(description='"all", or how many councils the adviser has')
    sessions: int
    requests_waiting: list[dict]
    unfilled_sessions: list[UnfilledSessionOut]
    unanswered_seats: list[UnansweredSeatOut]
    undelivered_invites: list[UndeliveredInviteOut]
    declines: list[DeclineOut]
    load: LoadOut
    take_up: TakeUpOut
    webinars: WebinarsOut
    attendance: AttendanceFiguresOut
    feedback: FeedbackFiguresOut = Field(
        description="After the panel, over the panels in the period that are over."
    )


@router.get(
    "/programme/summary",
    response=SummaryOut,
    summary="The programme's figures over a period (staff: every council; advisers: theirs)",
    description="422 (`type: rule`), the rules the schema cannot state: the end is on or after the start, at most a year after it.",
)
def programme_summary_get(request, query: Query[PeriodQuery]):
    caller = caller_for(request.user)
    period = programme_period(
        first_day=query.start,
        last_day=query.end,
        today=timezone.now().astimezone(LONDON).date(),
    )
    return programme_summary(caller=caller, period=period)
