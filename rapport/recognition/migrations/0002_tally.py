import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_journalentry'),
        ('recognition', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Tally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_id', models.BigIntegerField(default=0)),
                ('kind', models.CharField(choices=[('captured', 'Captured a post'), ('first_response', 'First response'), ('public_reply', 'Public reply'), ('expert_answer', 'Expert answer after a hand-off'), ('colleague_help', "Answered a colleague's note"), ('case_note', 'Note that moved a case on'), ('task_done', 'Task done'), ('approval_in_time', 'Approval decided in time'), ('case_resolved', 'Case resolved'), ('idea_promoted', 'Idea promoted from a customer'), ('idea_shipped', 'Idea shipped'), ('kudos', 'Kudos received'), ('praise', 'Praised by a customer')], max_length=20)),
                ('crossed', models.BooleanField(default=False)),
                ('span', models.CharField(choices=[('day', 'Day'), ('week', 'Week (from Monday)'), ('month', 'Month'), ('quarter', 'Quarter')], max_length=7)),
                ('start', models.DateField(help_text="The span's first day")),
                ('n', models.PositiveIntegerField(default=0)),
                ('member', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.membership')),
                ('workspace', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.workspace')),
            ],
            options={
                'indexes': [models.Index(fields=['workspace', 'span', 'start', 'member', 'team_id', 'kind', 'crossed', 'n'], name='tally_span')],
                'constraints': [models.UniqueConstraint(fields=('member', 'span', 'start', 'kind', 'crossed', 'team_id'), name='one_tally')],
            },
        ),
    ]
