# Written by hand: TimelineEntry moved here from contacts. The table it had there
# (contacts_timelineentry, made by contacts' 0002) is kept as it is, with its indexes: this
# migration only tells Django's state that the profile app holds the model now.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contacts', '0006_timelineentry_moved_to_profile'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='TimelineEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('occurred_at', models.DateTimeField()),
                        ('kind', models.CharField(max_length=20)),
                        ('title', models.CharField(max_length=200)),
                        ('summary', models.CharField(blank=True, max_length=500)),
                        ('sentiment', models.CharField(blank=True, max_length=10)),
                        ('ref', models.CharField(blank=True, help_text='app_label.model:pk', max_length=80)),
                        ('contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timeline', to='contacts.contact')),
                        ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.workspace')),
                    ],
                    options={
                        'verbose_name_plural': 'timeline entries',
                        'db_table': 'contacts_timelineentry',
                        'ordering': ['-occurred_at', '-id'],
                        'indexes': [
                            models.Index(fields=['contact', '-occurred_at', '-id'], name='timeline_contact'),
                            models.Index(fields=['ref'], name='timeline_ref'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
