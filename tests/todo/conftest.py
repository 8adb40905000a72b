"""To Do fixtures: the starter configuration with the To Do algorithms, role members and entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from custcare.core.models import AuditEntry
from custcare.demo.reference import user_with_role_ensure
from custcare.security import roles
from custcare.todo.models import SkillType, ToDoEntry, ToDoLog, ToDoRoleUser, ToDoTypeSkill, UserSkill
from custcare.todo.services import todo_reference_load
from tests.conftest import PASSWORD

ROLE = "CSR-FOLLOWUP"


@pytest.fixture
def todo_config(reference: None) -> None:
    todo_reference_load()


def member(user: Any, role: str = ROLE, supervisor: bool = False) -> Any:
    ToDoRoleUser.objects.update_or_create(role_id=role, user=user, defaults={"is_supervisor": supervisor})
    return user


@pytest.fixture
def worker(csr: Any, todo_config: None) -> Any:
    """csr1, a member of CSR-FOLLOWUP (sees RES and COM accounts)."""
    return member(csr)


@pytest.fixture
def colleague(todo_config: None) -> Any:
    user = user_with_role_ensure(username="csr2", role=roles.CSR, password=PASSWORD, access_groups=("RES", "COM"))
    return member(user)


@pytest.fixture
def outsider(todo_config: None) -> Any:
    """A CSR in no To Do role."""
    return user_with_role_ensure(username="csr9", role=roles.CSR, password=PASSWORD, access_groups=("RES", "COM"))


@pytest.fixture
def lead(todo_config: None) -> Any:
    """A CSR who supervises the CSR-FOLLOWUP role (not the global Supervisor role)."""
    user = user_with_role_ensure(username="lead1", role=roles.CSR, password=PASSWORD, access_groups=("RES", "COM"))
    return member(user, supervisor=True)


def entry_make(
    *,
    role: str = ROLE,
    todo_type: str = "TD-CCCB",
    priority: int = 50,
    age: dt.timedelta = dt.timedelta(hours=1),
    message: str = "call back",
    assigned_to: Any = None,
    **fields: Any,
) -> ToDoEntry:
    return ToDoEntry.objects.create(
        todo_type_id=todo_type,
        role_id=role,
        priority=priority,
        created_at=timezone.now() - age,
        message=message,
        assigned_to=assigned_to,
        status=ToDoEntry.Status.BEING_WORKED_ON if assigned_to else ToDoEntry.Status.OPEN,
        assigned_at=timezone.now() if assigned_to else None,
        **fields,
    )


def require_skill(todo_type: str, skill: str, level: int) -> None:
    ToDoTypeSkill.objects.create(todo_type_id=todo_type, skill=SkillType.objects.get(code=skill), min_level=level)


def give_skill(user: Any, skill: str, level: int) -> None:
    UserSkill.objects.update_or_create(user=user, skill_id=skill, defaults={"level": level})


def state(entry: ToDoEntry) -> tuple[Any, ...]:
    """What a refusal must leave unchanged: the entry's row, its log and the audit trail."""
    e = ToDoEntry.objects.get(pk=entry.pk)
    return (
        e.status,
        e.role_id,
        e.assigned_to_id,
        e.priority,
        e.sent_by_id,
        e.completed_at,
        ToDoLog.objects.filter(entry=e).count(),
        AuditEntry.objects.count(),
    )
