from datetime import datetime

from ninja import Schema

from peers.models import CouncilType, PeerKind, Region


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


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str
