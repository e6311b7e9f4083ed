"""Deterministic, realistic demo data: councils, principal advisers, peers and demo sign-ins.

Running it again updates what is there and adds nothing twice (everything is keyed on a
natural key: council slug, username, peer e-mail). Leader groups and peers are invented.
"""

import random
from dataclasses import dataclass
from datetime import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from peers.free_time import free_time_refresh
from peers.models import (
    Accreditation,
    Booker,
    Council,
    Councillor,
    Nation,
    Peer,
    PeerKind,
    PoliticalGroup,
    Profession,
    Region,
    Skill,
    WeeklyWindow,
)

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only, printed by `make run`
PEER_COUNT = 320

C, D, U, M, LB, W = (
    "county",
    "district",
    "unitary",
    "metropolitan",
    "london-borough",
    "welsh-unitary",
)
COUNCILS = {
    Region.NORTH_EAST: [
        ("Newcastle City Council", M),
        ("Sunderland City Council", M),
        ("Gateshead Council", M),
        ("Durham County Council", U),
        ("Northumberland County Council", U),
        ("Middlesbrough Council", U),
    ],
    Region.NORTH_WEST: [
        ("Manchester City Council", M),
        ("Liverpool City Council", M),
        ("Wigan Council", M),
        ("Lancashire County Council", C),
        ("Cumberland Council", U),
        ("Blackpool Council", U),
        ("Preston City Council", D),
    ],
    Region.YORKSHIRE_HUMBER: [
        ("Leeds City Council", M),
        ("Sheffield City Council", M),
        ("Bradford Council", M),
        ("Calderdale Council", M),
        ("North Yorkshire Council", U),
        ("Hull City Council", U),
        ("East Riding of Yorkshire Council", U),
    ],
    Region.EAST_MIDLANDS: [
        ("Nottinghamshire County Council", C),
        ("Lincolnshire County Council", C),
        ("Derby City Council", U),
        ("Leicester City Council", U),
        ("Broxtowe Borough Council", D),
        ("High Peak Borough Council", D),
    ],
    Region.WEST_MIDLANDS: [
        ("Birmingham City Council", M),
        ("Coventry City Council", M),
        ("Worcestershire County Council", C),
        ("Shropshire Council", U),
        ("Stoke-on-Trent City Council", U),
        ("Herefordshire Council", U),
        ("Warwick District Council", D),
    ],
    Region.EAST_OF_ENGLAND: [
        ("Norfolk County Council", C),
        ("Suffolk County Council", C),
        ("Luton Borough Council", U),
        ("Peterborough City Council", U),
        ("Cambridge City Council", D),
        ("Colchester City Council", D),
    ],
    Region.LONDON: [
        ("London Borough of Camden", LB),
        ("London Borough of Hackney", LB),
        ("Royal Borough of Kingston upon Thames", LB),
        ("London Borough of Sutton", LB),
        ("Westminster City Council", LB),
        ("London Borough of Barnet", LB),
        ("London Borough of Tower Hamlets", LB),
    ],
    Region.SOUTH_EAST: [
        ("Kent County Council", C),
        ("Surrey County Council", C),
        ("Brighton & Hove City Council", U),
        ("Milton Keynes City Council", U),
        ("Portsmouth City Council", U),
        ("Oxford City Council", D),
        ("Tunbridge Wells Borough Council", D),
    ],
    Region.SOUTH_WEST: [
        ("Devon County Council", C),
        ("Cornwall Council", U),
        ("Bristol City Council", U),
        ("Somerset Council", U),
        ("Plymouth City Council", U),
        ("Exeter City Council", D),
        ("Stroud District Council", D),
    ],
    Region.WALES: [
        ("Cardiff Council", W),
        ("Swansea Council", W),
        ("Gwynedd Council", W),
        ("Powys County Council", W),
        ("Wrexham County Borough Council", W),
        ("Monmouthshire County Council", W),
        ("Rhondda Cynon Taf County Borough Council", W),
    ],
}

