"""The Corporate Peer Challenge's suspension ended on 1 November 2020, so the catalogue shows it
as available (sessions/offer_status.py); its words now speak of the suspension as past. Only
the seeded words are changed: text staff have edited is left as it is."""

from django.db import migrations

SLUG = "corporate-peer-challenge"
WAS = {
    "summary": "The traditional on-site peer challenge, suspended while remote peer support is "
    "offered instead.",
    "description": "Peer Challenges have been suspended, and the LGA has rapidly refocused its "
    "peer support activity to provide remote peer support: see the LGA Recovery & Renewal Panel "
    "and LGA Bespoke Remote Peer Support.",
}
NOW = {
    "summary": "The traditional on-site peer challenge, suspended until November 2020 while "
    "remote peer support was offered instead.",
    "description": "Peer Challenges were suspended until November 2020, while the LGA refocused "
    "its peer support activity to provide remote peer support: see the LGA Recovery & Renewal "
    "Panel and LGA Bespoke Remote Peer Support.",
}


def reword(old, new):
    def apply(apps, schema_editor):
        Offer = apps.get_model("offer_sessions", "Offer")
        for field, text in old.items():
            Offer.objects.filter(slug=SLUG, **{field: text}).update(**{field: new[field]})

    return apply


class Migration(migrations.Migration):
    dependencies = [("offer_sessions", "0017_mailbox_replies_bounces")]

    operations = [migrations.RunPython(reword(WAS, NOW), reword(NOW, WAS))]
