"""Full-text search over posts: FTS5 with sync triggers on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations


def install(apps, schema_editor):
    from rapport.listening import search

    search.install(schema_editor)


def uninstall(apps, schema_editor):
    from rapport.listening import search

    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("listening", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
