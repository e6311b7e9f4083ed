"""Every booking gets a reference a person can quote and search for (sessions/references.py):
the offer's code, the two-digit year it was made in (UK time) and a running number for that
code and year, e.g. RRP-26-0007. The catalogue's offers are given their codes; existing
bookings are numbered in the order they were made."""

import re
from zoneinfo import ZoneInfo

import django.core.validators
from django.db import migrations, models

CODES = {
    "recovery-and-renewal-panel": "RRP",
    "finance-recovery-panel": "FRP",
    "bespoke-remote-peer-support": "BRPS",
    "corporate-peer-challenge": "CPC",
    "one-to-one-leadership-development": "LEAD",
    "emergency-coaching-and-mentoring": "ECM",
    "virtual-communications-health-check": "VCHC",
    "hwb-reset-virtual-peer-support": "HWB",
    "virtual-commercial-surgeries": "VCS",
    "webinar-role-of-the-ward-councillor": "WARD",
    "webinar-importance-of-opposition": "OPP",
    "webinar-what-good-opposition-looks-like": "GOOD",
    "webinar-rapid-innovation": "RIN",
    "webinar-leading-a-council-with-a-multi-party-cabinet": "MPC",
    "webinar-finance-portfolio-holders": "FPH",
    "hwb-webinar-mental-health": "HWMH",
    "hwb-webinar-ethnicity": "HWET",
    "hwb-webinar-health-inequalities": "HWHI",
    "workforce-regional-webinars": "WRW",
    "one-public-estate-regional-webinars": "OPE",
    "pas-fireside-chats": "PAS",
}
LONDON = ZoneInfo("Europe/London")
# As sessions.references.offer_code has it today (a migration keeps its own copy).
SMALL_WORDS = {"LGA", "AND", "OF", "THE", "A", "AN", "FOR", "TO", "IN", "ON", "WITH"}


def initials(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    found = "".join(w[0] for w in words if w.upper() not in SMALL_WORDS).upper()
    return found[:4] if len(found) > 1 and found[0].isalpha() else "BKG"


def codes_and_references(apps, schema_editor):
    Offer = apps.get_model("offer_sessions", "Offer")
    Booking = apps.get_model("offer_sessions", "Booking")
    taken = set(Offer.objects.exclude(code="").values_list("code", flat=True))
    for slug, code in CODES.items():
        if code not in taken:
            Offer.objects.filter(slug=slug, code="").update(code=code)
    numbers: dict[str, int] = {}
    for booking in Booking.objects.select_related("offer").order_by("created_at", "id"):
        code = booking.offer.code or initials(booking.offer.title)
        prefix = f"{code}-{booking.created_at.astimezone(LONDON):%y}-"
        numbers[prefix] = numbers.get(prefix, 0) + 1
        booking.reference = f"{prefix}{numbers[prefix]:04d}"
        booking.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [("offer_sessions", "0018_corporate_peer_challenge_in_the_past_tense")]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="code",
            field=models.CharField(
                blank=True,
                help_text="Short letters that start its bookings' references, e.g. RRP for "
                "RRP-26-0007. Blank: the title's initials.",
                max_length=6,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z][A-Z0-9]{1,5}$",
                        "Give 2 to 6 capital letters or digits, starting with a letter, e.g. RRP.",
                    )
                ],
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="reference",
            field=models.CharField(default="", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalbooking",
            name="reference",
            field=models.CharField(
                db_index=True,
                default="",
                help_text="What a person quotes on the phone and searches for, e.g. RRP-26-0007.",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(codes_and_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="reference",
            field=models.CharField(
                help_text="What a person quotes on the phone and searches for, e.g. RRP-26-0007.",
                max_length=20,
                unique=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("code",),
                name="offer_code_unique",
            ),
        ),
    ]
