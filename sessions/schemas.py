from datetime import date, datetime

from ninja import Field, Schema
from pydantic import BaseModel

from peers.schemas import BodyIn, Instant
from sessions.models import Delivery, OfferStatus, Programme, Topic


class RoleSlotOut(Schema):
    name: str
    count: int
    kind: str
    political_rule: str
    political_group: str
    profession: str
    skill: str | None
    description: str

    @staticmethod
    def resolve_skill(obj) -> str | None:
        return obj.skill.slug if obj.skill else None

    @staticmethod
    def resolve_description(obj) -> str:
        return obj.requirement_text


class OfferFormatOut(Schema):
    delivery: str
    delivery_name: str
    duration_minutes: int
    duration_text: str
    session_count: int
    spacing_days: int
    seats: int | None
    description: str


class OfferOut(Schema):
    slug: str
    programme: str
    programme_name: str
    title: str
    summary: str
    audience: str
    status: OfferStatus = Field(
        description="The status today: a suspension or a coming offer whose date has come is "
        "available"
    )
    status_text: str
    suspended_until: date | None = Field(
        description="While suspended: the day it can be booked again"
    )
    available_from: date | None = Field(
        description="While coming soon: the day it opens, if the LGA has set one"
    )
    topic: str
    contact_email: str
    url: str

    @staticmethod
    def resolve_programme_name(obj) -> str:
        return obj.get_programme_display()

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.state().status

    @staticmethod
    def resolve_status_text(obj) -> str:
        return obj.state().text

    @staticmethod
    def resolve_suspended_until(obj) -> date | None:
        state = obj.state()
        return state.until if state.status == OfferStatus.SUSPENDED else None

    @staticmethod
    def resolve_available_from(obj) -> date | None:
        state = obj.state()
        return state.until if state.status == OfferStatus.COMING_SOON else None

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class OfferDetailOut(OfferOut):
    description: str
    partner: str
    format: OfferFormatOut
    role_slots: list[RoleSlotOut]
    min_notice_days: int
    horizon_days: int
    conflict_same_region: bool
    needs_approval: bool = Field(
        description="Whether a booking is a request until the council's Principal Adviser "
        "approves it (the peers are invited on approval)"
    )
    source: str

    @staticmethod
    def resolve_format(obj) -> dict:
        return {
            "delivery": obj.delivery,
            "delivery_name": obj.get_delivery_display(),
            "duration_minutes": obj.duration_minutes,
            "duration_text": obj.duration_text,
            "session_count": obj.session_count,
            "spacing_days": obj.spacing_days,
            "seats": obj.seats,
            "description": obj.format_text,
        }

    @staticmethod
    def resolve_role_slots(obj) -> list:
        return list(obj.role_slots.all())


class OfferFilter(Schema):
    programme: Programme | None = None
    status: OfferStatus | None = Field(default=None, description="The status today")
    delivery: Delivery | None = None
    topic: Topic | None = None


class BookingFilter(Schema):
    reference: str = Field(
        default="",
        max_length=40,
        description="The booking with this reference, e.g. RRP-26-0007 (also found written as "
        "'rrp 26 7'); none when no booking the caller may see has it",
    )
    q: str = Field(
        default="",
        max_length=200,
        description="Bookings whose reference contains this text, or whose council name or offer "
        "title contains each of its words",
    )


# A search answers hundreds of slots: these plain models take dicts only, without the
# per-object attribute resolution of ninja's Schema (which made them most of a search's time).


class PeerBrief(BaseModel):
    id: int
    name: str
    kind: str
    political_group: str
    profession: str
    home_council: str


class PanelSeatOut(BaseModel):
    role: str
    peer: PeerBrief


class SessionTimeOut(BaseModel):
    start: datetime
    end: datetime


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    sessions: list[SessionTimeOut]
    panel: list[PanelSeatOut]


class SlotQuery(Schema):
    council: int
    start: Instant
    end: Instant
    limit: int | None = Field(default=None, ge=1, le=2000)
    booking: int | None = Field(
        default=None,
        description="A booking of this offer and council to move: its own seats do not block "
        "the times, and each time shows the panel moving there would seat (its peers kept "
        "where they can be)",
    )
    review: int | None = Field(
        default=None,
        description="An earlier panel of this offer and council whose progress review is being "
        "booked (offered from nine months after it met): each time shows the panel the review "
        "would seat, the earlier panel's peers and LGA lead kept where they can be",
    )


class ExplainQuery(Schema):
    council: int
    start: Instant


class ExplanationOut(Schema):
    start: datetime
    staffable: bool
    status: str
    reasons: list[str]
    sessions: list[SessionTimeOut]
    panel: list[PanelSeatOut] = Field(
        default=[], description="When it can be staffed: the panel booking it would seat"
    )


class ShownSeatIn(BodyIn):
    role: str
    peer: int = Field(description="The peer's id, as the slot search showed it")


PANEL_SHOWN = (
    "The panel the slot search showed for this time (role and peer id per seat). When the "
    "panel booking it would seat now differs, the answer is 409 with the new panel and why "
    "each seat changed, and nothing is booked. Leave it out to book whatever panel is best now."
)


