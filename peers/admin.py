from datetime import timedelta

from django.contrib import admin
from django.db.models.functions import Length
from django.utils import timezone

from peers.free_time import STEP_MINUTES, free_time_refresh, kept_window
from peers.models import (
    ApiToken,
    Booker,
    Council,
    Councillor,
    FreeTime,
    Peer,
    Skill,
    WeeklyWindow,
)


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "council_type", "region", "leader_group", "principal_adviser"]
    list_filter = ["region", "council_type", "leader_group"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["principal_adviser"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class WeeklyWindowInline(admin.TabularInline):
    model = WeeklyWindow
    extra = 0


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "political_group",
        "profession",
        "home_council",
        "accreditation",
        "is_active",
    ]
    list_filter = [
        "kind",
        "political_group",
        "profession",
        "accreditation",
        "is_active",
        "home_council__region",
    ]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user", "home_council", "declared_interests"]
    filter_horizontal = ["skills"]
    inlines = [WeeklyWindowInline]

    def save_related(self, request, form, formsets, change):
        # Weekly hours, time zone, nation and bank holidays decide the peer's kept free time.
        super().save_related(request, form, formsets, change)
        free_time_refresh(peer_ids=[form.instance.pk])


@admin.register(Booker)
class BookerAdmin(admin.ModelAdmin):
    list_display = ["user", "council", "job_title"]
    search_fields = ["user__username", "council__name"]
    autocomplete_fields = ["user", "council"]


@admin.register(Councillor)
class CouncillorAdmin(admin.ModelAdmin):
    list_display = ["user", "council", "role"]
    search_fields = ["user__username", "council__name"]
    autocomplete_fields = ["user", "council"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # A token's secret is shown once when issued; issue from the account page or issue_token.
        return False


class KeptWindowFilter(admin.SimpleListFilter):
    """Whether a row starts where today's kept window does, or is from an earlier day (the
    daily roll, or the first search that needs it, moves it on)."""

    title = "kept window"
    parameter_name = "window"

    def lookups(self, request, model_admin):
        return [("current", "Current"), ("behind", "From an earlier day")]

    def queryset(self, request, queryset):
        start = kept_window(timezone.now()).start
        if self.value() == "current":
            return queryset.filter(start=start)
        if self.value() == "behind":
            return queryset.exclude(start=start)
        return queryset


@admin.register(FreeTime)
class FreeTimeAdmin(admin.ModelAdmin):
    """Each peer's kept free time, to look at only: it is built from what the peer owns by
    `peers.free_time`, never edited by hand."""

    list_display = ["peer", "version", "built_at", "valid_from", "covers", "size"]
    list_filter = [KeptWindowFilter, "peer__kind", "peer__is_active"]
    list_select_related = ["peer"]
    search_fields = ["peer__name", "peer__email"]
    date_hierarchy = "built_at"
    ordering = ["peer__name"]
    fields = ["peer", "version", "built_at", "valid_from", "covers", "size"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The size without reading the bits themselves.
        return super().get_queryset(request).defer("bits").annotate(stored=Length("bits"))

    @admin.display(description="valid from", ordering="start")
    def valid_from(self, row):
        return row.start

    @admin.display(description="covers")
    def covers(self, row):
        until = row.start + timedelta(minutes=STEP_MINUTES * row.slots)
        return f"{row.slots // (24 * 60 // STEP_MINUTES)} days, until {until:%Y-%m-%d %H:%M} UTC"

    @admin.display(description="size", ordering="stored")
    def size(self, row):
        return f"{row.stored:,} bytes"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only: the change page shows the fields read-only.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
