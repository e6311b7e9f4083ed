from django.contrib import admin

from peers.free_time import free_time_refresh
from peers.models import ApiToken, Booker, Council, Councillor, Peer, Skill, WeeklyWindow


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
