"""Dates and times on pages, written as e-mails and calendar text write them
(`scheduling.engine.uk_time`): `{{ start|uk_day }}` gives "Monday 7 December 2026",
`{{ start|uk_clock }}` "10:00", `{{ start|uk_when:end }}` "Monday 7 December 2026, 10:00 to
12:30 (UK time)", `{{ deadline|uk_moment }}` "Monday 14 December 2026, 05:01 (UK time)". A date without a time (a `datetime.date`) is written as its day."""

from datetime import date, datetime

from django import template

from scheduling.engine.uk_time import clock_text, day_text, moment_text, month_text, when_text

register = template.Library()


@register.filter
def uk_day(value) -> str:
    return day_text(value) if isinstance(value, date) else ""


@register.filter
def uk_clock(value) -> str:
    return clock_text(value) if isinstance(value, datetime) else ""


@register.filter
def uk_moment(value) -> str:
    return moment_text(value) if isinstance(value, datetime) else ""


@register.filter
def uk_month(value) -> str:
    """A month given as the API writes it ('2026-12') in words: 'December 2026'."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        return month_text(year, month)
    except ValueError:
        return ""


@register.filter
def uk_when(start, end) -> str:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return ""
    return when_text(start, end)
