"""Background work for learning points: thin (the scheduled run of migration 0026)."""

from sessions.learning.services import learning_asks_send


def send_asks() -> dict[str, int]:
    """Ask the peers of sessions that ended for their learning points, and remind once."""
    return learning_asks_send()
