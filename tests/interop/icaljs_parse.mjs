// Parses iCalendar text with ical.js (the parser in Thunderbird) and prints what it read
// as JSON, so the Python tests can compare an independent reading with what was built.
//
//   node icaljs_parse.mjs [FILE]      (reads standard input when FILE is absent or "-")
//
// Exit status: 0 parsed; 1 ical.js rejected the text (the reason on standard error);
// 2 usage error.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function readInput(argv) {
  if (argv.length > 1) {
    process.stderr.write("usage: node icaljs_parse.mjs [FILE]\n");
    process.exit(2);
  }
  const source = argv.length === 0 || argv[0] === "-" ? 0 : argv[0];
  return readFileSync(source, "utf8");
}

function timeOf(property) {
  if (!property) return null;
  const value = property.getFirstValue();
  if (!(value instanceof ICAL.Time)) {
    return { value: String(value), zone: null, utc: null };
  }
  // zone is the VTIMEZONE from this document when its TZID is defined there;
  // "floating" means ical.js could not resolve the TZID.
  const zone = value.zone ? value.zone.tzid : null;
  const utc = value.isDate
    ? null
    : value.convertToZone(ICAL.Timezone.utcTimezone).toString();
  return {
    value: value.toString(),
    tzid: property.getParameter("tzid") ?? null,
    zone,
    utc,
  };
}

function addressOf(property) {
  const parameters = {};
  for (const name of ["cn", "role", "partstat", "rsvp", "fbtype"]) {
    const value = property.getParameter(name);
    if (value !== undefined && value !== null) parameters[name] = value;
  }
  return { value: property.getFirstValue(), ...parameters };
}

function textOf(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function eventOf(vevent) {
  return {
    uid: textOf(vevent, "uid"),
    summary: textOf(vevent, "summary"),
    description: textOf(vevent, "description"),
    location: textOf(vevent, "location"),
    url: textOf(vevent, "url"),
    status: textOf(vevent, "status"),
    sequence: vevent.getFirstPropertyValue("sequence"),
    dtstamp: timeOf(vevent.getFirstProperty("dtstamp")),
    last_modified: timeOf(vevent.getFirstProperty("last-modified")),
    start: timeOf(vevent.getFirstProperty("dtstart")),
    end: timeOf(vevent.getFirstProperty("dtend")),
    categories: vevent
      .getAllProperties("categories")
      .flatMap((property) => property.getValues().map(String)),
    organizer: vevent.getFirstProperty("organizer")
      ? addressOf(vevent.getFirstProperty("organizer"))
      : null,
    attendees: vevent.getAllProperties("attendee").map(addressOf),
  };
}

function freeBusyOf(vfreebusy) {
  return {
    uid: textOf(vfreebusy, "uid"),
    dtstamp: timeOf(vfreebusy.getFirstProperty("dtstamp")),
    start: timeOf(vfreebusy.getFirstProperty("dtstart")),
    end: timeOf(vfreebusy.getFirstProperty("dtend")),
    organizer: vfreebusy.getFirstProperty("organizer")
      ? addressOf(vfreebusy.getFirstProperty("organizer"))
      : null,
    periods: vfreebusy.getAllProperties("freebusy").flatMap((property) =>
      property.getValues().map((period) => ({
        fbtype: property.getParameter("fbtype") ?? "BUSY",
        start: period.start.convertToZone(ICAL.Timezone.utcTimezone).toString(),
        end: period.getEnd().convertToZone(ICAL.Timezone.utcTimezone).toString(),
      })),
    ),
  };
}

function calendarOf(vcalendar) {
  const refresh = vcalendar.getFirstProperty("refresh-interval");
  return {
    method: textOf(vcalendar, "method"),
    prodid: textOf(vcalendar, "prodid"),
    version: textOf(vcalendar, "version"),
    name: textOf(vcalendar, "name"),
    x_wr_calname: textOf(vcalendar, "x-wr-calname"),
    refresh_interval: refresh
      ? {
          value: String(refresh.getFirstValue()),
          value_param: refresh.getParameter("value") ?? null,
          type: refresh.type,
        }
      : null,
    x_published_ttl: textOf(vcalendar, "x-published-ttl"),
    timezones: vcalendar
      .getAllSubcomponents("vtimezone")
      .map((vtimezone) => vtimezone.getFirstPropertyValue("tzid")),
    events: vcalendar.getAllSubcomponents("vevent").map(eventOf),
    freebusy: vcalendar.getAllSubcomponents("vfreebusy").map(freeBusyOf),
  };
}

let text;
try {
  text = readInput(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`cannot read input: ${error.message}\n`);
  process.exit(2);
}

try {
  const parsed = ICAL.parse(text);
  // ICAL.parse returns one jCal array for one component, or a list of them.
  const roots = typeof parsed[0] === "string" ? [parsed] : parsed;
  if (roots.length === 0) throw new Error("no component found");
  const calendars = roots.map((jcal) => {
    const root = new ICAL.Component(jcal);
    if (root.name !== "vcalendar") {
      throw new Error(`top-level component is ${root.name.toUpperCase()}, not VCALENDAR`);
    }
    return calendarOf(root);
  });
  process.stdout.write(`${JSON.stringify({ calendars }, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`ical.js could not parse the calendar: ${error.message}\n`);
  process.exit(1);
}
