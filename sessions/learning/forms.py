from django import forms

from peers.models import CouncilType, Region
from sessions.learning.models import Elsewhere, Theme, Visibility
from sessions.learning.services import TEXT_MAX, PointWords

VISIBILITY_HINTS = {
    Visibility.PANEL: "The panel's peers, the LGA lead, the council and LGA staff.",
    Visibility.LGA: "The LGA lead, the council's Principal Adviser and LGA staff.",
    Visibility.ANONYMOUS: "In the learning library for councils, peers and advisers, naming no "
    "council: the LGA lead checks the wording first, so do not name the council or its people.",
    Visibility.NAMED: "In the learning library, naming the council: only once the council has "
    "agreed, on a page that shows it exactly this point.",
}


class Radios(forms.RadioSelect):
    """Radios whose field's id is its first radio's, so the error summary's link reaches it."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class PointForm(forms.Form):
    theme = forms.ChoiceField(
        label="Theme",
        choices=[("", "Choose a theme")] + Theme.choices,
        error_messages={"required": "Select the theme the point is about."},
    )
    doing = forms.CharField(
        label="What is the council doing?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX,
        error_messages={"required": "Enter what the council is doing."},
    )
    why = forms.CharField(
        label="Why does it matter?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX,
        error_messages={"required": "Enter why it matters."},
    )
    elsewhere = forms.ChoiceField(
        label="Would it work elsewhere?",
        choices=Elsewhere.choices,
        widget=Radios,
        error_messages={"required": "Select whether it would work elsewhere."},
    )
    visibility = forms.ChoiceField(
        label="Who may read it?",
        choices=Visibility.choices,
        widget=Radios,
        initial=Visibility.PANEL,
        error_messages={"required": "Select who may read the point."},
    )

    def words(self) -> PointWords:
        return PointWords(**{name: self.cleaned_data[name] for name in self.fields})


class LibraryForm(forms.Form):
    """The library's filters, from the query string: all optional."""

    q = forms.CharField(label="Words", required=False, max_length=200)
    theme = forms.ChoiceField(
        label="Theme", required=False, choices=[("", "Any theme")] + Theme.choices
    )
    council_type = forms.ChoiceField(
        label="Council type", required=False, choices=[("", "Any type")] + CouncilType.choices
    )
    region = forms.ChoiceField(
        label="Region", required=False, choices=[("", "Any region")] + Region.choices
    )
    start = forms.DateField(
        label="Panels from",
        required=False,
        widget=forms.TextInput(attrs={"type": "date"}),
        error_messages={"invalid": "Panels from must be a date, like 2026-03-31."},
    )
    end = forms.DateField(
        label="Panels to",
        required=False,
        widget=forms.TextInput(attrs={"type": "date"}),
        error_messages={"invalid": "Panels to must be a date, like 2026-03-31."},
    )
