"""Template tags for pages in govuk-frontend's markup: navigation items and form controls."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from scheduling.engine.plurals import counted as counted_words

register = template.Library()


@register.filter
def counted(n, words: str) -> str:
    """`{{ n|counted:"the peer is|each of the {n} peers is" }}`: the one way to say a count
    (`scheduling.engine.plurals`)."""
    one, _, many = words.partition("|")
    return counted_words(int(n or 0), one, many or one)


# govuk-frontend's class for each kind of Django widget (BoundField.widget_type), and the
# modifier it takes when the field has an error.
CONTROL_CLASSES = {
    "text": ("govuk-input", "govuk-input--error"),
    "email": ("govuk-input", "govuk-input--error"),
    "password": ("govuk-input", "govuk-input--error"),
    "url": ("govuk-input", "govuk-input--error"),
    "number": ("govuk-input", "govuk-input--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "clearablefile": ("govuk-file-upload", "govuk-file-upload--error"),
}


@register.filter
def govuk_control(field):
    """The field's control with govuk-frontend's classes (and its error state) added to any
    class the form gave it. Hint and error ids are Django's own (`<id>_helptext`,
    `<id>_error`), which Django also puts in the control's aria-describedby."""
    if field.is_hidden:
        return field.as_widget()
    attrs = {}
    if field.widget_type == "dateinput":
        attrs["error"] = bool(field.errors)
        return field.as_widget(attrs=attrs)
    base, error = CONTROL_CLASSES.get(field.widget_type, ("govuk-input", "govuk-input--error"))
    given = field.field.widget.attrs.get("class", "")
    classes = [base, given]
    if base == "govuk-input" and "govuk-input--width" not in given:
        classes.append(input_width(field))
    if field.errors and error:
        classes.append(error)
    attrs["class"] = " ".join(c for c in classes if c)
    return field.as_widget(attrs=attrs)


@register.filter
def needs_attention(messages) -> bool:
    """Whether any of the messages is more than a confirmation (a warning or an error)."""
    return any(message.level_tag in {"warning", "error"} for message in messages)


# govuk-frontend's fixed input widths, in characters.
INPUT_WIDTHS = (2, 3, 4, 5, 10, 20, 30)


def input_width(field) -> str:
    """A width that fits what the field holds: its `size` or `max_length` where it has one
    (a number of weeks, a time of day), else the full width of the column."""
    widget_size = field.field.widget.attrs.get("size") or field.field.widget.attrs.get("maxlength")
    if not widget_size and field.widget_type == "number":
        widget_size = 4
    if not widget_size:
        return ""
    width = next((w for w in INPUT_WIDTHS if w >= int(widget_size)), None)
    return f"govuk-input--width-{width}" if width else ""


@register.simple_tag(takes_context=True)
def nav_item(context, url_name: str, label: str, also: str = ""):
    """One item of the service navigation, marked current on its own page and on `also`'s."""
    href = reverse(url_name)
    match = context["request"].resolver_match
    current = match is not None and match.view_name in {url_name, *also.split()}
    if current:
        return format_html(
            '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
            '<a class="govuk-service-navigation__link" href="{}" aria-current="page">'
            '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
            href,
            label,
        )
    return format_html(
        '<li class="govuk-service-navigation__item">'
        '<a class="govuk-service-navigation__link" href="{}">{}</a></li>',
        href,
        label,
    )


# A govuk-tag colour for each of a booking's states (the words of `booking_state`): green when
# it stands complete, yellow while it waits on someone, red when staff must act, grey when over.
BOOKING_TAG_COLOURS = (
    ("Confirmed", "govuk-tag--green"),
    ("Being staffed", ""),  # govuk-tag's own blue
    ("Waiting for approval", "govuk-tag--yellow"),
    ("Needs attention", "govuk-tag--red"),
)

# A seat's status: accepted green, waiting on the peer yellow, given up red, not yet asked grey.
SEAT_TAG_COLOURS = {
    "accepted": "govuk-tag--green",
    "invited": "govuk-tag--yellow",
    "proposed": "govuk-tag--grey",
    "declined": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}


@register.filter
def booking_tag(state: str) -> str:
    """The govuk-tag modifier for a booking's state; cancelled, declined and expired are grey."""
    for words, colour in BOOKING_TAG_COLOURS:
        if state.startswith(words):
            return colour
    return "govuk-tag--grey"


@register.filter
def seat_tag(status: str) -> str:
    """The govuk-tag modifier for a seat's status."""
    return SEAT_TAG_COLOURS.get(status, "govuk-tag--grey")