LEADER_GROUP_WEIGHTS = {
    PoliticalGroup.LABOUR: 35,
    PoliticalGroup.CONSERVATIVE: 30,
    PoliticalGroup.LIBERAL_DEMOCRAT: 15,
    PoliticalGroup.INDEPENDENT: 12,
    PoliticalGroup.GREEN: 8,
}
MEMBER_GROUP_WEIGHTS = {
    PoliticalGroup.LABOUR: 34,
    PoliticalGroup.CONSERVATIVE: 32,
    PoliticalGroup.LIBERAL_DEMOCRAT: 16,
    PoliticalGroup.INDEPENDENT: 12,
    PoliticalGroup.GREEN: 6,
}
PROFESSION_WEIGHTS = {
    Profession.CHIEF_EXECUTIVE: 22,
    Profession.S151_FINANCE: 18,
    Profession.MONITORING_OFFICER: 10,
    Profession.CHILDRENS_SERVICES: 10,
    Profession.ADULT_SOCIAL_SERVICES: 10,
    Profession.PUBLIC_HEALTH: 10,
    Profession.COMMUNICATIONS: 12,
    Profession.PLANNING: 8,
}
# Skills a profession brings with it; everyone also gets one to three more.
PROFESSION_SKILLS = {
    Profession.CHIEF_EXECUTIVE: ["recovery-planning", "governance"],
    Profession.S151_FINANCE: ["finance"],
    Profession.MONITORING_OFFICER: ["governance", "scrutiny"],
    Profession.CHILDRENS_SERVICES: ["childrens-services"],
    Profession.ADULT_SOCIAL_SERVICES: ["adult-social-care"],
    Profession.PUBLIC_HEALTH: ["public-health", "health-and-wellbeing"],
    Profession.COMMUNICATIONS: ["communications"],
    Profession.PLANNING: ["planning"],
}
MEMBER_SKILLS = [
    "finance",
    "recovery-planning",
    "leadership-coaching",
    "scrutiny",
    "health-and-wellbeing",
    "childrens-services",
    "adult-social-care",
    "economic-growth",
    "digital",
    "workforce",
]
OFFICER_EXTRA_SKILLS = [
    "mentoring",
    "commercial",
    "digital",
    "workforce",
    "economic-growth",
    "leadership-coaching",
]

FIRST_NAMES = [
    "Aisha",
    "Alan",
    "Amrit",
    "Andrew",
    "Angela",
    "Ben",
    "Bethan",
    "Carl",
    "Catherine",
    "Chloe",
    "Daniel",
    "David",
    "Deborah",
    "Dylan",
    "Elaine",
    "Emma",
    "Fatima",
    "Gareth",
    "Grace",
    "Hannah",
    "Harpreet",
    "Ian",
    "Imran",
    "Jacqueline",
    "James",
    "Janet",
    "Joanne",
    "John",
    "Karen",
    "Kwame",
    "Laura",
    "Lee",
    "Linda",
    "Mark",
    "Martin",
    "Mary",
    "Mohammed",
    "Nadia",
    "Neil",
    "Nicola",
    "Oliver",
    "Patricia",
    "Paul",
    "Rachel",
    "Rhys",
    "Richard",
    "Ruth",
    "Sally",
    "Sanjay",
    "Sarah",
    "Sean",
    "Shabana",
    "Simon",
    "Siobhan",
    "Stephen",
    "Susan",
    "Tom",
    "Tracey",
    "Wendy",
    "Yusuf",
]
LAST_NAMES = [
    "Ahmed",
    "Allen",
    "Bailey",
    "Baker",
    "Begum",
    "Bennett",
    "Brown",
    "Campbell",
    "Carter",
    "Clarke",
    "Collins",
    "Cooper",
    "Davies",
    "Edwards",
    "Evans",
    "Fisher",
    "Green",
    "Griffiths",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Jackson",
    "James",
    "Jenkins",
    "Johnson",
    "Jones",
    "Kaur",
    "Khan",
    "King",
    "Lewis",
    "Lloyd",
    "Martin",
    "Mitchell",
    "Moore",
    "Morgan",
    "Morris",
    "Murphy",
    "Nelson",
    "Okafor",
    "Owen",
    "Parker",
    "Patel",
    "Phillips",
    "Price",
    "Roberts",
    "Robinson",
    "Scott",
    "Shaw",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]
