"""The feedback note (with a version for every save), the council's actions, the letters
sent once after the panel, the progress review and the survey.

The survey keeps who was asked and whether they have answered (`SurveyInvitation`) apart from
what was answered (`SurveyAnswer`): no key, no time and no order joins the two (see
`SurveyAnswer`), and neither table keeps a history, which would time each answer.
"""

import uuid

from django.conf import settings
from django.db import models

from sessions.models import Booking, Session, history


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent to the council to check"
    CHECKED = "checked", "Checked by the council"
    FINAL = "final", "Final"


class FeedbackNote(models.Model):
    """The LGA lead's short note to the council after its panel."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="feedback_note")
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    heard = models.TextField("What the panel heard", blank=True)
    strengths = models.TextField("Strengths", blank=True)
    consider = models.TextField("Things to consider", blank=True)
    check_comments = models.TextField(
        "The council's comments", blank=True, help_text="Empty when it had no corrections."
    )
    sent_on = models.DateField(null=True, blank=True, help_text="Sent to the council to check.")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    council_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the bookers were told a draft is ready to check."
    )
    lead_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the lead was told the council had answered."
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        verbose_name = "feedback note"

    def __str__(self) -> str:
        return f"Feedback note for {self.booking}"


class NoteVersion(models.Model):
    """The note as it stood after one save: every version is kept."""

    note = models.ForeignKey(FeedbackNote, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=NoteStatus.choices)
    heard = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    consider = models.TextField(blank=True)
    check_comments = models.TextField(blank=True)
    saved_by = models.CharField(max_length=200, blank=True)
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["note", "number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="note_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.note}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """One action the council takes from the note."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField()
    owner_name = models.CharField(max_length=200)
    owner_email = models.EmailField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    owner_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner was reminded of the due date (once)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["booking", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:60]


class FollowUpKind(models.TextChoices):
    SIX_WEEKS = "six_weeks", "Six weeks after the panel"
    THREE_MONTHS = "three_months", "Three months after the panel"


class FollowUp(models.Model):
    """A letter to the council's bookers of the actions still open: one row, one letter."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(max_length=15, choices=FollowUpKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "kind"], name="follow_up_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.booking}"


class ProgressReview(models.Model):
    """The panel booked about ten months after an earlier one, to review its progress."""

    panel = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="progress_review")
    review = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="review_of")
    history = history()

    def __str__(self) -> str:
        return f"Progress review of {self.panel}"


def review_of_panel(panel: Booking) -> Booking | None:
    """The progress review booked for `panel`, if one is (read through the relation, so a
    prefetched or cached row is not asked for again)."""
    found = getattr(panel, "progress_review", None)  # None when no review row exists
    return found.review if found is not None else None


class SurveyInvitation(models.Model):
    """One person asked to answer the survey of a session, and whether they have: nothing
    here says what they answered or when. A seated peer has `peer`; one of the booking's
    participants who was there is asked the same way, by address."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    peer = models.ForeignKey(
        "peers.Peer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="survey_invitation_once")
        ]

    def __str__(self) -> str:
        return f"Survey of session {self.session_id} for {self.email}"


class SurveyAnswer(models.Model):
    """One anonymous answer. Its key is random (not a count that follows the invitations),
    it keeps the day only, and it is read in the order of that key, so neither its key, its
    time nor its place among the others points to who gave it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    useful = models.PositiveSmallIntegerField(help_text="How useful, 1 to 5.")
    recommend = models.BooleanField(help_text="Would recommend it.")
    improve = models.TextField(blank=True, help_text="One thing to improve.")
    answered_on = models.DateField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(useful__gte=1, useful__lte=5), name="survey_useful_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"An answer to the survey of session {self.session_id}"
