"""Reading a video platform's attendance report: Microsoft Teams' CSV export or Zoom's
participants export, as the platforms write them. Plain Python: bytes in, rows out.

Teams writes UTF-16 (little-endian, with a BOM), tab-separated, in sections headed
"1. Summary", "2. Participants" and "3. In-Meeting Activities"; Zoom writes UTF-8 CSV, its
participants perhaps after a block that sums up the meeting. Neither shape is fixed (columns
are renamed and reordered between versions), so the encoding is read from the BOM, the
delimiter from the header row, and the participants table is the first row that names a
person, an address and a duration, read until the section ends. One person's several rows
(Zoom lists each rejoin) are added up.
"""

import csv
import re
from dataclasses import dataclass

TEAMS, ZOOM = "teams", "zoom"

NAME_COLUMNS = ("name", "full name", "name (original name)", "participant", "display name")
EMAIL_COLUMNS = ("email", "user email", "e-mail", "email address")
UPN_COLUMNS = ("participant id (upn)", "upn")
DURATION_COLUMNS = (
    "in-meeting duration",
    "duration (minutes)",
    "total duration (minutes)",
    "duration",
    "attendance duration",
)
ZOOM_SIGNS = ("user email", "duration (minutes)", "total duration (minutes)", "guest")
SECTION = re.compile(r"^\s*\d+\.\s+\S")  # "3. In-Meeting Activities"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UnreadableReport(ValueError):
    """The file is not an attendance report this service can read; the message says why."""


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str  # lower case, or "" when the report gives none
    minutes: int


@dataclass(frozen=True)
class AttendanceReport:
    source: str  # TEAMS or ZOOM
    attendees: tuple[Attendee, ...]


def report_text(data: bytes) -> str:
    """The report's text, its encoding read from the BOM (UTF-16 without one is recognised by
    its zero bytes); otherwise UTF-8, or Windows-1252 for older exports."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    head = data[:200]
    if head and head.count(b"\x00") > len(head) // 4:
        return data.decode("utf-16-le" if head[1:2] == b"\x00" else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: str) -> str:
    return " ".join((value or "").replace("\ufeff", "").split())


def _key(value: str) -> str:
    return _cell(value).lower()


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def minutes_of(value: str, *, plain_is_minutes: bool) -> int:
    """A duration as the platforms write it: "1h 2m 3s", "45m 12s", "1:02:03", or a number
    (minutes in Zoom's column, seconds otherwise). Rounded to whole minutes."""
    value = _key(value)
    if not value:
        return 0
    parts = re.findall(
        r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hour|hours|m|min|mins|minutes?|s|sec|secs|seconds?)\b", value
    )
    if parts:
        seconds = 0.0
        for number, unit in parts:
            factor = 3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1
            seconds += float(number) * factor
        return round(seconds / 60)
    if re.fullmatch(r"\d+:\d{1,2}(:\d{1,2})?", value):
        pieces = [int(p) for p in value.split(":")]
        if len(pieces) == 2:
            pieces = [0, *pieces]
        hours, minutes, seconds = pieces
        return round(hours * 60 + minutes + seconds / 60)
    try:
        number = float(value)
    except ValueError:
        return 0
    return round(number if plain_is_minutes else number / 60)


def _rows(text: str) -> list[list[str]]:
    """Every line as cells: split on tabs where the line has them, else read as CSV."""
    rows = []
    for line in text.splitlines():
        delimiter = "\t" if "\t" in line else ","
        rows.append(next(csv.reader([line], delimiter=delimiter), []))
    return rows


def _is_header(row: list[str]) -> bool:
    return (
        _column(row, NAME_COLUMNS) is not None
        and (_column(row, EMAIL_COLUMNS) is not None or _column(row, UPN_COLUMNS) is not None)
        and _column(row, DURATION_COLUMNS) is not None
    )


def report_read(data: bytes) -> AttendanceReport:
    """The participants in a Teams or Zoom attendance report; UnreadableReport if none is
    found."""
    if not data:
        raise UnreadableReport("The selected file is empty.")
    rows = _rows(report_text(data))
    start = next((i for i, row in enumerate(rows) if _is_header(row)), None)
    if start is None:
        raise UnreadableReport(
            "The selected file has no participants table: upload the attendance report "
            "exported from Microsoft Teams or the participants export from Zoom."
        )
    header = rows[start]
    keys = [_key(h) for h in header]
    source = ZOOM if any(sign in keys for sign in ZOOM_SIGNS) else TEAMS
    name_at = _column(header, NAME_COLUMNS)
    email_at = _column(header, EMAIL_COLUMNS)
    upn_at = _column(header, UPN_COLUMNS)
    duration_at = _column(header, DURATION_COLUMNS)
    plain_is_minutes = "minutes" in keys[duration_at]

    def cell(row: list[str], at: int | None) -> str:
        return _cell(row[at]) if at is not None and at < len(row) else ""

    totals: dict[str, list] = {}  # a person's key -> [name, email, minutes]
    for row in rows[start + 1 :]:
        if not any(_cell(c) for c in row) or (len(row) == 1 and SECTION.match(row[0])):
            break  # the participants section has ended
        name = cell(row, name_at)
        email = cell(row, email_at).lower()
        if not EMAIL.match(email):
            upn = cell(row, upn_at).lower()
            email = upn if EMAIL.match(upn) else ""
        if not name and not email:
            continue
        minutes = minutes_of(cell(row, duration_at), plain_is_minutes=plain_is_minutes)
        key = email or f"name:{name.lower()}"
        if key in totals:
            totals[key][2] += minutes
        else:
            totals[key] = [name, email, minutes]
    return AttendanceReport(
        source=source,
        attendees=tuple(Attendee(name, email, minutes) for name, email, minutes in totals.values()),
    )
