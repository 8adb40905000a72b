"""The remark's own field-activity index goes (the unique (field_activity, remark_type) index serves
those lookups) and, on PostgreSQL, the pattern-ops copies of the field activity and remark id and code
indexes: fewer index entries per generated contact, as in contacts 0008 (see there)."""

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
