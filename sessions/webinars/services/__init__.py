"""Webinar writes: scheduling and changing webinars, registrations, feed tokens."""
