import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from peers.models import TIME_ZONE_CHOICES, CouncilType, Nation, Region
from scheduling.engine.busy_calendar import MAX_BYTES, oversize_refusal


def add_service_errors(form, error: ValidationError, field_for=None) -> None:
    """Put a service's field errors on the form fields that caused them (else on the form).

    `field_for(name)` may map a service's field name (e.g. "weekly[2].end") to a form field.
    """
    for name, field_messages in error.message_dict.items():
        target = name if name in form.fields else (field_for(name) if field_for else None)
        for message in field_messages:
            form.add_error(target if target in form.fields else None, message)


class CalendarDateField(forms.DateField):
    """A date picked with the browser's date control, which takes its value only as YYYY-MM-DD."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Ask the LGA programme team to restore it.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username."
        self.fields["password"].error_messages["required"] = "Enter your password."
        self.fields["username"].widget.attrs.pop("autofocus", None)


class CouncilSearchForm(forms.Form):
    search = forms.CharField(required=False, max_length=100, label="Council name")
    region = forms.ChoiceField(required=False, choices=[("", "Any region"), *Region.choices])
    council_type = forms.ChoiceField(
        required=False, label="Type", choices=[("", "Any type"), *CouncilType.choices]
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Say what will use it, for example 'monthly bookings report'.",
        error_messages={
            "required": "Give the token a name, such as the script that will use it.",
            "max_length": "The name must be 100 characters or fewer.",
        },
    )


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HOURS_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(text: str) -> list[dict]:
    """'09:00-12:00, 14:00-17:00' → [{start, end}, ...]; raises forms.ValidationError."""
    windows = []
    for part in [p for p in re.split(r"[,;]", text or "") if p.strip()]:
        match = HOURS_PATTERN.match(part)
        if not match:
            raise forms.ValidationError(
                f"Enter hours like 09:00-12:00, separated by commas ('{part.strip()}' is not)."
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise forms.ValidationError(f"'{part.strip()}' is not a time of day.")
        windows.append({"start": f"{h1:02d}:{m1:02d}", "end": f"{h2:02d}:{m2:02d}"})
    return windows


def hours_text(windows) -> str:
    return ", ".join(f"{w['start']}-{w['end']}" for w in windows)


class HoursField(forms.CharField):
    def to_python(self, value):
        return parse_hours(super().to_python(value))


class WeeklyHoursForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, name in enumerate(WEEKDAYS):
            self.fields[f"day_{weekday}"] = HoursField(
                required=False,
                label=name,
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "aria-describedby": "weekly-hint"}
                ),
            )

    def weekly(self) -> list[dict]:
        return [
            {"weekday": weekday, **window}
            for weekday in range(7)
            for window in self.cleaned_data[f"day_{weekday}"]
        ]

    def field_for_window(self, index: int) -> str:
        """The day field that the index-th window of weekly() came from."""
        return f"day_{self.weekly()[index]['weekday']}"


class AvailabilitySettingsForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", choices=TIME_ZONE_CHOICES)
    nation = forms.ChoiceField(
        label="Bank holidays of",
        choices=Nation.choices,
        help_text="The nation whose bank holidays apply to you.",
    )
    bank_holidays_block = forms.BooleanField(
        required=False, label="Do not book me on bank holidays"
    )
    monthly_session_cap = forms.IntegerField(
        label="Most sessions a month",
        min_value=0,
        max_value=60,
        error_messages={"min_value": "The number of sessions cannot be below zero."},
    )
    monthly_hours_cap = forms.IntegerField(
        label="Most hours a month",
        min_value=0,
        max_value=300,
        error_messages={"min_value": "The number of hours cannot be below zero."},
    )
    buffer_minutes = forms.IntegerField(
        label="Free minutes before and after each session", min_value=0, max_value=240
    )


class DateOverrideForm(forms.Form):
    date = CalendarDateField(
        label="Date",
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter a real date, such as 2026-12-24.",
        },
    )
    hours = HoursField(
        required=False,
        label="Hours that day",
        help_text="Leave empty if you are not available at all that day.",
    )


class LeaveForm(forms.Form):
    first_day = CalendarDateField(
        label="First day",
        error_messages={
            "required": "Enter the first day of leave.",
            "invalid": "Enter a real date.",
        },
    )
    last_day = CalendarDateField(
        label="Last day",
        error_messages={
            "required": "Enter the last day of leave.",
            "invalid": "Enter a real date.",
        },
    )
    note = forms.CharField(required=False, max_length=200, label="Note (optional)")


class BusyCalendarUrlForm(forms.Form):
    url = forms.CharField(
        label="Calendar feed address",
        max_length=2000,
        help_text="The secret iCal address of your council calendar (https:// or webcal://).",
        error_messages={"required": "Enter the address of your calendar feed."},
    )


class CalendarFileLimit(FileUploadHandler):
    """Counts an upload's bytes as they arrive and drops the file once it passes the calendar
    size limit, so a huge file is never held whole (the rest of it is read and discarded).

    Put it first in `request.upload_handlers` before the form data is read; the fields whose
    file was dropped are in `oversized`.
    """

    def __init__(self, request=None, limit: int = MAX_BYTES):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.oversized: set[str] = set()

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized.add(self.field_name)
            raise SkipFile
        return raw_data  # on to the handler that keeps it

    def file_complete(self, file_size):
        return None


class BusyCalendarUploadForm(forms.Form):
    file = forms.FileField(
        label="Calendar file (.ics)",
        help_text="At most 2 MB.",
        error_messages={"required": "Choose an .ics file exported from your calendar."},
    )

    def __init__(self, *args, oversized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = oversized
        if oversized:
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.oversized or (upload is not None and upload.size > MAX_BYTES):
            raise forms.ValidationError(oversize_refusal().message)
        return upload
