import re
from datetime import datetime, time

from django import forms

from peers.forms import DateInputField
from peers.models import Council
from sessions.models import SEAT_ANSWER_REASON_MAX, Programme

TIME_OF_DAY = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class CatalogueFilterForm(forms.Form):
    programme = forms.ChoiceField(
        required=False,
        label="Programme",
        choices=[("", "All programmes"), *Programme.choices],
        error_messages={"invalid_choice": "Choose a programme from the list."},
    )


class JourneyCouncilForm(forms.Form):
    """Which council to look for times for (advisers and staff act for several)."""

    council = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        label="Council",
        empty_label="Choose a council",
        error_messages={
            "required": "Choose the council you are booking for.",
            "invalid_choice": "Choose one of the councils in the list.",
        },
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class StartQuestionForm(forms.Form):
    """'Why can't I have a time?': one date and time of day in UK time."""

    date = DateInputField(
        label="Date",
        error_messages={"required": "Enter the date you wanted."},
    )
    time = forms.CharField(
        label="Start time (UK time)",
        max_length=5,
        help_text="For example 10:00 or 14:30.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 5}),
        error_messages={"required": "Enter the start time you wanted, such as 10:00."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="why", **kwargs)

    def clean_time(self) -> time:
        match = TIME_OF_DAY.match(self.cleaned_data["time"])
        hour, minute = (int(g) for g in match.groups()) if match else (99, 99)
        if hour > 23 or minute > 59:
            raise forms.ValidationError("Enter the time as hours and minutes, such as 10:00.")
        return time(hour, minute)


class BookForm(forms.Form):
    """The chosen time (the pressed button's value), the council, notes, and a booking to move."""

    start = forms.CharField(error_messages={"required": "Choose one of the times."})
    council = forms.ModelChoiceField(
        queryset=Council.objects.all(),
        error_messages={
            "required": "Choose the council you are booking for.",
            "invalid_choice": "That council is unknown.",
        },
    )
    notes = forms.CharField(
        required=False,
        max_length=4000,
        label="Notes for the LGA and the panel (optional)",
        help_text="For example who will attend, or what you want the panel to focus on.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the notes to 4,000 characters or fewer."},
    )
    booking = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def clean_start(self) -> datetime:
        try:
            start = datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError:
            raise forms.ValidationError(
                "That time is not one of the times offered: choose again."
            ) from None
        if start.tzinfo is None or start.utcoffset() is None:
            raise forms.ValidationError("That time is not one of the times offered: choose again.")
        return start


class BookingSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a booking",
        help_text="Its reference (for example RRP-26-0007), a council or an offer.",
        required=False,
        max_length=200,
        strip=True,
        error_messages={"max_length": "Search must be 200 characters or fewer."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why are you cancelling?",
        help_text="The peers on the panel are told.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why you are cancelling the booking.",
            "max_length": "Keep the reason to 2,000 characters or fewer.",
        },
    )


class DeclineRequestForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why are you declining the request?",
        help_text="The council is told.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why you are declining the request.",
            "max_length": "Keep the reason to 2,000 characters or fewer.",
        },
    )


class DeclineForm(forms.Form):
    """A peer declining or withdrawing from a seat: the one optional question, why."""

    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=SEAT_ANSWER_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For LGA staff, to help them find the right replacement. The council does not "
        "see it.",
        error_messages={
            "max_length": "The reason must be %(limit_value)s characters or fewer "
            "(it has %(show_value)s)."
        },
    )

    def __init__(self, *args, accepted: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not accepted:
            self.fields["reason"].label = "Why are you declining? (optional)"
