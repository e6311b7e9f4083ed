"""Webinar reads: webinars and places, signed links, feeds and feed tokens."""
