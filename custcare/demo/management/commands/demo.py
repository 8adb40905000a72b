"""`custcare demo`: everything `make demo` needs, safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from custcare.customers.models import Person
from custcare.demo.central_demo import central_demo_load
from custcare.demo.demo_customers import demo_customers_create
from custcare.demo.reference import DEMO_USERS, demo_users_ensure, reference_data_load
from custcare.demo.seed import seed_load

DEMO_PERSONS = 2_000
DEMO_SEED = 2026
BASE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Load the starter configuration and the demo users, then (only if no person exists yet) a generated demo "
        "data set and a few hand-made customers for the guides. Safe to run again: a second run keeps the data and "
        "prints the same logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons", type=int, default=DEMO_PERSONS, help=f"Generated persons (default {DEMO_PERSONS})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 0
        say = self.stdout.write if verbose else (lambda *a, **k: None)
        say("Loading the starter configuration and the demo users...")
        reference_data_load()
        demo_users_ensure()
        if Person.objects.exists():
            say("Customer data is already loaded; keeping it.")
        else:
            say(f"Loading the demo data set ({options['persons']:,} generated persons)...")
            result = seed_load(persons=options["persons"], seed=DEMO_SEED, progress=verbose)
            made = demo_customers_create()
            say(
                self.style.SUCCESS(
                    f"Loaded {result.persons + len(made):,} persons, {result.accounts:,} accounts and "
                    f"{result.contacts:,} contacts, including the guides' customers: {'; '.join(made)}."
                )
            )
        say("Loading the billing, collection and workflow records Control Central shows...")
        say(f"  {central_demo_load():,} accounts have them.")
        self._print_logins()

    def _print_logins(self) -> None:
        rows = [("Username", "Role", "Password"), *((u.username, u.role, u.password) for u in DEMO_USERS)]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        line = "-+-".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for i, row in enumerate(rows):
            self.stdout.write(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"CSR UI:    {BASE_URL}/")
        self.stdout.write(f"API docs:  {BASE_URL}/api/v1/docs")
        self.stdout.write(f"Admin:     {BASE_URL}/admin/")
