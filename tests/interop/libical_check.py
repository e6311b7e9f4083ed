"""Parse iCalendar text with libical and apply RFC 5546's per-METHOD restrictions.

Run with the system interpreter, which has libical's GObject bindings
(Debian: gir1.2-ical-3.0 and python3-gi):

    /usr/bin/python3 libical_check.py [--parse-only] [FILE]   (standard input without FILE)

Prints JSON: the METHOD, libical's parse errors, the restriction errors (icalrestriction_check,
unless --parse-only, which suits feeds: they have no METHOD), and each VEVENT/VFREEBUSY as
libical read it, with DTSTART/DTEND converted to UTC through the document's own VTIMEZONE.

Exit status: 0 no errors; 1 parse or restriction errors; 2 not iCalendar at all, or usage.
"""

import argparse
import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

ANY = ICalGLib.ComponentKind.ANY_COMPONENT


def _children(component):
    child = component.get_first_component(ANY)
    while child is not None:
        yield child
        child = component.get_next_component(ANY)


def _properties(component, kind):
    prop = component.get_first_property(kind)
    while prop is not None:
        yield prop
        prop = component.get_next_property(kind)


def _errors(component):
    """Every X-LIC-ERROR libical attached, depth first, as 'COMPONENT: message'."""
    found = []
    kind = ICalGLib.Component.kind_to_string(component.isa())
    for prop in _properties(component, ICalGLib.PropertyKind.XLICERROR_PROPERTY):
        found.append(f"{kind}: {prop.get_xlicerror()}")
    for child in _children(component):
        found.extend(_errors(child))
    # libical 3.0 repeats some restriction messages once per property it walks past.
    return list(dict.fromkeys(found))


def _time(root, component, kind):
    prop = component.get_first_property(kind)
    if prop is None:
        return None
    value = prop.get_value().get_datetime() if prop.get_value() else None
    if value is None:
        return {"value": prop.get_value_as_string(), "tzid": None, "utc": None}
    param = prop.get_first_parameter(ICalGLib.ParameterKind.TZID_PARAMETER)
    tzid = param.get_tzid() if param is not None else None
    if value.is_utc():
        zone = ICalGLib.Timezone.get_utc_timezone()
    elif tzid is not None:
        # Only the VTIMEZONE inside this document: libical's built-in zones would hide a
        # wrong definition.
        zone = root.get_timezone(tzid)
    else:
        zone = None
    utc = None
    if zone is not None and not value.is_date():
        utc = datetime.fromtimestamp(value.as_timet_with_zone(zone), UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    return {"value": value.as_ical_string(), "tzid": tzid, "utc": utc}


def _address(prop):
    found = {"value": prop.get_value_as_string()}
    for name in ("CN", "ROLE", "PARTSTAT", "RSVP"):
        value = prop.get_parameter_as_string(name)
        if value is not None:
            found[name.lower()] = value
    return found


def _component(root, component):
    kind = ICalGLib.Component.kind_to_string(component.isa())
    pk = ICalGLib.PropertyKind
    found = {
        "kind": kind,
        "uid": component.get_uid(),
        "sequence": component.get_sequence(),
        "dtstamp": _time(root, component, pk.DTSTAMP_PROPERTY),
        "start": _time(root, component, pk.DTSTART_PROPERTY),
        "end": _time(root, component, pk.DTEND_PROPERTY),
        "organizer": [_address(p) for p in _properties(component, pk.ORGANIZER_PROPERTY)],
        "attendees": [_address(p) for p in _properties(component, pk.ATTENDEE_PROPERTY)],
    }
    if kind == "VEVENT":
        status = component.get_first_property(pk.STATUS_PROPERTY)
        found["summary"] = component.get_summary()
        found["status"] = status.get_value_as_string() if status is not None else None
    if kind == "VFREEBUSY":
        found["freebusy"] = [
            {
                "fbtype": p.get_parameter_as_string("FBTYPE"),
                "value": p.get_value_as_string(),
            }
            for p in _properties(component, pk.FREEBUSY_PROPERTY)
        ]
    return found


def check(text, *, restrictions=True):
    try:
        root = ICalGLib.Component.new_from_string(text)
    except TypeError:  # the binding raises "constructor returned NULL" for non-iCalendar text
        return None
    if root is None:
        return None
    if root.isa() != ICalGLib.ComponentKind.VCALENDAR_COMPONENT:
        return {
            "kind": ICalGLib.Component.kind_to_string(root.isa()),
            "parse_errors": ["top-level component is not a VCALENDAR"],
            "restriction_errors": [],
            "restriction_checked": False,
        }
    parse_errors = _errors(root)
    root.strip_errors()
    restriction_errors = []
    if restrictions:
        ICalGLib.restriction_check(root)
        restriction_errors = _errors(root)
    method = root.get_first_property(ICalGLib.PropertyKind.METHOD_PROPERTY)
    return {
        "kind": "VCALENDAR",
        "method": method.get_value_as_string() if method is not None else None,
        "parse_errors": parse_errors,
        "restriction_checked": restrictions,
        "restriction_errors": restriction_errors,
        "components": [
            _component(root, child)
            for child in _children(root)
            if child.isa()
            in (ICalGLib.ComponentKind.VEVENT_COMPONENT, ICalGLib.ComponentKind.VFREEBUSY_COMPONENT)
        ],
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parse-only", action="store_true", help="skip the RFC 5546 check")
    parser.add_argument("file", nargs="?", default="-")
    args = parser.parse_args(argv)
    if args.file == "-":
        text = sys.stdin.buffer.read().decode("utf-8")
    else:
        with open(args.file, encoding="utf-8") as handle:
            text = handle.read()
    result = check(text, restrictions=not args.parse_only)
    if result is None:
        print("libical found no iCalendar component in the input", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if result["parse_errors"] or result["restriction_errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