# A few peers live outside the UK's time zone and keep their hours in their own.
OTHER_TIME_ZONES = ["Europe/Madrid", "America/New_York", "Europe/Dublin"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    description: str


DEMO_USERS = [
    DemoUser("staff", "Sam", "Okoro", "LGA staff: runs the programme, uses the admin"),
    DemoUser("adviser", "Priya", "Shah", "Principal Adviser for the North West's councils"),
    DemoUser("booker", "Jo", "Williams", "Head of Policy, books for Wigan Council"),
    DemoUser("peer", "Chris", "Taylor", "Member peer (Labour), Leeds City Council"),
    DemoUser("councillor", "Morgan", "Evans", "Ward councillor, Cardiff Council"),
    DemoUser("lead", "Helen", "Ashworth", "LGA facilitator: leads Recovery & Renewal Panels"),
]
REGION_ADVISERS = {  # every other region has its own Principal Adviser (no demo sign-in)
    Region.NORTH_EAST: ("Helen", "Armstrong"),
    Region.YORKSHIRE_HUMBER: ("Mike", "Haigh"),
    Region.EAST_MIDLANDS: ("Anita", "Desai"),
    Region.WEST_MIDLANDS: ("Rob", "Whitehouse"),
    Region.EAST_OF_ENGLAND: ("Claire", "Fenwick"),
    Region.LONDON: ("Tunde", "Adeyemi"),
    Region.SOUTH_EAST: ("Fiona", "Hart"),
    Region.SOUTH_WEST: ("Gavin", "Trelawny"),
    Region.WALES: ("Eleri", "Pritchard"),
}


# The LGA's facilitators in the demo: a handful, as the programme has.
FACILITATORS = [
    ("Helen", "Ashworth"),
    ("Marcus", "Oyelaran"),
    ("Siobhan", "Keane"),
    ("Rajesh", "Mistry"),
    ("Claire", "Pennington"),
    ("Tomasz", "Nowak"),
]


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _upsert_user(
    username: str, first_name: str, last_name: str, *, password: str | None, is_staff=False
):
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@demo.example.org",
            "is_staff": is_staff,
            "is_superuser": is_staff,
            "is_active": True,
        },
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def _weekly_windows(rng: random.Random, kind: str) -> list[tuple[int, time, time]]:
    """A plausible week: members around council meetings, officers around their day jobs."""
    days = sorted(rng.sample(range(5), rng.randint(2, 4)))
    windows = []
    for day in days:
        shape = rng.random()
        if shape < 0.4:
            windows.append((day, time(9, 0), time(17, 0)))
        elif shape < 0.7:
            windows.append((day, time(9, 30), time(12, 30)))
            windows.append((day, time(13, 30), time(17, 0)))
        elif kind == PeerKind.MEMBER:
            windows.append((day, time(10, 0), time(16, 0)))
        else:
            windows.append((day, time(8, 30), time(13, 0)))
    return windows


