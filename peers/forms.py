import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from peers.models import CouncilType, Nation, Region
from scheduling.engine.busy_calendar import MAX_BYTES, oversize_refusal
from scheduling.engine.refusals import Refusal
from scheduling.engine.time_zones import offered_zones


@dataclass(frozen=True)
class Written[T]:
    """What a page's write came to: done, with what the service returned; or not, with the
    reasons on the form (and the refusal, if it was one, for the page's status)."""

    done: bool
    value: T | None = None
    refusal: Refusal | None = None


def form_write[T](form, write: Callable[[], T], field_for=None) -> Written[T]:
    """Run a page's write (one service call) for a valid form: the one way pages turn a
    service's answer into what the user reads. Its field errors go on the fields that caused
    them (`add_service_errors`); a refusal goes on the form itself, for the error summary."""
    try:
        return Written(done=True, value=write())
    except ValidationError as error:
        add_service_errors(form, error, field_for)
        return Written(done=False)
    except Refusal as refusal:
        form.add_error(None, refusal.detail)
        return Written(done=False, refusal=refusal)


def add_service_errors(form, error: ValidationError, field_for=None) -> None:
    """Put a service's field errors on the form fields that caused them (else on the form).

    `field_for(name)` may map a service's field name (e.g. "weekly[2].end") to a form field.
    """
    for name, field_messages in error.message_dict.items():
        target = name if name in form.fields else (field_for(name) if field_for else None)
        target = target if target in form.fields else None
        for message in field_messages:
            form.add_error(target, _as_sentence(form, target, message))


def _as_sentence(form, target, message: str) -> str:
    """A service's reason as a sentence: "must be a date" on "First day" reads "First day must
    be a date."; a reason that is already a sentence is kept."""
    if message[:1].islower():
        subject = form.fields[target].label if target else "The request"
        message = f"{subject} {message}"
    return message if message.endswith((".", "?", "!")) else f"{message}."


ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")


class DateInputWidget(forms.MultiWidget):
    """govuk-frontend's date input: day, month and year as three numeric text boxes.

    Posted as `<name>_day`, `<name>_month` and `<name>_year`; the value is the list of the three
    strings as typed, so a mistake is shown back as it was entered.
    """

    template_name = "includes/date_input.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        part = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(
            {
                "day": forms.TextInput(attrs={**part, "maxlength": 2}),
                "month": forms.TextInput(attrs={**part, "maxlength": 2}),
                "year": forms.TextInput(attrs={**part, "maxlength": 4}),
            },
            attrs,
        )

    def value_from_datadict(self, data, files, name):
        """The three parts as typed; a link or hidden field may carry the date whole instead
        (`<name>=YYYY-MM-DD`), which is given back as that string."""
        if not any(f"{name}_{part}" in data for part in ("day", "month", "year")) and name in data:
            return data.get(name)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def decompress(self, value):
        if isinstance(value, str):
            match = ISO_DATE.match(value.strip())
            return [match["day"], match["month"], match["year"]] if match else [None] * 3
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        error = attrs.pop("error", False)
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(
            ("day", "month", "year"), context["widget"]["subwidgets"], strict=True
        ):
            subwidget["part"] = part
            subwidget["label"] = part.capitalize()
            subwidget["error"] = error
            if attrs.get("id"):
                subwidget["attrs"]["id"] = f"{attrs['id']}_{part}"
        return context

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else id_


class DateInputField(forms.Field):
    """A date asked for as day, month and year (govuk-frontend's date input pattern).

    Errors are sentences that name the field (its label), as the GOV.UK design system asks:
    "Date must include a month", "First day must be a real date". Whether a date may be in the
    past is the service's rule (peers.services refuses new past overrides and leave).
    """

    widget = DateInputWidget
    default_error_messages = {
        "required": "Enter %(the_label)s.",
        "incomplete": "%(label)s must include %(missing)s.",
        "invalid": "%(label)s must be a real date, for example 27 3 %(year)s.",
        "year": "The year of %(the_label)s must have 4 numbers, for example %(year)s.",
    }

    def _params(self, **extra) -> dict:
        label = str(self.label or "The date")
        return {
            "label": label,
            "the_label": f"the {label[:1].lower()}{label[1:]}",
            "year": date.today().year,
            **extra,
        }

    def to_python(self, value):
        if isinstance(value, str):
            if not value.strip():
                return None
            match = ISO_DATE.match(value.strip())
            if not match:
                raise ValidationError(
                    self.error_messages["invalid"], code="invalid", params=self._params()
                )
            value = [match["day"], match["month"], match["year"]]
        parts = [(p or "").strip() for p in (value or [])] + ["", "", ""]
        day, month, year = parts[:3]
        if not (day or month or year):
            return None
        missing = [
            name
            for name, part in zip(("a day", "a month", "a year"), parts[:3], strict=True)
            if not part
        ]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params=self._params(missing=" and ".join(missing)),
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params=self._params()
            )
        if len(year) != 4:
            raise ValidationError(self.error_messages["year"], code="year", params=self._params())
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params=self._params()
            ) from None

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise ValidationError(
                self.error_messages["required"], code="required", params=self._params()
            )


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


