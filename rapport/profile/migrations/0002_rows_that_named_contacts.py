# Written by hand: the rows that named TimelineEntry or the suggestion rules' schedule under
# contacts name the profile app now.
# - a MergeRecord keeps the ids a merge moved under "<app>.<model>.<field>", and unmerging a
#   merge made before the move looks the model up by that label;
# - the content type keeps its id (and so do the permissions pointing at it);
# - the scheduled refresh of the suggestion rules keeps its next run.

from django.db import migrations


def move(apps, old, new):
    """Renames what says `old` (an app label) to say `new`."""
    MergeRecord = apps.get_model('contacts', 'MergeRecord')
    old_key, new_key = f'{old}.timelineentry.contact', f'{new}.timelineentry.contact'
    for merge in MergeRecord.objects.filter(moved__has_key=old_key).only('pk', 'moved'):
        merge.moved = {new_key if k == old_key else k: ids for k, ids in merge.moved.items()}
        merge.save(update_fields=['moved'])
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if not ContentType.objects.filter(app_label=new, model='timelineentry').exists():
        ContentType.objects.filter(app_label=old, model='timelineentry').update(app_label=new)
    Schedule = apps.get_model('core', 'Schedule')
    if not Schedule.objects.filter(name=f'{new}.suggestion_rules').exists():
        Schedule.objects.filter(name=f'{old}.suggestion_rules').update(
            name=f'{new}.suggestion_rules'
        )


def forwards(apps, schema_editor):
    move(apps, 'contacts', 'profile')


def backwards(apps, schema_editor):
    move(apps, 'profile', 'contacts')


class Migration(migrations.Migration):

    dependencies = [
        ('profile', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_schedule'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
