"""Fewer index entries per row on the tables every generated contact writes (event intake writes
thousands of rows a second into them): the foreign key's own index goes where a unique index that
begins with the same column serves its lookups, and on PostgreSQL the `varchar_pattern_ops` copies of
the id and code indexes (`..._like`) go: nothing searches ids or codes by prefix. Reversing leaves the
pattern indexes out (they serve nothing).
"""

import django.db.models.deletion
from django.db import migrations, models

from custcare.core.sql import pattern_indexes_drop


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    pattern_indexes_drop(
        schema_editor,
        {"contacts_customercontact": ["id", "contact_class_id"], "contacts_contactcharacteristic": ["char_type_id"]},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_contact_type_config_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contactcharacteristic",
            name="contact",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="characteristics",
                to="contacts.customercontact",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
