"""PostgreSQL: the distinct search names, for customer search (custcare.customers.search).

`customers_searchname` holds each spelling of `customers_personname.search_name` once, with a GIN trigram
index. Name search matches and ranks these spellings (a million persons have about a quarter of a million;
the 28,000 names with the word "smith" have 3,300) and only then reads the persons of the best ones,
through the btree index on `customers_personname.search_name`, so a common name no longer means scoring
every name that has it.

Statement triggers on customers_personname add the spellings of the inserted or updated names (one
set-based insert per statement, from its transition table: a bulk load or COPY pays one statement per
batch rather than one per row), so every write path (the services, bulk_create, COPY in `custcare seed`,
raw SQL) keeps it complete without application code. Spellings are never removed: one whose names are
all gone matches no person and costs search only its own score; removing it on delete could race with a
concurrent insert of the same spelling and lose it.

SQLite is unchanged (its search uses the FTS5 index of migration 0002).
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE TABLE IF NOT EXISTS customers_searchname (search_name varchar(120) PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS searchname_trgm ON customers_searchname USING gin (search_name gin_trgm_ops)",
    """CREATE OR REPLACE FUNCTION customers_searchname_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO customers_searchname (search_name)
        SELECT DISTINCT search_name FROM changed_names ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$""",
    "DROP TRIGGER IF EXISTS personname_searchname_insert ON customers_personname",
    "DROP TRIGGER IF EXISTS personname_searchname_update ON customers_personname",
    """CREATE TRIGGER personname_searchname_insert AFTER INSERT ON customers_personname
    REFERENCING NEW TABLE AS changed_names FOR EACH STATEMENT EXECUTE FUNCTION customers_searchname_add()""",
    """CREATE TRIGGER personname_searchname_update AFTER UPDATE ON customers_personname
    REFERENCING NEW TABLE AS changed_names FOR EACH STATEMENT EXECUTE FUNCTION customers_searchname_add()""",
    """INSERT INTO customers_searchname (search_name)
    SELECT DISTINCT search_name FROM customers_personname ON CONFLICT DO NOTHING""",
    "ANALYZE customers_searchname",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS personname_searchname_insert ON customers_personname",
    "DROP TRIGGER IF EXISTS personname_searchname_update ON customers_personname",
    "DROP FUNCTION IF EXISTS customers_searchname_add()",
    "DROP TABLE IF EXISTS customers_searchname",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_indexes")]
    operations = [migrations.RunPython(forward, backward)]
