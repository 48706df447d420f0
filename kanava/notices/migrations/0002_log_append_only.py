"""The proof log is append-only in the database itself: UPDATE is refused (as for the audit log).

DELETE is left alone so that deleting an organisation still cascades.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER notices_noticelog_no_update BEFORE UPDATE ON notices_noticelog "
            "BEGIN SELECT RAISE(ABORT, 'the notice proof log is append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION notices_noticelog_refuse() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the notice proof log is append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER notices_noticelog_no_update BEFORE UPDATE ON notices_noticelog "
            "FOR EACH ROW EXECUTE FUNCTION notices_noticelog_refuse();"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS notices_noticelog_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS notices_noticelog_no_update ON notices_noticelog;")
        schema_editor.execute("DROP FUNCTION IF EXISTS notices_noticelog_refuse();")


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
