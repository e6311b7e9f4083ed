"""The independent iCalendar parsers, run as subprocesses: ical.js (the parser in Thunderbird,
`node tests/interop/icaljs_parse.mjs`) and libical (`/usr/bin/python3
tests/interop/libical_check.py`, which applies RFC 5546's per-METHOD restrictions).

They need `cd tests/interop && npm ci` and the Debian packages gir1.2-ical-3.0 and
python3-gi. Without them a check skips, except under CI (CI set), where it fails.
"""

import functools
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

INTEROP = Path(__file__).resolve().parent
ICALJS_SCRIPT = INTEROP / "icaljs_parse.mjs"
LIBICAL_SCRIPT = INTEROP / "libical_check.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the interoperability tests may not be skipped)")
    pytest.skip(reason)


@functools.cache
def icaljs_problem() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed; the ical.js interoperability tests need it"
    if not (INTEROP / "node_modules" / "ical.js" / "package.json").is_file():
        return f"ical.js is not installed: run `npm ci` in {INTEROP}"
    return None


@functools.cache
def libical_problem() -> str | None:
    if not Path(SYSTEM_PYTHON).is_file():
        return f"{SYSTEM_PYTHON} is missing; the libical checks run with the system Python"
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return (
            f"libical's GObject bindings are not available to {SYSTEM_PYTHON}: "
            "apt-get install -y gir1.2-ical-3.0 python3-gi "
            f"({probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else 'no detail'})"
        )
    return None


def icaljs(data: bytes) -> dict:
    """The single VCALENDAR ical.js reads from `data`; fails the test if it cannot."""
    if problem := icaljs_problem():
        unavailable(problem)
    result = subprocess.run(
        ["node", str(ICALJS_SCRIPT)], input=data, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    (calendar,) = json.loads(result.stdout)["calendars"]
    return calendar


def libical(data: bytes, *, restrictions: bool = True) -> tuple[int, dict]:
    if problem := libical_problem():
        unavailable(problem)
    command = [SYSTEM_PYTHON, str(LIBICAL_SCRIPT)]
    if not restrictions:
        command.append("--parse-only")
    result = subprocess.run(command, input=data, capture_output=True, check=False)
    assert result.returncode in (0, 1), result.stderr.decode()
    return result.returncode, json.loads(result.stdout)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_calendar(data: bytes) -> dict:
    """The single VCALENDAR in `data`, as ical.js reads it; where node or ical.js is missing
    (and CI is not set), the same fields read with the Python icalendar library, so the tests
    of what is sent still run. The ical.js reading itself is checked by the `interop` tests."""
    if os.environ.get("CI") or icaljs_problem() is None:
        return icaljs(data)
    from icalendar import Calendar

    def text(component, name):
        value = component.get(name)
        return None if value is None else str(value)

    def time(component, name):
        if component.get(name) is None:
            return None
        moment = component.decoded(name)
        utc = utc_text(moment) if isinstance(moment, datetime) else None
        return {"value": component[name].to_ical().decode(), "utc": utc}

    def address(prop):
        found = {"value": str(prop)}
        for name in ("cn", "role", "partstat", "rsvp", "fbtype"):
            if name.upper() in prop.params:
                found[name] = str(prop.params[name.upper()])
        return found

    def addresses(component, name):
        value = component.get(name)
        if value is None:
            return []
        return [address(p) for p in (value if isinstance(value, list) else [value])]

    calendar = Calendar.from_ical(data)
    return {
        "method": text(calendar, "METHOD"),
        "events": [
            {
                "uid": text(event, "UID"),
                "summary": text(event, "SUMMARY"),
                "description": text(event, "DESCRIPTION"),
                "location": text(event, "LOCATION"),
                "url": text(event, "URL"),
                "status": text(event, "STATUS"),
                "sequence": int(event["SEQUENCE"]) if "SEQUENCE" in event else None,
                "dtstamp": time(event, "DTSTAMP"),
                "start": time(event, "DTSTART"),
                "end": time(event, "DTEND"),
                "organizer": (addresses(event, "ORGANIZER") or [None])[0],
                "attendees": addresses(event, "ATTENDEE"),
            }
            for event in calendar.walk("VEVENT")
        ],
    }


def libical_ready() -> bool:
    """Whether libical's check can run here: it can, or CI is set (then its absence fails)."""
    return bool(os.environ.get("CI")) or libical_problem() is None
