from datetime import date

from ninja import Schema

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
    status: str
    status_text: str
    suspended_until: date | None
    topic: str
    contact_email: str
    url: str

    @staticmethod
    def resolve_programme_name(obj) -> str:
        return obj.get_programme_display()

    @staticmethod
    def resolve_status_text(obj) -> str:
        return obj.status_text

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
    status: OfferStatus | None = None
    delivery: Delivery | None = None
    topic: Topic | None = None
