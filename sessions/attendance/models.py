"""Attendance: one row per person on a session once someone has recorded it.

The person is either a seat of the session (its peer or LGA lead) or one of the council's
participants of its booking: exactly one of `seat` and `participant` is set (the
`attendance_of_someone` constraint). A participant is recorded once for each session of the
booking.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sessions.models import Seat, Session, history

STAND_IN_NAME_MAX = 200


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"
    # Someone else came in their place: the session had its person, so this is no no-show.
    STAND_IN = "stand_in", "Covered by a stand-in"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.CASCADE, related_name="attendance"
    )
    participant = models.ForeignKey(
        "offer_sessions.Participant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    stand_in_name = models.CharField(
        "stand-in", max_length=STAND_IN_NAME_MAX, blank=True, help_text="Who came in their place."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["session", "id"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["seat"], condition=Q(seat__isnull=False), name="attendance_once_per_seat"
            ),
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=Q(participant__isnull=False),
                name="attendance_once_per_participant",
            ),
            models.CheckConstraint(
                name="attendance_of_someone",
                condition=Q(seat__isnull=False, participant__isnull=True)
                | Q(seat__isnull=True, participant__isnull=False),
            ),
            models.CheckConstraint(
                name="attendance_stand_in_named",
                condition=~Q(status="stand_in") | ~Q(stand_in_name=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.seat or self.participant or self.session}"