class ParticipantIn(BodyIn):
    """Someone from the council who will attend (sessions/participants/)."""

    name: str = Field(max_length=400)
    role: str = Field(default="", max_length=400, description='e.g. "Leader", "Chief executive"')
    email: str = Field(max_length=400)


class ParticipantOut(Schema):
    id: int
    name: str
    role: str
    email: str = Field(description="Only for whoever manages the booking; empty for the panel")
    answer: str = Field(description="needs-action, accepted, declined or tentative")
    answer_text: str
    answered_at: datetime | None


class ParticipantBriefOut(Schema):
    """Who the panel will meet: never an address."""

    name: str
    role: str
    answer: str
    answer_text: str


class BookingIn(BodyIn):
    offer: str = Field(description="The offer's slug")
    council: int
    start: Instant
    notes: str = Field(default="", max_length=4000)
    panel: list[ShownSeatIn] | None = Field(default=None, description=PANEL_SHOWN)
    participants: list[ParticipantIn] | None = Field(
        default=None,
        description="Who will attend from the council: each {name, role, email}, as "
        "`PUT /bookings/{id}/participants` takes them; an invalid list books nothing.",
    )


class ProgressReviewIn(BodyIn):
    start: Instant
    notes: str = Field(default="", max_length=4000)
    panel: list[ShownSeatIn] | None = Field(default=None, description=PANEL_SHOWN)
    participants: list[ParticipantIn] | None = Field(
        default=None, description="Who will attend from the council, as `POST /bookings` takes them"
    )


class RescheduleIn(BodyIn):
    start: Instant
    panel: list[ShownSeatIn] | None = Field(default=None, description=PANEL_SHOWN)


class CancelIn(BodyIn):
    reason: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"\S",
        description="Why the booking is cancelled (the peers are told); not blank.",
    )


class SeatOut(Schema):
    id: int
    role: str
    position: int
    status: str
    peer: PeerBrief | None
    why: dict = Field(
        description="Staff: the seat's fit breakdown (points per part). Others: empty, or why "
        "the seat is unfilled."
    )
    why_words: str = Field(
        "", description="Why the peer suits the seat, in plain words for the council."
    )
    runner_up: dict = Field(description="Staff: the next best peer and their fit.")


class SessionOut(Schema):
    id: int
    number: int
    start: datetime
    end: datetime
    status: str
    uid: str
    sequence: int
    joining_url: str
    seats: list[SeatOut]


class BookingOut(Schema):
    id: int = Field(description="The booking's key in the API")
    reference: str = Field(
        description="The reference people quote and search for: the offer's code, the two-digit "
        "year it was booked and a number, e.g. RRP-26-0007"
    )
    offer: str
    offer_title: str
    council: int
    council_name: str
    status: str = Field(
        description="requested (waiting for approval, its time pencilled in), confirmed "
        "(live), rejected (declined by the adviser), expired (not decided in time) or cancelled"
    )
    state: str = Field(
        description='Where it stands, from its seats: "Waiting for approval (until ...)", '
        '"Being staffed (2 of 3 accepted)", "Confirmed", "Needs attention" (a seat is '
        'unfilled), "Declined by the Principal Adviser", "Request expired" or "Cancelled"'
    )
    notes: str
    cancel_reason: str
    request_expires_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str = ""
    decision_reason: str = ""
    created_at: datetime
    participants: list[ParticipantOut] = Field(
        description="Who will attend from the council and their answers (addresses only for "
        "whoever manages the booking)"
    )
    sessions: list[SessionOut]


class SeatChangeOut(Schema):
    role: str
    shown: PeerBrief | None
    now: PeerBrief | None
    why: str


class ConflictOut(Schema):
    """A 409: the time can no longer be staffed (reasons, alternatives), the panel changed
    since it was shown (start, panel, changes), or the booking exists already (booking and
    its reference)."""

    detail: str
    reasons: list[str] = []
    alternatives: list[datetime] = []
    start: datetime | None = None
    panel: list[PanelSeatOut] = []
    changes: list[SeatChangeOut] = []
    booking: int | None = None
    reference: str | None = None


class JoiningLinkIn(BodyIn):
    joining_url: str = Field(
        "", max_length=1000, description="The online meeting's link; empty clears it."
    )


class FieldChangeOut(Schema):
    field: str
    before: str | None
    after: str | None = Field(
        description="The value after the change; for a long text (the feedback note's parts, "
        "the council's comments, an action's words) what happened to it instead: written, "
        "changed or cleared (its words are on the note's page, not in the history)."
    )


class HistoryEntryOut(Schema):
    when: datetime
    who: str = Field(description="The user, the peer an e-mailed link spoke for, or 'system'.")
    what: str
    changes: list[FieldChangeOut]


class RejectIn(BodyIn):
    reason: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"\S",
        description="Why the request is declined (the booker is told); not blank.",
    )


class ApprovalOut(BookingOut):
    changes: list[SeatChangeOut] = Field(
        default=[],
        description="Seats planned again on approval because their peer was no longer free "
        "or eligible, each with why",
    )
