from django.contrib import admin

from sessions.models import Offer, RoleSlot


class RoleSlotInline(admin.TabularInline):
    model = RoleSlot
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "delivery", "status", "suspended_until", "contact_email"]
    list_filter = ["programme", "delivery", "status", "topic"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoleSlotInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "programme", "status", "suspended_until", "order"]}),
        (
            "Description",
            {
                "fields": [
                    "summary",
                    "audience",
                    "description",
                    "partner",
                    "contact_email",
                    "source",
                ]
            },
        ),
        (
            "Format",
            {
                "fields": [
                    "delivery",
                    "duration_minutes",
                    "duration_text",
                    "session_count",
                    "spacing_days",
                    "seats",
                    "topic",
                ]
            },
        ),
        ("Booking rules", {"fields": ["min_notice_days", "horizon_days", "conflict_same_region"]}),
    ]
