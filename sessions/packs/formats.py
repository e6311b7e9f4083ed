"""Which kinds of file a pack takes: the shared checks of sessions/uploads.py."""

from sessions.uploads import ACCEPTED, ACCEPTED_TEXT, Format, format_of

__all__ = ["ACCEPTED", "ACCEPTED_TEXT", "Format", "format_of"]
