"""Fixtures for the batch operation tests: due reminders made in bulk, and the test database's URL for
the worker and CLI processes that the multi-process tests start."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from custcare.contacts.models import ContactLogEntry, ContactType, Reminder
from custcare.contacts.services import customer_contact_add
from custcare.todo.models import ToDoRole

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[2]

on_postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: several processes share the test database, which SQLite's in-memory test database "
    "cannot do; this test runs in the PostgreSQL pass",
)


def reminders_bulk(csr: Any, customer: dict[str, Any], n: int, *, trigger: dt.date = TODAY) -> list[int]:
    """n pending reminders for the CSR-FOLLOWUP role on one contact, inserted in two statements."""
    ctype = ContactType.objects.get(contact_class_id="INQ", type_code="PAYARR")
    contact = customer_contact_add(
        user=csr,
        contact_type_id=ctype.id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
    )
    logs = ContactLogEntry.objects.bulk_create(
        ContactLogEntry(contact=contact, user=csr, comment=f"call back {i}") for i in range(n)
    )
    role = ToDoRole.objects.get(code="CSR-FOLLOWUP")
    made = Reminder.objects.bulk_create(
        Reminder(
            contact=contact, log_entry=log, trigger_date=trigger, comment=log.comment, send_to_role=role, created_by=csr
        )
        for log in logs
    )
    return [r.pk for r in made]


def process_env(**extra: str) -> dict[str, str]:
    """The environment for a `custcare` subprocess working on this test run's database."""
    db = settings.DATABASES["default"]
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "CUSTCARE_DATABASE_URL": url, "PYTHONUNBUFFERED": "1", **extra}


def custcare_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    fh = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "custcare.manage", *args], env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT
    )
