"""Who: councils, peers, the people who act for councils, and API tokens."""

from zoneinfo import available_timezones

from django.conf import settings
from django.db import models
from django.db.models import Q


class Region(models.TextChoices):
    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE_HUMBER = "yorkshire-humber", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST_OF_ENGLAND = "east-of-england", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"
    WALES = "wales", "Wales"


class CouncilType(models.TextChoices):
    COUNTY = "county", "County council"
    DISTRICT = "district", "District council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN = "metropolitan", "Metropolitan borough"
    LONDON_BOROUGH = "london-borough", "London borough"
    WELSH_UNITARY = "welsh-unitary", "Welsh principal council"


class PoliticalGroup(models.TextChoices):
    CONSERVATIVE = "conservative", "Conservative"
    LABOUR = "labour", "Labour"
    LIBERAL_DEMOCRAT = "liberal-democrat", "Liberal Democrat"
    INDEPENDENT = "independent", "Independent"
    GREEN = "green", "Green"


class Profession(models.TextChoices):
    CHIEF_EXECUTIVE = "chief-executive", "Chief executive"
    S151_FINANCE = "s151-finance", "Section 151 finance officer"
    MONITORING_OFFICER = "monitoring-officer", "Monitoring officer"
    CHILDRENS_SERVICES = "childrens-services", "Director of children's services"
    ADULT_SOCIAL_SERVICES = "adult-social-services", "Director of adult social services"
    PUBLIC_HEALTH = "public-health", "Director of public health"
    COMMUNICATIONS = "communications", "Head of communications"
    PLANNING = "planning", "Head of planning"


class PeerKind(models.TextChoices):
    MEMBER = "member", "Member peer"
    OFFICER = "officer", "Officer peer"
    # Staff of the LGA who lead panels: matched like peers, seated only in a lead role slot.
    FACILITATOR = "facilitator", "LGA facilitator"


class Nation(models.TextChoices):
    """Whose bank holidays apply (they differ between the UK's nations)."""

    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class Accreditation(models.TextChoices):
    ACCREDITED = "accredited", "Accredited"
    IN_TRAINING = "in-training", "In training"
    LAPSED = "lapsed", "Lapsed"


TIME_ZONE_CHOICES = sorted((tz, tz) for tz in available_timezones())


class Council(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    council_type = models.CharField(max_length=20, choices=CouncilType.choices)
    region = models.CharField(max_length=20, choices=Region.choices)
    leader_group = models.CharField(
        "political group of the leader", max_length=20, choices=PoliticalGroup.choices
    )
    principal_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advised_councils",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Peer(models.Model):
    """A person in the LGA pool as stored: a member peer (a councillor, with a political group)
    or an officer peer (with a profession), with their caps, zone, buffer and sign-in. Read in
    bulk for the slot search as a `PeerRecord` (peers.selectors); weighed by the engine as a
    `PeerProfile` (scheduling.engine.panels)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="peer",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    kind = models.CharField(max_length=11, choices=PeerKind.choices)
    political_group = models.CharField(max_length=20, choices=PoliticalGroup.choices, blank=True)
    profession = models.CharField(max_length=30, choices=Profession.choices, blank=True)
    home_council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="peers")
    skills = models.ManyToManyField(Skill, blank=True, related_name="peers")
    accreditation = models.CharField(
        max_length=20, choices=Accreditation.choices, default=Accreditation.ACCREDITED
    )
    declared_interests = models.ManyToManyField(
        Council,
        blank=True,
        related_name="declared_interest_peers",
        help_text="Councils this peer must not be placed with, beyond their home council.",
    )
    monthly_session_cap = models.PositiveSmallIntegerField(default=4)
    monthly_hours_cap = models.PositiveSmallIntegerField(default=12)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/London")
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    bank_holidays_block = models.BooleanField(
        default=True, help_text="Bank holidays of the peer's nation block them unless they opt in."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="Free time kept before and after each session the peer sits on."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="peer_kind_fits_group_and_profession",
                condition=(Q(kind=PeerKind.MEMBER, profession="") & ~Q(political_group=""))
                | (Q(kind=PeerKind.OFFICER, political_group="") & ~Q(profession=""))
                | Q(kind=PeerKind.FACILITATOR, political_group="", profession=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Booker(models.Model):
    """A council officer or councillor who books on behalf of exactly one council."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booker"
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="bookers")
    job_title = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.user} for {self.council}"


