"""The programme dashboard's period (a GET form)."""

from django import forms

from peers.forms import CalendarDateField


class PeriodForm(forms.Form):
    start = CalendarDateField(
        label="From",
        required=False,
        error_messages={"invalid": "Enter a real date for the start, such as 2026-12-01."},
    )
    end = CalendarDateField(
        label="To (included)",
        required=False,
        error_messages={"invalid": "Enter a real date for the end, such as 2027-02-28."},
    )
