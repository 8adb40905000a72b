"""SQLite: the FTS5 trigram index marks where each word of a name starts.

Migration 0002 indexed each search name padded with a space at both ends (' katherine sanders '). A
name search's second step needs the names with a word beginning with each first letter the caller typed,
among those sharing any trigram with the query; a first letter alone made no trigram, so that step asked
FTS5 for every name sharing any trigram, ranked them all by bm25 (tens of thousands of names on a large
customer base, 40–70 ms) and checked the initials on the best 2,000 in Python. The index now holds each
word behind a '#' (' #katherine #sanders '): ' #k' is a trigram that only names with a word beginning
with 'k' have, so the step's FTS5 query requires the initials and ranks only the names that have them.
Search builds its FTS5 queries to match (custcare.customers.search.fts_query). '#' is never part of a
search name (search names hold letters, digits and single spaces: custcare.customers.normalize.text_key).

Like 0002's, the triggers go with the table when Django rebuilds customers_personname on SQLite: a later
migration that does so must call `sqlite_fts_install` from here again. PostgreSQL: nothing changes.
"""

from django.db import migrations

FTS = "customers_personname_fts"
# The indexed text of a search name, in SQL: ' #word1 #word2 '.
INDEXED = "' #' || replace({col}, ' ', ' #') || ' '"
OLD_INDEXED = "' ' || {col} || ' '"


def _install(schema_editor, indexed: str) -> None:  # type: ignore[no-untyped-def]
    new, old = indexed.format(col="new.search_name"), indexed.format(col="old.search_name")
    for sql in (
        f"DROP TRIGGER IF EXISTS {FTS}_ai",
        f"DROP TRIGGER IF EXISTS {FTS}_ad",
        f"DROP TRIGGER IF EXISTS {FTS}_au",
        f"DROP TABLE IF EXISTS {FTS}",
        f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
            search_name, content='customers_personname', content_rowid='id', tokenize='trigram'
        )""",
        f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON customers_personname BEGIN
            INSERT INTO {FTS}(rowid, search_name) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON customers_personname BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_name) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER {FTS}_au AFTER UPDATE OF search_name ON customers_personname BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_name) VALUES ('delete', old.id, {old});
            INSERT INTO {FTS}(rowid, search_name) VALUES (new.id, {new});
        END""",
        f"INSERT INTO {FTS}(rowid, search_name) SELECT id, {indexed.format(col='search_name')}"
        " FROM customers_personname",
    ):
        schema_editor.execute(sql)


def sqlite_fts_install(schema_editor):  # type: ignore[no-untyped-def]
    """(Re)create the FTS5 index of the search names and its triggers, and index the existing names."""
    _install(schema_editor, INDEXED)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        sqlite_fts_install(schema_editor)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        _install(schema_editor, OLD_INDEXED)


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_search_row_covering_indexes")]

    operations = [migrations.RunPython(forward, backward)]