class Councillor(models.Model):
    """A councillor who registers for webinars and subscribes to their calendars."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="councillor"
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="councillors")
    role = models.CharField(
        max_length=200, blank=True, help_text="e.g. Ward councillor, Cabinet member"
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.council})"


class ApiToken(models.Model):
    """A bearer token for scripts. Only a SHA-256 of the secret is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text="The first characters, to tell tokens apart."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WeeklyWindow(models.Model):
    """One window of a peer's weekly hours, in the peer's own time zone."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="weekly_windows")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["peer", "weekday", "start"]
        constraints = [
            models.CheckConstraint(name="weekly_window_weekday_range", condition=Q(weekday__lte=6)),
            models.CheckConstraint(
                name="weekly_window_end_after_start", condition=Q(end__gt=models.F("start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.peer} weekday {self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"


class DateOverride(models.Model):
    """Different hours on one date, or none: `windows` is a list of ["HH:MM", "HH:MM"] pairs."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="date_overrides")
    date = models.DateField()
    windows = models.JSONField(
        default=list, blank=True, help_text="Empty: not available that date."
    )

    class Meta:
        ordering = ["peer", "date"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "date"], name="date_override_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.peer} on {self.date}"


class Leave(models.Model):
    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="leave")
    first_day = models.DateField()
    last_day = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["peer", "first_day"]
        verbose_name_plural = "leave"
        constraints = [
            models.CheckConstraint(
                name="leave_last_day_not_before_first",
                condition=Q(last_day__gte=models.F("first_day")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.peer}: leave {self.first_day} to {self.last_day}"


class BusyCalendar(models.Model):
    """A peer's own calendar of commitments: a feed we poll, or the last file they uploaded.

    Calendars are read by the task queue, never in a web request: an upload or a new feed is
    `pending` until the worker has read it, then `imported` (its busy times replace the old
    ones) or `refused` (`last_error` says why; the last good busy times stay).
    """

    class Source(models.TextChoices):
        URL = "url", "Calendar feed"
        UPLOAD = "upload", "Uploaded file"

    class State(models.TextChoices):
        PENDING = "pending", "Being read"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"

    peer = models.OneToOneField(Peer, on_delete=models.CASCADE, related_name="busy_calendar")
    source = models.CharField(max_length=10, choices=Source.choices)
    url = models.URLField(max_length=2000, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    # The last good calendar as received: recurrences are expanded over a moving window, so
    # the busy times are re-expanded from it every day.
    content = models.BinaryField(blank=True, default=b"")
    # An uploaded file waiting for the worker (the last good one stays in `content` till then).
    pending_content = models.BinaryField(blank=True, default=b"")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Bumped by every upload and change of feed, so a reading of older input is not stored.
    revision = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    imported_at = models.DateTimeField(
        null=True, blank=True, help_text="When busy times last changed."
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the feed was last polled."
    )
    event_count = models.PositiveIntegerField(
        default=0, help_text="Busy times stored (overlapping and touching events merged)."
    )
    occurrence_count = models.PositiveIntegerField(
        default=0, help_text="Events (occurrences of repeating ones counted) in the window."
    )
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.peer}'s calendar ({self.get_source_display()})"


class BusyEvent(models.Model):
    """One busy occurrence imported from a peer's calendar (recurrences already expanded)."""

    calendar = models.ForeignKey(BusyCalendar, on_delete=models.CASCADE, related_name="events")
    start = models.DateTimeField()
    end = models.DateTimeField()
    summary = models.CharField(max_length=500, blank=True)
    uid = models.CharField(max_length=500, blank=True)
    all_day = models.BooleanField(default=False)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["calendar", "start"])]
        constraints = [
            models.CheckConstraint(
                name="busy_event_end_after_start", condition=Q(end__gt=models.F("start"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary or 'Busy'} {self.start:%Y-%m-%d %H:%M}"


class FreeTime(models.Model):
    """A peer's free time as kept data: one bit per 15 minutes from `start` (a UTC midnight).

    Built from what the peer owns (weekly hours, overrides, leave, bank-holiday choice, time
    zone, imported busy events) by `peers.free_time`, in the same transaction as each change
    to them, and rolled forward daily. Seats are not in it: they are laid over it when read.
    `version` changes on every write, so a process can tell whether its copy is current.
    """

    peer = models.OneToOneField(
        Peer, primary_key=True, on_delete=models.CASCADE, related_name="free_time"
    )
    start = models.DateTimeField(help_text="The first slot's start, a UTC midnight.")
    slots = models.PositiveIntegerField(help_text="How many 15-minute slots `bits` holds.")
    bits = models.BinaryField(help_text="numpy.packbits of the free flags, first slot first.")
    version = models.BigIntegerField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "free time"

    def __str__(self) -> str:
        return f"{self.peer_id}'s free time from {self.start:%Y-%m-%d}"


class ThrottleCount(models.Model):
    """Attempts counted under one throttle key (which names its window), when there is no
    Redis to count them: one row a key, raised by a single UPDATE so that simultaneous
    requests each count (the database cache reads and writes back, and can lose some)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
