"""The time zones a peer may choose: the one list the page offers and the one check every save
(page or API) makes.

Offered are the zones the tz database names for each country (its `zone.tab`, shipped by the
`tzdata` package), plus UTC: no outdated alias (`Africa/Asmera`, `US/Eastern`, `GB`) and no
`Etc/` offsets. Each has a label a person reads ("Eritrea: Asmara"), UK time and the zones
where most peers are come first. An old name is answered with the zone it now means (its tz
database link), so a peer who saved one can be told which to choose.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

UK_ZONE = "Europe/London"

# Where most peers are: the UK and Ireland, then the zones of peers working abroad.
COMMON_ZONES = (
    (UK_ZONE, "UK time (Europe/London)"),
    ("Europe/Dublin", "Ireland (Europe/Dublin)"),
    ("Europe/Paris", "Central European time (Europe/Paris)"),
    ("Europe/Lisbon", "Portugal (Europe/Lisbon)"),
    ("Europe/Athens", "Eastern European time (Europe/Athens)"),
    ("America/New_York", "US Eastern time (America/New_York)"),
    ("America/Chicago", "US Central time (America/Chicago)"),
    ("America/Los_Angeles", "US Pacific time (America/Los_Angeles)"),
    ("Asia/Dubai", "Gulf time (Asia/Dubai)"),
    ("Asia/Kolkata", "India (Asia/Kolkata)"),
    ("Asia/Singapore", "Singapore (Asia/Singapore)"),
    ("Australia/Sydney", "Australia Eastern time (Australia/Sydney)"),
    ("Pacific/Auckland", "New Zealand (Pacific/Auckland)"),
    ("UTC", "Coordinated Universal Time (UTC)"),
)


@dataclass(frozen=True)
class OfferedZone:
    name: str  # the IANA name stored and sent in the API
    label: str  # what a person reads in the list
    common: bool


def _table(name: str) -> list[list[str]]:
    text = files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _place(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


@cache
def offered_zones() -> tuple[OfferedZone, ...]:
    """Every zone a peer may choose: the common ones first in their order, then the rest by
    country and place."""
    countries = {row[0]: row[1] for row in _table("iso3166.tab")}
    common = dict(COMMON_ZONES)
    others: dict[str, str] = {}
    for row in _table("zone.tab"):
        code, name = row[0], row[2]
        if name in common or name in others:
            continue
        comment = row[3] if len(row) > 3 else ""
        label = f"{countries.get(code, code)}: {_place(name)}"
        others[name] = f"{label} ({comment})" if comment else label
    return (
        *(OfferedZone(name, label, True) for name, label in COMMON_ZONES),
        *(
            OfferedZone(name, label, False)
            for name, label in sorted(others.items(), key=lambda item: (item[1], item[0]))
        ),
    )


@cache
def _offered_names() -> frozenset[str]:
    return frozenset(zone.name for zone in offered_zones())


@cache
def _links() -> dict[str, str]:
    """Old and alternative names, each to the zone the tz database now gives for it."""
    text = files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    links = {}
    for line in text.splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


def zone_offered(name: str) -> bool:
    """Whether `name` is one of the zones a peer may choose."""
    return name in _offered_names()


def zone_now_named(name: str) -> str | None:
    """The offered zone that an old or alternative name (a tz database link) means, e.g.
    'Africa/Nairobi' for 'Africa/Asmera'; the name itself when it is offered; else None."""
    seen = set()
    while name not in _offered_names():
        if name in seen or name not in _links():
            return None
        seen.add(name)
        name = _links()[name]
    return name


def zone_refusal(name: str) -> str | None:
    """Why `name` cannot be chosen, in a sentence; None when it can."""
    if zone_offered(name):
        return None
    now = zone_now_named(name)
    if now is not None:
        return f"{name} is an old name for a time zone: choose {now} instead."
    return f"{name} is not a time zone in the list: choose one such as {UK_ZONE}."
