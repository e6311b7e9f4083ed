"""What and when: the catalogue of remote offers and the role slots their panels need."""

from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from peers.models import PeerKind, PoliticalGroup, Profession, Skill
from sessions import offer_status


class Programme(models.TextChoices):
    PEER_SUPPORT = "peer-support", "Peer support"
    FINANCIAL_RESILIENCE = "financial-resilience", "Financial resilience"
    LEADERSHIP = "leadership", "Leadership"
    PRODUCTIVITY = "productivity", "Productivity"
    COMMUNICATIONS = "communications", "Communications"
    HEALTHIER_PLACES = "healthier-places", "Leading healthier places"
    WORKFORCE = "workforce", "Workforce"
    ONE_PUBLIC_ESTATE = "one-public-estate", "One Public Estate"
    PLANNING = "planning", "Planning Advisory Service"


class Delivery(models.TextChoices):
    PANEL = "panel", "Virtual panel"
    MULTI_DAY = "multi-day", "Support over several days"
    SERIES = "series", "Series of calls with the same facilitator"
    SINGLE = "single", "Single virtual session"
    WEBINAR = "webinar", "Webinar"


class OfferStatus(models.TextChoices):
    AVAILABLE = offer_status.AVAILABLE, offer_status.STATUS_NAMES[offer_status.AVAILABLE]
    COMING_SOON = offer_status.COMING_SOON, offer_status.STATUS_NAMES[offer_status.COMING_SOON]
    SUSPENDED = offer_status.SUSPENDED, offer_status.STATUS_NAMES[offer_status.SUSPENDED]


class Topic(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership"
    OPPOSITION = "opposition", "Opposition"
    FINANCE = "finance", "Finance"
    HEALTH_AND_WELLBEING = "health-and-wellbeing", "Health and wellbeing"
    WORKFORCE = "workforce", "Workforce"
    PLANNING = "planning", "Planning"
    ONE_PUBLIC_ESTATE = "one-public-estate", "One Public Estate"


class Offer(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    programme = models.CharField(max_length=30, choices=Programme.choices)
    title = models.CharField(max_length=200)
    code = models.CharField(
        max_length=6,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,5}$",
                "Give 2 to 6 capital letters or digits, starting with a letter, e.g. RRP.",
            )
        ],
        help_text=(
            "Short letters that start its bookings' references, e.g. RRP for RRP-26-0007. "
            "Blank: the title's initials."
        ),
    )
    summary = models.CharField(max_length=400, help_text="One sentence for the catalogue list.")
    audience = models.CharField("who it is for", max_length=400)
    description = models.TextField("what happens")
    partner = models.CharField(max_length=200, blank=True, help_text="e.g. SOLACE")
    contact_email = models.EmailField(
        blank=True,
        help_text="The offer's contact mailbox; blank means 'ask your Principal Adviser'.",
    )
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        help_text="Length of each session as booked."
    )
    duration_text = models.CharField(
        max_length=100, blank=True, help_text="As the offer describes it, e.g. '2–3 hours'."
    )
    session_count = models.PositiveSmallIntegerField(default=1)
    spacing_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days between the starts of consecutive sessions (0 for one session)."
    )
    seats = models.PositiveIntegerField(null=True, blank=True, help_text="Places on a webinar.")
    topic = models.CharField(max_length=30, choices=Topic.choices, blank=True)
    min_notice_days = models.PositiveSmallIntegerField(default=10)
    horizon_days = models.PositiveSmallIntegerField(default=182)
    conflict_same_region = models.BooleanField(
        default=False,
        help_text="Peers from councils in the same region are a conflict of interest.",
    )
    needs_approval = models.BooleanField(
        default=False,
        help_text=(
            "A booking is a request until the council's Principal Adviser (or the LGA) approves "
            "it: the panel's time is pencilled in, and the peers are invited on approval."
        ),
    )
    status = models.CharField(
        max_length=20, choices=OfferStatus.choices, default=OfferStatus.AVAILABLE
    )
    suspended_until = models.DateField(
        null=True, blank=True, help_text="Suspended: the day it can be booked again."
    )
    available_from = models.DateField(
        null=True,
        blank=True,
        help_text="Coming soon: the day it opens, if known. On that day it becomes available.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the offer is described.")
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(
                name="offer_duration_positive", condition=Q(duration_minutes__gt=0)
            ),
            models.CheckConstraint(name="offer_has_sessions", condition=Q(session_count__gte=1)),
            models.CheckConstraint(
                name="offer_series_has_spacing",
                condition=Q(session_count=1) | Q(spacing_days__gte=1),
            ),
            models.CheckConstraint(
                name="offer_webinar_has_seats_and_topic",
                condition=~Q(delivery="webinar") | (Q(seats__gte=1) & ~Q(topic="")),
            ),
            models.CheckConstraint(
                name="offer_suspended_has_date",
                condition=~Q(status="suspended") | Q(suspended_until__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="offer_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offer-detail", kwargs={"slug": self.slug})

    @property
    def is_webinar(self) -> bool:
        return self.delivery == Delivery.WEBINAR

    def state(self, today: date | None = None) -> offer_status.OfferState:
        """The offer's status as of `today` (by default today in the UK): its date decides."""
        return offer_status.offer_state(
            status=self.status,
            suspended_until=self.suspended_until,
            available_from=self.available_from,
            today=today or offer_status.uk_today(),
        )

    @property
    def current_status(self) -> str:
        return self.state().status

    @property
    def is_bookable(self) -> bool:
        return self.current_status == OfferStatus.AVAILABLE and self.delivery != Delivery.WEBINAR

    @property
    def status_text(self) -> str:
        return self.state().text

    @property
    def format_text(self) -> str:
        """The format in words, e.g. 'Three sessions of 1 hour, 14 days apart'."""
        length = self.duration_text or _minutes_text(self.duration_minutes)
        if self.delivery == Delivery.WEBINAR:
            return f"Webinar of {length}, {self.seats} places"
        if self.delivery == Delivery.MULTI_DAY:
            return f"{self.duration_text or f'{self.session_count} days'}, {_minutes_text(self.duration_minutes)} a day"
        if self.session_count > 1:
            return f"{_count_text(self.session_count)} sessions of {length}, {self.spacing_days} days apart"
        return f"One session of {length}"


def _minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours > 1 else ""))
    if rest:
        parts.append(f"{rest} minutes")
    return " ".join(parts)


