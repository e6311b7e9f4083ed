import re
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, WithJsonSchema

from peers.models import CouncilType, Nation, PeerKind, Region
from scheduling.engine.time_zones import offered_zones
from scheduling.engine.uk_time import FIRST_YEAR, LAST_YEAR, outside_service_years

# As RFC 3339 writes them (the schema's `date` and `date-time`): pydantic alone would also read
# a number as seconds since 1970, and a date without its dashes.
RFC3339_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
RFC3339_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _written(pattern: re.Pattern, read, example: str):
    """Read text written as `pattern` says with `read` (a date or datetime from Python, not from
    a request, is taken as it is); anything else is refused with an example."""

    def check(value):
        if isinstance(value, date | datetime):
            return value
        if isinstance(value, str) and pattern.match(value):
            try:
                return read(value.upper())
            except ValueError:
                raise ValueError(f"{value} is not a real date.") from None
        raise ValueError(f"Write it as {example}.")

    return check


def _within_service_years(moment: date | datetime) -> date | datetime:
    problem = outside_service_years(moment)
    if problem:
        raise ValueError(problem)
    return moment.replace(microsecond=0) if isinstance(moment, datetime) else moment


# A time given to the API: ISO 8601 with a UTC offset, in the years the service plans for,
# to the second (a fraction of a second is dropped). Every start and end the API takes is one.
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(
        _written(
            RFC3339_TIME,
            datetime.fromisoformat,
            "2027-01-04T10:00:00Z or 2027-06-07T10:00:00+01:00",
        )
    ),
    AfterValidator(_within_service_years),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": r"^20[0-9]{2}-",
            "description": (
                f"ISO 8601 with a UTC offset, in the years {FIRST_YEAR} to {LAST_YEAR}; "
                "fractions of a second are dropped."
            ),
        }
    ),
]

# A date given to the API: YYYY-MM-DD, in the years the service plans for.
Day = Annotated[
    date,
    BeforeValidator(_written(RFC3339_DAY, date.fromisoformat, "YYYY-MM-DD, such as 2027-01-04")),
    AfterValidator(_within_service_years),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$",
            "description": f"YYYY-MM-DD, in the years {FIRST_YEAR} to {LAST_YEAR}.",
        }
    ),
]


class BodyIn(Schema):
    """A JSON body the API reads: a key it does not know is refused (422), not ignored, so
        a misspelt field is noticed and the schema says exactly what is read; and each value is
        of the type the schema says (strict: "1" is not a number, 0 is not false; the API's parser
    reads 4.0 as 4, as JSON Schema does). Dates and times
        are read by `Day` and `Instant`; a choice (an enum) is given as its text."""

    model_config = ConfigDict(extra="forbid", strict=True)


class CouncilRef(Schema):
    id: int
    name: str
    slug: str


class CouncilOut(Schema):
    id: int
    name: str
    slug: str
    council_type: str
    council_type_name: str
    region: str
    region_name: str
    leader_group: str
    principal_adviser: str | None

    @staticmethod
    def resolve_council_type_name(obj) -> str:
        return obj.get_council_type_display()

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.get_region_display()

    @staticmethod
    def resolve_principal_adviser(obj) -> str | None:
        adviser = obj.principal_adviser
        return (adviser.get_full_name() or adviser.username) if adviser else None


class CouncilFilter(Schema):
    search: str = ""
    region: Region | None = None
    council_type: CouncilType | None = None


class MeOut(Schema):
    username: str
    name: str
    email: str
    roles: list[str]
    council: CouncilRef | None = None
    advised_councils: list[CouncilRef] = []
    peer_id: int | None = None


class PeerOut(Schema):
    id: int
    name: str
    email: str
    kind: str
    political_group: str
    profession: str
    home_council: CouncilRef
    skills: list[str]
    accreditation: str
    monthly_session_cap: int
    monthly_hours_cap: int
    time_zone: str

    @staticmethod
    def resolve_skills(obj) -> list[str]:
        return [skill.slug for skill in obj.skills.all()]


