from django import forms

from sessions.models import Programme


class CatalogueFilterForm(forms.Form):
    programme = forms.ChoiceField(
        required=False, label="Programme", choices=[("", "All programmes"), *Programme.choices]
    )
