"""The id counter (a sequence on PostgreSQL, a row on SQLite) and triggers that keep the audit
trail append-only on both databases."""

from django.db import migrations

PG_FORWARD = [
    "CREATE SEQUENCE IF NOT EXISTS custcare_id_seq START 1000 INCREMENT 100",
    """
    CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The audit trail is append-only: %% is not allowed', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_audit_append_only()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_audit_append_only()",
    "DROP SEQUENCE IF EXISTS custcare_id_seq",
]
SQLITE_FORWARD = [
    "INSERT INTO core_idcounter (name, value) VALUES ('cis', 1000)",
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE is not allowed'); END
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE is not allowed'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    "DELETE FROM core_idcounter WHERE name = 'cis'",
]


def forward(apps, schema_editor):
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
