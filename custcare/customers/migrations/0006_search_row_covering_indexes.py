"""Covering indexes on PostgreSQL for the person, account and premise values a search result row shows.

A name search that fills its 300 rows reads each person's name and address, its accounts (access group,
customer class, bill cycle, mailing premise) and the premises' addresses. Through the primary keys each
is an index page and a table page, mostly not in PostgreSQL's buffer cache for a random caller; with the
values carried in an index on the id (INCLUDE), the table page is not read (index-only scans, given the
visibility map autovacuum keeps). On the benchmark's million persons with stock server settings, search
by name went from 56.9 to 44.5 ms at the 95th percentile (bench/RESULTS.md). The indexes take about a
quarter of the space of their tables. SQLite reads its small database from memory and has no INCLUDE:
nothing changes there.
"""

from django.db import migrations

INDEXES = {
    "person_search_cover": "customers_person (id) INCLUDE"
    " (primary_name, kind, house_number, street, address2, city, state, postal_code, country)",
    "account_search_cover": "customers_account (id) INCLUDE"
    " (access_group_id, customer_class_id, bill_cycle, mailing_premise_id)",
    "premise_search_cover": "customers_premise (id) INCLUDE"
    " (house_number, street, address2, city, state, postal_code, country)",
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_search_covering_indexes")]
    operations = [migrations.RunPython(forward, backward)]
