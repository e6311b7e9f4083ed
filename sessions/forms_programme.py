"""The programme dashboard's period (a GET form)."""

from django import forms

from peers.forms import DateInputField


class PeriodForm(forms.Form):
    start = DateInputField(
        label="From",
        required=False,
        error_messages={
            "invalid": "The start of the period must be a real date, such as 1 12 2026."
        },
    )
    end = DateInputField(
        label="To (included)",
        required=False,
        error_messages={
            "invalid": "The end of the period must be a real date, such as 28 2 2027.",
            "incomplete": "The end of the period must include %(missing)s.",
            "year": "The year of the end of the period must have 4 numbers, such as 2027.",
        },
    )
