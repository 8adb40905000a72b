"""Fixtures shared by every test: the starter configuration and one user per role."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models.signals import post_migrate
from django.test import Client

from custcare.demo.reference import reference_data_load, user_with_role_ensure
from custcare.security import roles
from tests.factories import account_make, person_make, premise_make

PASSWORD = "test-pass-2026"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sqlite_restore_after_flush(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After pytest-django empties the database (tests with real commits): put back what migrations
    made and the flush removed on SQLite — the id counter row and the audit trail's no-delete trigger."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or sender.label != "core":
        return
    migration = importlib.import_module("custcare.core.migrations.0002_id_sequence_and_append_only_audit")
    create = next(sql for sql in migration.SQLITE_FORWARD if "core_auditentry_no_delete" in sql)
    with connection.cursor() as cur:
        cur.execute("INSERT OR IGNORE INTO core_idcounter (name, value) VALUES ('cis', 1000)")
        cur.execute(create.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


post_migrate.connect(_sqlite_restore_after_flush, dispatch_uid="custcare-tests-sqlite-restore-after-flush")


@pytest.fixture(autouse=True)
def _audit_trail_flushable(request: Any) -> Iterator[None]:
    """Tests with real commits end with pytest-django emptying every table. PostgreSQL's TRUNCATE passes
    the audit trail's append-only trigger; SQLite's DELETE does not, so on SQLite the no-delete trigger is
    lifted for that flush only (the flush's post_migrate signal puts it back). Requesting the
    transactional fixture from here orders this teardown before the flush."""
    uses_commits = {"transactional_db", "live_server"} & set(request.fixturenames) or any(
        m.kwargs.get("transaction") for m in request.node.iter_markers("django_db")
    )
    if not uses_commits:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")


@pytest.fixture
def reference(db: Any) -> None:
    reference_data_load()


def _user(username: str, role: str, groups: tuple[str, ...]) -> Any:
    return user_with_role_ensure(username=username, role=role, password=PASSWORD, access_groups=groups)


@pytest.fixture
def csr(reference: None) -> Any:
    """A CSR who sees residential and commercial customers, not the restricted VIP group."""
    return _user("csr1", roles.CSR, ("RES", "COM"))


@pytest.fixture
def csr_commercial(reference: None) -> Any:
    return _user("csr-com", roles.CSR, ("COM",))


@pytest.fixture
def supervisor(reference: None) -> Any:
    return _user("super1", roles.SUPERVISOR, ("RES", "COM", "VIP"))


@pytest.fixture
def admin_user(reference: None) -> Any:
    return _user("admin1", roles.ADMINISTRATOR, ("RES", "COM", "VIP"))


@pytest.fixture
def batch_operator(reference: None) -> Any:
    return _user("batch1", roles.BATCH_OPERATOR, ("RES",))


@pytest.fixture
def integrator(reference: None) -> Any:
    return _user("integ1", roles.INTEGRATOR, ("RES", "COM"))


@pytest.fixture
def customer(csr: Any) -> dict[str, Any]:
    """Maria Rivera: a residential customer with an account, a premise and an active electric SA."""
    person = person_make(csr, identifier=("TAXID", "123-45-6789"))
    premise = premise_make(csr)
    account = account_make(csr, person, premise=premise)
    return {"person": person, "account": account, "premise": premise}


def api_token(client: Client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, username: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token(self.client, username)}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(path, data, content_type="application/json", headers=self.headers)

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(path, data, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(path, data, content_type="application/json", headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api_as() -> Any:
    """api_as(user) -> an ApiClient signed in as that user."""
    return lambda user: ApiClient(user.username)
