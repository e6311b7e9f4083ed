"""Learning points: what a seated peer (the LGA lead among them) learned from a panel, each
with its theme and visibility, and the ask each seat is sent once the session has ended.

Loaded by sessions/apps.py, so these stay models of the `sessions` app (label
`offer_sessions`) with its tables and migrations.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from sessions.models import Booking, Seat, history


class Theme(models.TextChoices):
    LOCAL_PRIORITIES = "local-priorities", "Local priorities and outcomes"
    LEADERSHIP = "leadership", "Leadership, governance and culture"
    FINANCE = "finance", "Financial planning and viability"
    CAPACITY = "capacity", "Capacity for improvement"
    ECONOMY = "economy", "Recovery: local economy"
    ADULT_CARE = "adult-care", "Recovery: adult social care"
    CHILDREN = "children", "Recovery: children's services"
    COMMUNITIES = "communities", "Recovery: communities"
    WORKFORCE = "workforce", "Recovery: workforce"
    DIGITAL = "digital", "Recovery: digital"


class Visibility(models.TextChoices):
    PANEL = "panel", "The panel and the council"
    LGA = "lga", "The LGA only"
    ANONYMOUS = "sector-anonymous", "Shared with the sector, without naming the council"
    NAMED = "sector-named", "Shared with the sector, naming the council"


SHARED_VISIBILITIES = (Visibility.ANONYMOUS, Visibility.NAMED)


class Elsewhere(models.TextChoices):
    YES = "yes", "Yes, it would work in most councils"
    SOME = "some", "In some councils, with changes"
    NO = "no", "Probably not: it depends on this council's circumstances"


class LearningPoint(models.Model):
    """One point. It is in the library (`published_at`) only when shared with the sector and,
    if anonymous, its wording checked by the panel's LGA lead or staff, or, if it names the
    council, agreed by the council's booker; a change to its words or visibility takes it out
    again until it is checked or agreed anew."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="learning_points")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="learning_points")
    theme = models.CharField(max_length=30, choices=Theme.choices)
    doing = models.TextField("what the council is doing", max_length=2000)
    why = models.TextField("why it matters", max_length=2000)
    elsewhere = models.CharField(
        "would it work elsewhere", max_length=10, choices=Elsewhere.choices
    )
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.PANEL
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the lead checked that the wording names no council."
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the council's booker agreed to be named."
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The words the library's search reads (the database's own full-text index is built on
    # it: sessions/learning/search.py); never the council's name.
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL only: `search_text` as English lexemes, kept by a trigger of migration 0026
    # (so no write can leave it behind) under a GIN index; always empty on SQLite, whose FTS5
    # table does its work.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = history(excluded_fields=("search_vector",))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["theme", "published_at"])]

    def __str__(self) -> str:
        return f"{self.get_theme_display()}: {self.doing[:60]}"


class LearningAsk(models.Model):
    """The ask for learning points sent to one seat's peer once its session ended, and the one
    reminder: each claimed by a conditional write before it is sent, so neither goes twice."""

    seat = models.OneToOneField(Seat, on_delete=models.CASCADE, related_name="learning_ask")
    asked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Learning points asked of seat {self.seat_id}"