class ResetRequestForm(PasswordResetForm):
    """Asks for the account's e-mail address; the mail goes only to an address we hold."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].help_text = "The address your account uses. We send a link to it."
        self.fields["email"].widget.attrs.update(spellcheck="false")
        self.fields["email"].error_messages.update(
            required="Enter your e-mail address, such as name@council.gov.uk.",
            invalid="Enter an e-mail address in the right form, such as name@council.gov.uk.",
        )


class NewPasswordForm(SetPasswordForm):
    """Choosing a new password from a reset link."""

    error_messages = {
        "password_mismatch": "The two passwords do not match: type the same password twice.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = "New password", "Type the new password again"
        first.help_text = (
            "At least 8 characters. Not a common password, not all numbers, and not like your "
            "username. A few unrelated words make a strong one."
        )
        second.help_text = ""
        first.error_messages["required"] = "Enter a new password."
        second.error_messages["required"] = "Type the new password again."


class CouncilSearchForm(forms.Form):
    search = forms.CharField(
        required=False,
        max_length=100,
        label="Council name",
        error_messages={"max_length": "The council name must be 100 characters or fewer."},
    )
    region = forms.ChoiceField(
        required=False,
        choices=[("", "Any region"), *Region.choices],
        error_messages={"invalid_choice": "Choose a region from the list."},
    )
    council_type = forms.ChoiceField(
        required=False,
        label="Type",
        choices=[("", "Any type"), *CouncilType.choices],
        error_messages={"invalid_choice": "Choose a type of council from the list."},
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Say what will use it, for example 'monthly bookings report'.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
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
            raise forms.ValidationError(
                f"'{part.strip()}' is not a time of day: use hours 00 to 23 and minutes 00 to 59."
            )
        if (h2, m2) <= (h1, m1):
            raise forms.ValidationError(
                f"The end of '{part.strip()}' must be later than its start, such as 09:00-17:00."
            )
        windows.append({"start": f"{h1:02d}:{m1:02d}", "end": f"{h2:02d}:{m2:02d}"})
    ordered = sorted(windows, key=lambda w: w["start"])
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later["start"] < earlier["end"]:
            raise forms.ValidationError(
                f"The hours {earlier['start']}-{earlier['end']} and {later['start']}-"
                f"{later['end']} overlap: give each stretch of time once."
            )
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
                    attrs={"autocomplete": "off", "class": "govuk-input--width-20"}
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


def time_zone_choices() -> list:
    """The zones a peer may choose (`time_zones.offered_zones`): UK time and the common zones
    first, then every other by country and place."""
    zones = offered_zones()
    return [
        ("Common time zones", [(z.name, z.label) for z in zones if z.common]),
        ("All time zones, by country", [(z.name, z.label) for z in zones if not z.common]),
    ]


def whole_number_messages(name: str, least: int, most: int) -> dict:
    """GOV.UK-style sentences for a whole-number field; `name` as it reads mid-sentence."""
    return {
        "required": f"Enter {name}, from {least} to {most}.",
        "invalid": f"Enter {name} as a whole number, such as {min(most, 4)}.",
        "min_value": f"{name[:1].upper()}{name[1:]} must be {least} or more.",
        "max_value": f"{name[:1].upper()}{name[1:]} must be {most} or fewer.",
    }


class AvailabilitySettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Your weekly hours and dates are in this zone. UK time and common zones first.",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )
    nation = forms.ChoiceField(
        label="Bank holidays of",
        choices=Nation.choices,
        help_text="The nation whose bank holidays apply to you.",
        error_messages={"invalid_choice": "Choose a nation from the list."},
    )
    bank_holidays_block = forms.BooleanField(
        required=False, label="Do not book me on bank holidays"
    )
    monthly_session_cap = forms.IntegerField(
        label="Most sessions a month",
        min_value=0,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages=whole_number_messages("the most sessions a month", 0, 60),
    )
    monthly_hours_cap = forms.IntegerField(
        label="Most hours a month",
        min_value=0,
        max_value=300,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages=whole_number_messages("the most hours a month", 0, 300),
    )
    buffer_minutes = forms.IntegerField(
        label="Free minutes before and after each session",
        min_value=0,
        max_value=240,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages=whole_number_messages(
            "the free minutes before and after each session", 0, 240
        ),
    )


class DateOverrideForm(forms.Form):
    """Different hours on one date (a date already past is refused by the service)."""

    date = DateInputField(
        label="Date",
        help_text="For example, 24 12 2026.",
        error_messages={"required": "Enter the date you want different hours on."},
    )
    hours = HoursField(
        required=False,
        label="Hours that day",
        help_text="For example 10:00-12:00. Leave empty if you are not available at all that day.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-20"}),
    )


class LeaveForm(forms.Form):
    """A period of leave (leave that has already ended is refused by the service)."""

    first_day = DateInputField(
        label="First day of leave",
        help_text="For example, 21 12 2026.",
        error_messages={"required": "Enter the first day of your leave."},
    )
    last_day = DateInputField(
        label="Last day of leave",
        help_text="The day before you are back, for example 2 1 2027.",
        error_messages={"required": "Enter the last day of your leave."},
    )
    note = forms.CharField(
        required=False,
        max_length=200,
        label="Note (optional)",
        help_text="Only you and the LGA programme team see it.",
        error_messages={"max_length": "The note must be 200 characters or fewer."},
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error(
                "last_day", "The last day of leave must be the same as or after the first day."
            )
        return cleaned


class BusyCalendarUrlForm(forms.Form):
    url = forms.CharField(
        label="Calendar feed address",
        max_length=2000,
        help_text="The secret iCal address of your council calendar (https:// or webcal://).",
        error_messages={
            "required": "Enter the address of your calendar feed.",
            "max_length": "The calendar feed address must be 2,000 characters or fewer.",
        },
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
        error_messages={
            "required": "Choose an .ics file exported from your calendar.",
            "empty": "The selected file is empty: export your calendar again and choose that file.",
            "invalid": "Choose an .ics file exported from your calendar.",
        },
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
