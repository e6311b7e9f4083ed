"""Background work for the pre-reading: thin, taking ids. (Deleting packs kept past their time
is part of the daily retention run, privacy/retention.py.)"""

from sessions.packs.letters import panel_tell


def tell_panel(document_id: int) -> int:
    """Tell a booking's peers that a document was added to their pre-reading."""
    return panel_tell(document_id=document_id)
