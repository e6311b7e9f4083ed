from django import forms

from peers.forms import DateInputField
from sessions.feedback.models import ActionStatus

AREA = {"rows": 6, "class": "govuk-textarea"}


class NoteForm(forms.Form):
    heard = forms.CharField(
        label="What the panel heard", required=False, widget=forms.Textarea(attrs=AREA)
    )
    strengths = forms.CharField(
        label="Strengths", required=False, widget=forms.Textarea(attrs=AREA)
    )
    consider = forms.CharField(
        label="Things to consider", required=False, widget=forms.Textarea(attrs=AREA)
    )


class CheckForm(forms.Form):
    comments = forms.CharField(
        label="Your comments on its factual accuracy",
        help_text="What is wrong or missing, and what it should say. Leave this empty if the "
        "note needs no corrections.",
        required=False,
        widget=forms.Textarea(attrs=AREA),
    )
    no_corrections = forms.BooleanField(label="The note needs no corrections", required=False)


class ActionForm(forms.Form):
    what = forms.CharField(label="The action", widget=forms.Textarea(attrs={"rows": 3}))
    owner_name = forms.CharField(label="Owner's name", max_length=200)
    owner_email = forms.EmailField(label="Owner's e-mail address")
    due_on = DateInputField(label="Due date", help_text="For example, 27 3 2027.")


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
