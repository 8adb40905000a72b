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
        {
            "fieldwork_fieldactivity": ["id", "premise_id", "fa_type_id"],
            "fieldwork_fieldactivityremark": ["remark_type_id"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0004_remove_fieldactivity_fa_account_completed_idx_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fieldactivityremark",
            name="field_activity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="remarks",
                to="fieldwork.fieldactivity",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
