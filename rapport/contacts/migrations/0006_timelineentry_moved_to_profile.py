# Written by hand: TimelineEntry moved to the profile app (rapport.profile), its table and
# indexes unchanged. Contacts forgets the model here; profile's 0001 takes it over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0005_import_job_source'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='TimelineEntry'),
            ],
            database_operations=[],
        ),
    ]
