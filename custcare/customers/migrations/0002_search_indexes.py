"""Indexes for customer search (custcare.customers.search).

PostgreSQL: the pg_trgm extension and GIN trigram indexes on person names and premise streets, so that
misspelt names are found through the index (the `%` and `<%` operators).

SQLite: an FTS5 external-content table with the trigram tokenizer over customers_personname.search_name,
padded with a space at both ends so that a word's first and last letters make trigrams at the start and
end of a name as they do between words (search reads only rowids from it, never the content), kept in
step with the table by triggers, so every write path (the services, bulk_create, raw SQL loaders)
is indexed without application code. Note for later migrations: when Django has to rebuild
customers_personname on SQLite (it copies the table to alter it), the triggers go with the old table;
such a migration must call `sqlite_fts_install` again (0007's since that migration).

Both: an index on the person's mailing house number, which the address search filters on.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS personname_search_trgm ON customers_personname USING gin (search_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS premise_street_trgm ON customers_premise USING gin (street_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_house_number_idx ON customers_person (house_number)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS personname_search_trgm",
    "DROP INDEX IF EXISTS premise_street_trgm",
    "DROP INDEX IF EXISTS person_house_number_idx",
]

FTS = "customers_personname_fts"
SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(
        search_name, content='customers_personname', content_rowid='id', tokenize='trigram'
    )""",
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON customers_personname BEGIN
        INSERT INTO {FTS}(rowid, search_name) VALUES (new.id, ' ' || new.search_name || ' ');
    END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON customers_personname BEGIN
        INSERT INTO {FTS}({FTS}, rowid, search_name) VALUES ('delete', old.id, ' ' || old.search_name || ' ');
    END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE OF search_name ON customers_personname BEGIN
        INSERT INTO {FTS}({FTS}, rowid, search_name) VALUES ('delete', old.id, ' ' || old.search_name || ' ');
        INSERT INTO {FTS}(rowid, search_name) VALUES (new.id, ' ' || new.search_name || ' ');
    END""",
    # Index the rows that exist already.
    f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')",
    f"INSERT INTO {FTS}(rowid, search_name) SELECT id, ' ' || search_name || ' ' FROM customers_personname",
    "CREATE INDEX IF NOT EXISTS person_house_number_idx ON customers_person (house_number)",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
    "DROP INDEX IF EXISTS person_house_number_idx",
]


def sqlite_fts_install(schema_editor):  # type: ignore[no-untyped-def]
    for sql in SQLITE_FORWARD:
        schema_editor.execute(sql)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)
    elif schema_editor.connection.vendor == "sqlite":
        sqlite_fts_install(schema_editor)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
