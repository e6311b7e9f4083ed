"""Bookings, their sessions and seats in the admin: for LGA staff to find and follow them.

Read-only: a booking changes through its services (book, move, cancel, answer, re-staff),
which send the invites that go with each change; the admin lists, filters and shows the
history of every change ("History" on each record).

Imported by sessions/admin.py.
"""

from django.contrib import admin
from django.db.models import Count, Min, Q

from scheduling.engine.uk_time import clock_text, day_text
from sessions.admin_history import HistoryInWordsAdmin
from sessions.models import HOLDING_SEAT_STATUSES, BookedSession, Booking, Seat, Session


def _uk(moment) -> str:
    return f"{day_text(moment)}, {clock_text(moment)}" if moment else "–"


class ReadOnlyAdmin(HistoryInWordsAdmin):
    """Lists, filters and history; changes go through the services, never the admin forms."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SessionInline(ReadOnlyInline):
    model = Session
    fields = ["number", "start", "end", "status", "sequence", "joining_url"]
    readonly_fields = fields
    ordering = ["number"]


class SeatInline(ReadOnlyInline):
    model = Seat
    fields = ["role_name", "position", "peer", "status", "unfilled_reason", "updated_at"]
    readonly_fields = fields
    ordering = ["role_name", "position", "id"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "offer",
        "council",
        "region",
        "status",
        "first_start",
        "created_at",
    ]
    list_display_links = ["reference", "offer"]
    list_filter = [
        "status",
        "offer",
        "council__region",
        "council__council_type",
        ("council", admin.RelatedOnlyFieldListFilter),
        ("sessions__start", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["reference", "council__name", "offer__title", "notes", "booked_by__username"]
    list_select_related = ["offer", "council"]
    date_hierarchy = "created_at"
    inlines = [SessionInline]
    fields = [
        "reference",
        "offer",
        "council",
        "booked_by",
        "status",
        "notes",
        "cancel_reason",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(first=Min("sessions__start"))

    @admin.display(description="Region", ordering="council__region")
    def region(self, obj):
        return obj.council.get_region_display()

    @admin.display(description="First session (UK time)", ordering="first")
    def first_start(self, obj):
        return _uk(obj.first)


@admin.register(BookedSession)
class BookedSessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "council", "number", "uk_start", "status", "filled", "sequence"]
    list_filter = [
        "status",
        "offer",
        "booking__council__region",
        "booking__council__council_type",
        ("booking__council", admin.RelatedOnlyFieldListFilter),
        ("start", admin.DateFieldListFilter),
    ]
    search_fields = ["booking__reference", "booking__council__name", "offer__title", "uid"]
    date_hierarchy = "start"
    ordering = ["-start"]
    inlines = [SeatInline]
    fields = [
        "offer",
        "booking",
        "number",
        "start",
        "end",
        "status",
        "joining_url",
        "uid",
        "sequence",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(booking__isnull=False)
            .select_related("offer", "booking__council")
            .annotate(
                seated=Count(
                    "seats",
                    filter=Q(seats__status__in=HOLDING_SEAT_STATUSES, seats__peer__isnull=False),
                ),
                unfilled=Count(
                    "seats",
                    filter=Q(seats__status__in=HOLDING_SEAT_STATUSES, seats__peer__isnull=True),
                ),
            )
        )

    @admin.display(description="Council", ordering="booking__council__name")
    def council(self, obj):
        return obj.booking.council

    @admin.display(description="Start (UK time)", ordering="start")
    def uk_start(self, obj):
        return _uk(obj.start)

    @admin.display(description="Seats filled")
    def filled(self, obj):
        return f"{obj.seated}" + (f" ({obj.unfilled} unfilled)" if obj.unfilled else "")


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ["role_name", "peer", "status", "offer", "council", "session_start"]
    list_filter = [
        "status",
        "session__offer",
        "session__booking__council__region",
        "session__booking__council__council_type",
        ("session__booking__council", admin.RelatedOnlyFieldListFilter),
        ("session__start", admin.DateFieldListFilter),
        ("peer", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "peer__name",
        "peer__email",
        "session__booking__reference",
        "session__booking__council__name",
        "role_name",
    ]
    list_select_related = ["peer", "session__offer", "session__booking__council"]
    ordering = ["-session__start", "role_name", "position", "id"]
    fields = [
        "session",
        "role_name",
        "position",
        "peer",
        "status",
        "answer_reason",
        "unfilled_reason",
        "fit",
        "runner_up",
        "answered_sequence",
        "held_from",
        "held_until",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(session__booking__isnull=False)

    @admin.display(description="Offer", ordering="session__offer__title")
    def offer(self, obj):
        return obj.session.offer

    @admin.display(description="Council", ordering="session__booking__council__name")
    def council(self, obj):
        return obj.session.booking.council

    @admin.display(description="Session start (UK time)", ordering="session__start")
    def session_start(self, obj):
        return _uk(obj.session.start)
