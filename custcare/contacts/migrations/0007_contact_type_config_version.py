"""A version number of the contact type configuration, changed by the database itself on every write.

`contact_type_config_get` keeps the configuration of the types it has read in the memory of each
process (every gunicorn worker, every batch process) and uses it while this number is the one it was
read with. Triggers on every table that configuration is read from set a new number in the writing
transaction, whatever writes (the admin site, the API, services, configuration import, fixtures, SQL by
hand): other processes see it when the change commits, and a change that is rolled back never comes
back. PostgreSQL takes the next value of a sequence (so a number is never used twice, even after a
rollback) once per statement; SQLite a random 64-bit number once per row.

The table has no model on purpose: test databases are emptied table by table for the models, and this
row must outlive that. On SQLite a migration that rebuilds one of these tables (most AlterField and
RemoveField operations do) drops its triggers: such a migration must call `triggers_create` again;
tests/contacts/test_config_cache.py checks that every table has them.
"""

from django.db import migrations

TABLES = [
    "contacts_contactclass",
    "contacts_characteristictype",
    "contacts_contacttype",
    "contacts_contacttypecharacteristic",
    "contacts_contacttypealgorithm",
    "algorithms_algorithm",
]

PG_FORWARD = [
    "CREATE SEQUENCE contacts_configversion_seq",
    "CREATE TABLE contacts_configversion (id integer PRIMARY KEY, value bigint NOT NULL)",
    "INSERT INTO contacts_configversion (id, value) VALUES (1, nextval('contacts_configversion_seq'))",
    """
    CREATE FUNCTION contacts_config_changed() RETURNS trigger AS $$
    BEGIN
        UPDATE contacts_configversion SET value = nextval('contacts_configversion_seq') WHERE id = 1;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
]
SQLITE_FORWARD = [
    "CREATE TABLE contacts_configversion (id integer PRIMARY KEY, value bigint NOT NULL)",
    "INSERT INTO contacts_configversion (id, value) VALUES (1, random())",
]


def triggers_create(schema_editor, tables=TABLES):
    """The triggers of each table (again, after a migration rebuilt a table on SQLite)."""
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in tables:
        if postgres:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_config_changed ON {table}")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION contacts_config_changed()"
            )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"{table}_config_changed_{event.lower()}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                " BEGIN UPDATE contacts_configversion SET value = random() WHERE id = 1; END"
            )


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in PG_FORWARD if postgres else SQLITE_FORWARD:
        schema_editor.execute(sql)
    triggers_create(schema_editor)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in TABLES:
        if postgres:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_config_changed ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_config_changed_{event}")
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS contacts_config_changed()")
    schema_editor.execute("DROP TABLE IF EXISTS contacts_configversion")
    if postgres:
        schema_editor.execute("DROP SEQUENCE IF EXISTS contacts_configversion_seq")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_remove_customercontact_cc_person_date_idx_and_more"),
        ("algorithms", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, backward)]
