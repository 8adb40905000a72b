"""Two users pressing "Take next" at the same moment get different entries, and the second does not
wait for the first: on PostgreSQL the claimed row is locked with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from custcare.todo.models import ToDoEntry
from custcare.todo.services import todo_take_next
from tests.todo.conftest import entry_make


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL; SQLite has one writer")
def test_two_users_taking_at_once_get_different_entries_without_waiting(transactional_db, worker, colleague):
    first, second = entry_make(priority=1), entry_make(priority=2)
    entry_make(priority=3)
    User = get_user_model()
    claimed_by_a = threading.Event()
    b_finished = threading.Event()
    got: dict[str, str | None] = {}
    errors: list[BaseException] = []

    def user_a() -> None:
        try:
            with transaction.atomic():  # holds the lock on its entry until B has taken one
                entry = todo_take_next(user=User.objects.get(username="csr1"))
                got["a"] = entry.pk if entry else None
                claimed_by_a.set()
                got["b_done_while_a_open"] = "yes" if b_finished.wait(timeout=10) else "no"
        except BaseException as exc:
            errors.append(exc)
            claimed_by_a.set()
        finally:
            connection.close()

    def user_b() -> None:
        try:
            claimed_by_a.wait(timeout=10)
            entry = todo_take_next(user=User.objects.get(username="csr2"))
            got["b"] = entry.pk if entry else None
            b_finished.set()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=user_a), threading.Thread(target=user_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert (got["a"], got["b"]) == (first.pk, second.pk)
    assert got["b_done_while_a_open"] == "yes"
    owners = dict(ToDoEntry.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "assigned_to__username"))
    assert owners == {first.pk: "csr1", second.pk: "csr2"}


def test_take_next_claims_only_open_entries(worker, colleague):
    """The conditional claim: an entry someone took meanwhile is never taken a second time."""
    entry = entry_make(priority=1)
    other = entry_make(priority=2)
    ToDoEntry.objects.filter(pk=entry.pk).update(status=ToDoEntry.Status.BEING_WORKED_ON, assigned_to=colleague)
    assert todo_take_next(user=worker) == other
    assert ToDoEntry.objects.get(pk=entry.pk).assigned_to == colleague
    assert todo_take_next(user=worker) is None
