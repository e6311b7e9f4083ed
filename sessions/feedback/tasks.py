"""Background work after the panel: thin, taking ids. `after_panel` runs hourly (migration
0023): the surveys of sessions just ended, the owners' reminders and the bookers' follow-ups."""

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
    }
