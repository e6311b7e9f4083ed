"""This site's public address, as e-mails and feeds give it: below both panels and webinars."""

from django.conf import settings


def absolute_url(path: str = "") -> str:
    """This site's public address for `path`, as e-mails and feeds give it (SITE_URL has no
    trailing slash)."""
    return settings.SITE_URL + path
