"""A "coming soon" offer can say the day it opens; a suspension's date is the day it can be
booked again. Either day passed, the offer is available (sessions/offer_status.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offer_sessions', '0015_invite_request_id_in_logs'),
    ]

    operations = [
        migrations.AddField(
            model_name='offer',
            name='available_from',
            field=models.DateField(blank=True, help_text='Coming soon: the day it opens, if known. On that day it becomes available.', null=True),
        ),
        migrations.AlterField(
            model_name='offer',
            name='suspended_until',
            field=models.DateField(blank=True, help_text='Suspended: the day it can be booked again.', null=True),
        ),
    ]