def _count_text(count: int) -> str:
    words = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}
    return words.get(count, str(count))


class PoliticalRule(models.TextChoices):
    ANY = "any", "Any political group"
    SAME_AS_LEADER = "same-as-leader", "Same political group as the council's leader"


class RoleSlot(models.Model):
    """What one kind of seat on each session of an offer needs, and how many of them."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="role_slots")
    name = models.CharField(max_length=100)
    count = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(
        max_length=11,
        choices=PeerKind.choices,
        blank=True,
        help_text="Blank: a member or an officer peer. An LGA facilitator only when chosen.",
    )
    political_rule = models.CharField(
        max_length=20, choices=PoliticalRule.choices, default=PoliticalRule.ANY
    )
    political_group = models.CharField(
        max_length=20,
        choices=PoliticalGroup.choices,
        blank=True,
        help_text="A fixed group, if any.",
    )
    profession = models.CharField(max_length=30, choices=Profession.choices, blank=True)
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["offer", "order", "id"]
        constraints = [
            models.CheckConstraint(name="role_slot_count_positive", condition=Q(count__gte=1)),
            models.UniqueConstraint(
                fields=["offer", "name"], name="role_slot_name_unique_per_offer"
            ),
            models.CheckConstraint(
                name="role_slot_political_rule_needs_member",
                condition=Q(political_rule="any", political_group="") | Q(kind="member"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ×{self.count}" if self.count > 1 else self.name

    @property
    def requirement_text(self) -> str:
        """What a peer must be to take this seat, in words."""
        parts = [self.get_kind_display() if self.kind else "Member or officer peer"]
        if self.political_rule == PoliticalRule.SAME_AS_LEADER:
            parts.append("of the same political group as the council's leader")
        if self.political_group:
            parts.append(f"of the {self.get_political_group_display()} group")
        if self.profession:
            parts.append(f"who is a {self.get_profession_display().lower()}")
        if self.skill:
            parts.append(f"with {self.skill.name.lower()} expertise")
        return " ".join(parts)


class HistoryActor(models.Model):
    """What every history record adds to the library's own fields: who acted when it was not a
    signed-in user, e.g. a peer answering by the link in their e-mail. No user and no actor
    means the service itself (a task, a command)."""

    history_actor = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


def history(*, excluded_fields: tuple[str, ...] = (), **options) -> HistoricalRecords:
    """The record of every change to a model: who, when, and the row before and after
    (`excluded_fields`: what the database derives, which says nothing of a change)."""
    return HistoricalRecords(
        bases=[HistoryActor], excluded_fields=["updated_at", *excluded_fields], **options
    )


@receiver(pre_create_historical_record)
def _history_actor_record(sender, instance, history_instance, **kwargs):
    history_instance.history_actor = getattr(instance, "_history_actor", "")[:200]


class BookingStatus(models.TextChoices):
    """Whether a booking stands. How far its staffing has got is read from its seats
    (`selectors.booking_state`: being staffed, confirmed, needs attention, cancelled).

    A booking of an offer that needs approval starts "requested": its panel's time is
    pencilled in (the seats hold it, uninvited) until the adviser approves ("confirmed"),
    declines ("rejected") or the request runs out ("expired"), which release the time."""

    REQUESTED = "requested", "Waiting for approval"
    CONFIRMED = "confirmed", "Live"
    REJECTED = "rejected", "Declined by the Principal Adviser"
    EXPIRED = "expired", "Request expired"
    CANCELLED = "cancelled", "Cancelled"


# A booking in one of these states holds its peers' time.
LIVE_BOOKING_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
# A booking in one of these states has ended: nothing about it can change any more.
CLOSED_BOOKING_STATUSES = (BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.CANCELLED)


class Booking(models.Model):
    """A council's request for an offer; owns one or more sessions."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="bookings")
    council = models.ForeignKey("peers.Council", on_delete=models.PROTECT, related_name="bookings")
    reference = models.CharField(
        max_length=20,
        unique=True,
        help_text="What a person quotes on the phone and searches for, e.g. RRP-26-0007.",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    notes = models.TextField(blank=True)
    start = models.DateTimeField(
        null=True, blank=True, help_text="The start of its first session, as booked or moved."
    )
    status = models.CharField(
        max_length=20, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    cancel_reason = models.TextField(blank=True)
    request_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A request not decided by then releases its time."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(
        max_length=200, blank=True, help_text="Who approved or declined the request."
    )
    decision_reason = models.TextField(blank=True, help_text="Why the request was declined.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "request_expires_at"])]
        constraints = [
            # A client retrying after a timeout must not book the council twice.
            models.UniqueConstraint(
                fields=["offer", "council", "start"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="booking_once_per_offer_council_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.offer} for {self.council}"


UID_DOMAIN = "peers.local.gov.uk"  # the domain part of every session's iCalendar UID


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Session(models.Model):
    """One dated occurrence: a panel, one coaching call, one day of support, or a webinar."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="sessions")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first session of a booking."
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    uid = models.CharField(max_length=255, unique=True, help_text="The stable iCalendar UID.")
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE; never goes down."
    )
    joining_url = models.URLField(max_length=1000, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Places on a webinar.")
    recording_url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(
        max_length=200, blank=True, help_text="A webinar's own title, if not the offer's."
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["start", "end"])]
        constraints = [
            models.CheckConstraint(
                name="session_end_after_start", condition=Q(end__gt=models.F("start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} {self.start:%Y-%m-%d %H:%M}"


class BookedSession(Session):
    """A session of a council's booking, as the admin lists them (webinars have their own)."""

    class Meta:
        proxy = True
        verbose_name = "booked session"


class SeatStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A peer holding a seat in one of these states is committed to its time.
HOLDING_SEAT_STATUSES = (SeatStatus.PROPOSED, SeatStatus.INVITED, SeatStatus.ACCEPTED)


# A peer's optional reason for declining or withdrawing: a few sentences for LGA staff.
SEAT_ANSWER_REASON_MAX = 1000


class Seat(models.Model):
    """A role slot of one session, filled by a peer (or waiting for one)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seats")
    role_name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Which of the role's seats, from 0."
    )
    peer = models.ForeignKey(
        "peers.Peer", null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    status = models.CharField(
        max_length=20, choices=SeatStatus.choices, default=SeatStatus.PROPOSED
    )
    # The peer's committed time, `scheduling.engine.panels.held_range`: [start, end + the peer's buffer). Two
    # held ranges of one peer that do not overlap are at least the buffer apart, so the
    # database itself refuses sessions too close together (PostgreSQL's exclusion constraint).
    held_from = models.DateTimeField(
        null=True, blank=True, help_text="The session's start: the held range begins here."
    )
    held_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "The session's end plus the peer's buffer. A peer's held ranges never overlap, "
            "which keeps at least the buffer between any two of their sessions."
        ),
    )
    fit = models.JSONField(default=dict, blank=True, help_text="Why this peer: the fit breakdown.")
    runner_up = models.JSONField(default=dict, blank=True)
    unfilled_reason = models.TextField(blank=True)
    answered_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The session SEQUENCE the peer last answered."
    )
    reply_dtstamp = models.DateTimeField(
        null=True, blank=True, help_text="The DTSTAMP of the last calendar reply taken."
    )
    answer_reason = models.TextField(
        "reason given",
        blank=True,
        max_length=SEAT_ANSWER_REASON_MAX,
        help_text="What the peer said when they declined or withdrew (optional; for LGA staff).",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["peer", "held_from"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "role_name", "position"],
                condition=Q(status__in=["proposed", "invited", "accepted"]),
                name="seat_held_once_per_role",
            ),
            models.UniqueConstraint(
                fields=["session", "peer"],
                condition=Q(status__in=["proposed", "invited", "accepted"]),
                name="seat_peer_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_name} on {self.session}"


# Webinar registrations, their requests and feed tokens: sessions/webinars/models.py (loaded
# with this module by sessions/apps.py, so this module imports nothing of the webinars).
# What the organiser's mailbox brought: sessions/models_mailbox.py.
# Pre-reading documents: sessions/packs/models.py. Attendance: sessions/attendance/models.py.
from sessions.models_mailbox import (  # noqa: E402, F401
    BouncedAddress,
    HeldReply,
    HeldReplyStatus,
    MailboxMessage,
    MailKind,
)

# The outbox's rows and the reminders sent: sessions/models_outbox.py.
from sessions.models_outbox import (  # noqa: E402, F401
    Invite,
    InviteMethod,
    InviteStatus,
    Reminder,
    ReminderKind,
)
