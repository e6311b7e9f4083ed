from dataclasses import dataclass

from django import forms

from sessions.attendance.models import STAND_IN_NAME_MAX, AttendanceStatus
from sessions.attendance.selectors import AttendanceRow
from sessions.attendance.services import Mark, stand_in_key, status_key


@dataclass(frozen=True)
class Person:
    """One person's part of the form: their row and its two fields."""

    row: AttendanceRow
    status: forms.BoundField
    stand_in: forms.BoundField


class AttendanceForm(forms.Form):
    """A status (radios) and a stand-in's name for each person on the session; anyone left
    without a status stays as they were. Field names are the service's (`seat-<id>-...` and
    `participant-<id>-...`), so its refusals land on the fields that caused them."""

    def __init__(self, *args, rows: list[AttendanceRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[status_key(row.person)] = forms.ChoiceField(
                label=f"{row.name} ({row.role})" if row.role else row.name,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=row.status,
                error_messages={"invalid_choice": "Choose attended, absent or a stand-in."},
            )
            self.fields[stand_in_key(row.person)] = forms.CharField(
                label=f"Name of the stand-in for {row.name}",
                help_text="Only if someone came in their place.",
                required=False,
                max_length=STAND_IN_NAME_MAX,
                initial=row.stand_in_name,
            )

    def people(self) -> list[Person]:
        return [
            Person(row, self[status_key(row.person)], self[stand_in_key(row.person)])
            for row in self.rows
        ]

    def marks(self) -> list[Mark]:
        data = self.cleaned_data
        return [
            Mark(
                seat=row.seat,
                participant=row.participant,
                status=data[status_key(row.person)],
                stand_in_name=data[stand_in_key(row.person)],
            )
            for row in self.rows
            if data.get(status_key(row.person))
        ]
