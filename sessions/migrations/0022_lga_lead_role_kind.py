from django.db import migrations, models

# The panels the LGA leads ("Panels will be led by the LGA with a small panel of LGA Member and
# Officer Peers"): the Recovery & Renewal Panel and the finance panel in its format.
LGA_LED = ("recovery-and-renewal-panel", "finance-recovery-panel")
LEAD = "LGA lead"


def lead_role_slots(apps, schema_editor):
    Offer = apps.get_model("offer_sessions", "Offer")
    RoleSlot = apps.get_model("offer_sessions", "RoleSlot")
    for offer in Offer.objects.filter(slug__in=LGA_LED):
        last = offer.role_slots.aggregate(models.Max("order"))["order__max"] or 0
        RoleSlot.objects.update_or_create(
            offer=offer, name=LEAD, defaults={"kind": "facilitator", "count": 1, "order": last + 1}
        )


def no_lead_role_slots(apps, schema_editor):
    apps.get_model("offer_sessions", "RoleSlot").objects.filter(
        offer__slug__in=LGA_LED, name=LEAD
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offer_sessions", "0021_pre_reading_documents"),
        ("peers", "0008_facilitators"),
    ]

    operations = [
        migrations.AlterField(
            model_name="roleslot",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("member", "Member peer"),
                    ("officer", "Officer peer"),
                    ("facilitator", "LGA facilitator"),
                ],
                help_text="Blank: a member or an officer peer. An LGA facilitator only when chosen.",
                max_length=11,
            ),
        ),
        migrations.RunPython(lead_role_slots, no_lead_role_slots),
    ]
