"""`custcare seed`: generate a realistic, reproducible customer base in bulk."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from custcare.demo.seed import seed_load


class Command(BaseCommand):
    help = (
        "Generate persons (individuals and businesses) with phones, emails, identifiers, premises, accounts, "
        "service agreements and customer contacts, loaded in bulk. The same --seed gives the same data. "
        "Each run ADDS --persons more persons: it does not replace or skip data already loaded "
        "(use 'custcare demo' for an idempotent demo set). Needs the reference data (custcare demo loads it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, required=True, help="How many persons to add.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--batch",
            type=int,
            default=None,
            help="Persons per batch: each is one transaction, unless the indexes are rebuilt (default 10000; "
            "50000 when rebuilding).",
        )
        parser.add_argument(
            "--access-groups",
            default="RES,COM",
            help="Comma-separated access groups for the accounts (default RES,COM): individuals go to RES, "
            "businesses to COM, other groups listed get about 2%% of the accounts.",
        )
        parser.add_argument(
            "--contacts-per-person", type=float, default=2, help="Average customer contacts per person (default 2)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")
        indexes = parser.add_mutually_exclusive_group()
        indexes.add_argument(
            "--rebuild-indexes",
            dest="rebuild_indexes",
            action="store_const",
            const=True,
            default=None,
            help="PostgreSQL: load in one transaction with the loaded tables' secondary indexes, unique "
            "constraints and foreign keys dropped, then recreate them. Default: only when adding at least "
            "100,000 persons to a database with fewer persons than that. Ignored on SQLite.",
        )
        indexes.add_argument(
            "--keep-indexes",
            dest="rebuild_indexes",
            action="store_const",
            const=False,
            help="PostgreSQL: never drop the indexes; commit batch by batch.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        groups = [g.strip() for g in options["access_groups"].split(",") if g.strip()]
        try:
            result = seed_load(
                persons=options["persons"],
                seed=options["seed"],
                batch_size=options["batch"],
                access_groups=groups,
                contacts_per_person=options["contacts_per_person"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
                rebuild_indexes=options["rebuild_indexes"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rate = result.persons / result.seconds if result.seconds else 0
        if options["verbosity"] > 0:
            counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts().items())
            rebuilt = (
                f", of which {result.rebuild_seconds:.1f} s recreating {result.rebuilt} indexes and constraints"
                if result.rebuilt
                else ""
            )
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {counts} in {result.seconds:.1f} s{rebuilt} ({rate:,.0f} persons/s).")
            )