@transaction.atomic
def seed_demo(*, peer_count: int = PEER_COUNT) -> dict:
    rng = random.Random(20261122)
    users = {
        u.username: _upsert_user(
            u.username,
            u.first_name,
            u.last_name,
            password=DEMO_PASSWORD,
            is_staff=u.username == "staff",
        )
        for u in DEMO_USERS
    }
    advisers = {Region.NORTH_WEST: users["adviser"]}
    for region, (first, last) in REGION_ADVISERS.items():
        advisers[region] = _upsert_user(f"pa-{region}", first, last, password=None)

    councils = []
    for region, entries in COUNCILS.items():
        for name, council_type in entries:
            council, _ = Council.objects.update_or_create(
                slug=slugify(name),
                defaults={
                    "name": name,
                    "council_type": council_type,
                    "region": region,
                    "leader_group": _weighted(rng, LEADER_GROUP_WEIGHTS),
                    "principal_adviser": advisers[region],
                },
            )
            councils.append(council)
    by_slug = {c.slug: c for c in councils}
    skills = {s.slug: s for s in Skill.objects.all()}

    Booker.objects.update_or_create(
        user=users["booker"],
        defaults={"council": by_slug["wigan-council"], "job_title": "Head of Policy"},
    )
    Councillor.objects.update_or_create(
        user=users["councillor"],
        defaults={"council": by_slug["cardiff-council"], "role": "Ward councillor"},
    )

    used_emails = set()
    peers = []
    for index in range(peer_count):
        kind = PeerKind.MEMBER if index % 5 < 3 else PeerKind.OFFICER
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}".lower()
        suffix = 1
        while email in used_emails:
            suffix += 1
            email = f"{first}.{last}{suffix}".lower()
        used_emails.add(email)
        home = rng.choice(councils)
        if kind == PeerKind.MEMBER:
            group, profession = _weighted(rng, MEMBER_GROUP_WEIGHTS), ""
            peer_skills = rng.sample(MEMBER_SKILLS, rng.randint(1, 3))
        else:
            group, profession = "", _weighted(rng, PROFESSION_WEIGHTS)
            peer_skills = PROFESSION_SKILLS[profession] + rng.sample(
                OFFICER_EXTRA_SKILLS, rng.randint(0, 2)
            )
        roll = rng.random()
        accreditation = (
            Accreditation.ACCREDITED
            if roll < 0.9
            else Accreditation.IN_TRAINING
            if roll < 0.97
            else Accreditation.LAPSED
        )
        peers.append(
            (
                email + "@peers.example.org",
                {
                    "name": f"{first} {last}",
                    "kind": kind,
                    "political_group": group,
                    "profession": profession,
                    "home_council": home,
                    "accreditation": accreditation,
                    "monthly_session_cap": rng.randint(2, 6),
                    "monthly_hours_cap": rng.choice([8, 10, 12, 16, 20]),
                    "time_zone": rng.choice(OTHER_TIME_ZONES)
                    if rng.random() < 0.02
                    else "Europe/London",
                    "nation": Nation.WALES if home.region == Region.WALES else Nation.ENGLAND,
                },
                peer_skills,
                _weekly_windows(rng, kind),
                rng.choice(councils) if rng.random() < 0.05 else None,
            )
        )

    # LGA facilitators, who lead the panels: staff with full working weeks and higher caps. Their
    # own random stream, so the peers above stay the same whatever is added here.
    lga = random.Random(20261207)
    for n, (first, last) in enumerate(FACILITATORS):
        peers.append(
            (
                f"{first}.{last}@lga.example.org".lower(),
                {
                    "name": f"{first} {last}",
                    "kind": PeerKind.FACILITATOR,
                    "political_group": "",
                    "profession": "",
                    "home_council": lga.choice(councils),
                    "accreditation": Accreditation.ACCREDITED,
                    "monthly_session_cap": 8,
                    "monthly_hours_cap": 30,
                    "time_zone": "Europe/London",
                    "nation": Nation.ENGLAND,
                    # The first is the demo "lead" sign-in.
                    **({"user": users["lead"]} if n == 0 else {}),
                },
                ["recovery-planning"],
                [(day, time(9, 0), time(17, 30)) for day in sorted(lga.sample(range(5), 4))],
                None,
            )
        )

    # The demo peer sign-in is one fixed member peer.
    peers.append(
        (
            "chris.taylor@peers.example.org",
            {
                "name": "Chris Taylor",
                "kind": PeerKind.MEMBER,
                "political_group": PoliticalGroup.LABOUR,
                "profession": "",
                "home_council": by_slug["leeds-city-council"],
                "accreditation": Accreditation.ACCREDITED,
                "monthly_session_cap": 4,
                "monthly_hours_cap": 12,
                "time_zone": "Europe/London",
                "user": users["peer"],
            },
            ["recovery-planning", "scrutiny"],
            # Free every weekday morning, so whichever weekday the demo panels fall on (they
            # follow the day the demo data is loaded), staff can seat this sign-in on one.
            [
                (0, time(9, 0), time(13, 0)),
                (1, time(9, 0), time(12, 0)),
                (1, time(14, 0), time(17, 0)),
                (2, time(9, 0), time(17, 0)),
                (3, time(9, 0), time(16, 30)),
                (4, time(9, 0), time(12, 30)),
            ],
            None,
        )
    )

    for email, fields, skill_slugs, windows, interest in peers:
        peer, _ = Peer.objects.update_or_create(email=email, defaults=fields)
        peer.skills.set([skills[s] for s in skill_slugs if s in skills])
        if interest is not None and interest.id != peer.home_council_id:
            peer.declared_interests.add(interest)
        if not peer.weekly_windows.exists():
            WeeklyWindow.objects.bulk_create(
                WeeklyWindow(peer=peer, weekday=day, start=start, end=end)
                for day, start, end in windows
            )

    free_time_refresh(peer_ids=Peer.objects.values_list("id", flat=True))
    return {
        "councils": Council.objects.count(),
        "peers": Peer.objects.count(),
        "users": [(u.username, u.description) for u in DEMO_USERS],
    }
