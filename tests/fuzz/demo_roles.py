"""The demo sign-ins the API is fuzzed as (besides a caller who is signed out)."""

DEMO_ROLES = ("staff", "adviser", "booker", "peer", "councillor", "lead")
