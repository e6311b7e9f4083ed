from django import forms
from django.contrib.auth.forms import AuthenticationForm

from peers.models import CouncilType, Region


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
