"""LGA Bespoke Remote Peer Support runs as three half-days with the same small team.

The offer describes 2-3 days of detailed interviews and discussions. Booked as three 6-hour
days (18 hours) it exceeded the monthly hours cap of most peers, so no time could ever be
staffed. Three 3-hour sessions on consecutive working days (9 hours) keep the offer's shape,
interviews and discussions over three days with one team, within the caps peers set.
"""

from django.db import migrations

SLUG = "bespoke-remote-peer-support"


def half_days(apps, schema_editor):
    Offer = apps.get_model("offer_sessions", "Offer")
    Offer.objects.filter(slug=SLUG, duration_minutes=360).update(
        duration_minutes=180, duration_text="3 days"
    )


def whole_days(apps, schema_editor):
    Offer = apps.get_model("offer_sessions", "Offer")
    Offer.objects.filter(slug=SLUG, duration_minutes=180).update(
        duration_minutes=360, duration_text="2–3 days"
    )


class Migration(migrations.Migration):
    dependencies = [("offer_sessions", "0012_history")]

    operations = [migrations.RunPython(half_days, whole_days)]
