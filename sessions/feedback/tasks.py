"""Background work after the panel: thin, taking ids. `after_panel` runs hourly (migration
0023): the surveys of sessions just ended, the owners' reminders, the bookers' follow-ups, and
any note letter a lost task did not send."""

from sessions.feedback import letters


def tell_council(note_id: int) -> int:
    return letters.council_tell(note_id=note_id)


def tell_lead(note_id: int) -> int:
    return letters.lead_tell(note_id=note_id)


def after_panel() -> dict:
    return {
        "surveys": letters.surveys_send(),
        "reminders": letters.owners_remind(),
        "follow_ups": letters.follow_ups_send(),
        "notes_told": letters.notes_tell_unsent(),
    }
