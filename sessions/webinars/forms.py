"""Forms for webinar pages: the topic filter, registration, and asking for a calendar link."""

from django import forms

from peers.models import Council
from sessions.models import Topic

EMAIL_ERRORS = {
    "required": "Enter your e-mail address, such as name@council.gov.uk.",
    "invalid": "Enter an e-mail address in the right form, such as name@council.gov.uk.",
}


class TopicFilterForm(forms.Form):
    topic = forms.ChoiceField(
        required=False, label="Topic", choices=[("", "All topics"), *Topic.choices]
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Enter your name.",
            "max_length": "Your name must be 200 characters or fewer.",
        },
    )
    email = forms.EmailField(
        label="E-mail address",
        help_text="We send your invitation here, with a link to cancel if you cannot come.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )
    council = forms.ModelChoiceField(
        queryset=Council.objects.all(),
        required=False,
        label="Your council",
        empty_label="Choose your council",
        help_text="If it is not in the list, type its name below.",
        error_messages={"invalid_choice": "Choose a council from the list, or type its name."},
    )
    council_name = forms.CharField(
        label="Or type your council's name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"max_length": "The council's name must be 200 characters or fewer."},
    )
    role = forms.CharField(
        label="Your role",
        max_length=200,
        help_text="For example ward councillor, cabinet member or opposition group leader.",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={
            "required": "Enter your role, such as ward councillor or cabinet member.",
            "max_length": "Your role must be 200 characters or fewer.",
        },
    )

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("council")
            and not cleaned.get("council_name")
            and not (self.has_error("council") or self.has_error("council_name"))
        ):
            self.add_error("council", "Choose your council from the list, or type its name.")
        return cleaned


class FeedLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address you registered with",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )
