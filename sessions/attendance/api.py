"""Attendance's API: who attended a session, read and recorded by its LGA lead or LGA staff
(the rules are in rules.py)."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from peers.schemas import BodyIn
from peers.selectors import caller_for
from sessions.attendance import selectors, services
from sessions.attendance.models import STAND_IN_NAME_MAX, AttendanceStatus

router = Router(tags=["attendance"])

# Read as text so that a status the service does not know is refused in a sentence (422,
# `type: rule`) rather than in the schema validator's words; the schema still lists them.
StatusText = Annotated[
    str, WithJsonSchema({"type": "string", "enum": list(AttendanceStatus.values)})
]


class AttendanceIn(BodyIn):
    """One person: by `seat` (a peer or the LGA lead) or by `participant` (the council's),
    exactly one of the two."""

    seat: int | None = Field(
        None, description="A seat of this session (`GET` lists them); or give `participant`."
    )
    participant: int | None = Field(
        None,
        description="One of the booking's participants (`GET` lists them); or give `seat`.",
    )
    status: StatusText = Field(
        description="`attended`, `absent`, or `stand_in`: someone else came in their place "
        "(not a no-show)."
    )
    stand_in_name: str = Field(
        "",
        description=f"Who stood in: needed for `stand_in`, at most {STAND_IN_NAME_MAX} "
        "characters; ignored otherwise.",
    )


class AttendanceOut(Schema):
    seat: int | None = Field(description="The seat, for a peer or the LGA lead; else null.")
    participant: int | None = Field(
        description="The participant, for one of the council's participants; else null."
    )
    role: str
    name: str = Field(description="The peer (or LGA lead) on the seat, or the participant.")
    status: str = Field(description='`attended`, `absent`, `stand_in`, or "" (not recorded).')
    status_text: str
    stand_in_name: str
    recorded_at: datetime | None
    recorded_by: str


def _rows(session) -> list[dict]:
    return [row.__dict__ for row in selectors.attendance_rows(session)]


@router.get(
    "/sessions/{int:session_id}/attendance",
    response=list[AttendanceOut],
    summary="Who attended a session: each person on it and what was recorded (the session's "
    "LGA lead, LGA staff)",
)
def attendance_get(request, session_id: int):
    caller = caller_for(request.user)
    return _rows(selectors.attendance_session(caller=caller, session_id=session_id))


@router.post(
    "/sessions/{int:session_id}/attendance",
    response={200: list[AttendanceOut], 409: None},
    summary="Record who attended a session (the session's LGA lead, LGA staff); the people "
    "not given stay as they were",
    description="Each person is given by `seat` or by `participant`, exactly one of the two. "
    "409: the session has not started yet, or was cancelled. 422 (`type: rule`), nothing "
    "recorded: a seat not on this session (`loc` `seat-<id>`) or a participant not of its "
    "booking (`participant-<id>`), either given twice, a status not among `attended`, "
    "`absent` and `stand_in` (`seat-<id>-status`, `participant-<id>-status`), a stand-in "
    "without a name (`seat-<id>-stand_in_name`, `participant-<id>-stand_in_name`), a person "
    "given by both a seat and a participant or by neither, or an empty list (`attendance`).",
)
def attendance_post(request, session_id: int, marks: list[AttendanceIn]):
    caller = caller_for(request.user)
    session = selectors.attendance_session(caller=caller, session_id=session_id)
    services.attendance_record(
        caller=caller,
        session=session,
        marks=[
            services.Mark(
                seat=m.seat,
                participant=m.participant,
                status=m.status,
                stand_in_name=m.stand_in_name,
            )
            for m in marks
        ],
    )
    return _rows(session)
