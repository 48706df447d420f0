"""One host name, one organisation.

Before the constraint, host names are normalised (trimmed, lower case, as the
settings form stores them) and a host that several organisations claim stays
with the one that has had it longest (lowest id); the others lose it and fall
back to ``SITE_URL`` links until a lead sets their own host again.
"""

import django.db.models.functions.text
from django.db import migrations, models


def release_duplicate_hosts(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    seen = set()
    for organisation in Organisation.objects.exclude(site_domain="").order_by("id"):
        host = organisation.site_domain.strip().lower()
        organisation.site_domain = "" if host in seen else host
        seen.add(host)
        organisation.save(update_fields=["site_domain"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_audit_append_only'),
    ]

    operations = [
        migrations.RunPython(release_duplicate_hosts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower('site_domain'),
                condition=models.Q(('site_domain', ''), _negated=True),
                name='unique_organisation_site_domain',
            ),
        ),
    ]