class PeerFilter(Schema):
    search: str = ""
    kind: PeerKind | None = None


class TokenIn(BodyIn):
    name: str = Field(
        min_length=1, max_length=100, pattern=r"\S", description="What will use it; not blank."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class WindowIO(BodyIn):
    start: str = Field(pattern=HHMM, examples=["09:00"])
    end: str = Field(pattern=HHMM, examples=["12:30"])


class WeeklyWindowIO(WindowIO):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")


class OverrideIO(BodyIn):
    date: Day
    windows: list[WindowIO] = Field(
        default_factory=list, description="No windows: not available that date."
    )


class LeaveIO(BodyIn):
    first_day: Day
    last_day: Day
    note: str = Field(default="", max_length=200)


class AvailabilityIn(BodyIn):
    time_zone: str = Field(
        default="Europe/London",
        description="An IANA time zone the tz database names for a country, or UTC, e.g. "
        "Europe/London. An old name (Africa/Asmera, US/Eastern) is refused (422) with the zone "
        "it now means.",
        json_schema_extra={"enum": [zone.name for zone in offered_zones()]},
    )
    weekly: list[WeeklyWindowIO] = Field(default_factory=list, max_length=70)
    overrides: list[OverrideIO] = Field(
        default_factory=list,
        max_length=400,
        description="A date before today in `time_zone` is refused (422), unless it is an "
        "override you already have, sent back unchanged.",
    )
    leave: list[LeaveIO] = Field(
        default_factory=list,
        max_length=200,
        description="Leave that ended before today in `time_zone` is refused (422), unless it "
        "is leave you already have, sent back unchanged.",
    )
    monthly_session_cap: int = Field(ge=0, le=60)
    monthly_hours_cap: int = Field(ge=0, le=300)
    buffer_minutes: int = Field(default=30, ge=0, le=240)
    bank_holidays_block: bool = True
    nation: Nation = Field(default=Nation.ENGLAND, strict=False)
    busy_calendar_url: str | None = Field(
        default=None,
        max_length=2000,
        pattern=r"^$|^(https?|webcal)://",
        description='An ICS feed to poll; "" disconnects it; omit to leave it.',
    )


class BusyCalendarOut(Schema):
    source: str
    url: str
    filename: str
    state: Literal["pending", "imported", "refused"] = Field(
        description="pending: queued to be read; imported: its busy times are in use; "
        "refused: it could not be read (last_error says why; the last good busy times stay)."
    )
    event_count: int = Field(
        description="Busy times stored (overlapping and touching events merged into one)."
    )
    occurrence_count: int = Field(
        description="Events in the coming months, each occurrence of a repeating one counted."
    )
    imported_at: datetime | None
    checked_at: datetime | None
    last_error: str


class AvailabilityOut(Schema):
    time_zone: str
    weekly: list[WeeklyWindowIO]
    overrides: list[OverrideIO]
    leave: list[LeaveIO]
    monthly_session_cap: int
    monthly_hours_cap: int
    buffer_minutes: int
    bank_holidays_block: bool
    nation: str
    busy_calendar: BusyCalendarOut | None


class ReleasedSeatOut(Schema):
    id: int = Field(description="The seat's id (as in GET /api/seats)")
    start: datetime
    end: datetime
    title: str


class AvailabilityChangeOut(AvailabilityOut):
    released_seats: list[ReleasedSeatOut] = Field(
        description="Seats you held that this change takes out of your available time. They "
        "are released: the LGA finds a replacement for each and tells the council."
    )


class IntervalOut(Schema):
    start: datetime
    end: datetime


class BusyIntervalOut(IntervalOut):
    reason: str


class FreeBusyOut(Schema):
    free: list[IntervalOut]
    busy: list[BusyIntervalOut]


class RangeQuery(Schema):
    start: Instant
    end: Instant
