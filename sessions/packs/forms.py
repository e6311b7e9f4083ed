from django import forms
from django.conf import settings

from sessions.packs.services import EMPTY


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="Add a document",
        help_text=(
            f"A PDF, Word, Excel, PowerPoint or OpenDocument file, up to "
            f"{settings.PACK_FILE_MAX_MB} MB. The panel's peers are told by e-mail."
        ),
        error_messages={"required": "Select a document to add.", "empty": EMPTY},
    )
