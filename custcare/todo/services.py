"""Writes on To Do entries: create, take next, assign, forward, send back, note, complete, bulk work and
priority. Every change runs in one transaction, locks the entry first, appends a ToDoLog row and an audit
entry; a refusal raises a custcare.core.errors error and changes nothing. Completed entries are kept
and never change again.

Who may work an entry: members of its role, its assignee, and supervisors (the Supervisor role, or a
supervisor of the entry's To Do role). Bulk work and priority changes are for supervisors only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_instance
from custcare.core.audit import audit_record, audit_snapshot
from custcare.core.errors import AccessDenied, Conflict, DomainError, NotFound, ValidationFailed
from custcare.customers.models import sees_everything, user_access_group_ids
from custcare.security import roles
from custcare.todo.algorithms import RequiredSkill
from custcare.todo.models import ToDoEntry, ToDoLog, ToDoRole, ToDoRoleUser, ToDoType, ToDoTypeSkill, UserSkill

Status = ToDoEntry.Status


class AssignmentWarnings(Conflict):
    """The type's assignment algorithm warned (for example a missing skill). Nothing was changed; the
    caller repeats the request with override=True to go ahead, and the override is audited."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("Confirm the assignment: " + " ".join(warnings), {"override": warnings})
        self.warnings = warnings


@dataclass
class BulkResult:
    """Bulk actions commit each entry on its own: what was done and why the others were refused."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


# Who may do what


def role_memberships(user: Any) -> dict[str, bool]:
    """The user's To Do roles, each with whether the user supervises it (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    return dict(ToDoRoleUser.objects.filter(user=user).values_list("role_id", "is_supervisor"))


def is_global_supervisor(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or roles.SUPERVISOR in roles.user_roles(user)


def supervises(user: Any, role_id: str, memberships: dict[str, bool]) -> bool:
    return is_global_supervisor(user) or memberships.get(role_id, False)


def may_work(user: Any, entry: ToDoEntry, memberships: dict[str, bool]) -> bool:
    return entry.assigned_to_id == user.pk or entry.role_id in memberships or is_global_supervisor(user)


def visible_entries(user: Any) -> QuerySet[ToDoEntry]:
    """Entries whose account (when they have one) is in the user's access groups."""
    qs = ToDoEntry.objects.all()
    if sees_everything(user):
        return qs
    return qs.filter(Q(account__isnull=True) | Q(account__access_group_id__in=user_access_group_ids(user)))


def _active_user(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise AccessDenied("Sign in to work To Do entries.")


def _locked(entry_id: str, user: Any) -> ToDoEntry:
    qs = visible_entries(user).filter(pk=entry_id).select_related("todo_type")
    entry = qs.select_for_update(of=("self",)).first()
    if entry is None:
        raise NotFound(f"No To Do entry {entry_id} that you may see.")
    return entry


def _workable(entry: ToDoEntry, user: Any, memberships: dict[str, bool]) -> None:
    if entry.status == Status.COMPLETE:
        raise Conflict(f"To Do {entry.id} is complete; completed entries are kept as they are.")
    if not may_work(user, entry, memberships):
        raise AccessDenied(
            f"To Do {entry.id} belongs to role {entry.role_id}; only its members, its assignee and supervisors work it."
        )


def _record(
    entry: ToDoEntry,
    *,
    user: Any,
    action: str,
    before: dict[str, Any] | None,
    comment: str = "",
    details: dict[str, Any] | None = None,
    summary: str = "",
) -> None:
    ToDoLog.objects.create(entry=entry, user=user, action=action, comment=comment, details=details or {})
    audit_record(entity=entry, action=f"todo-{action}", user=user, before=before, summary=summary or comment)


# Assignment checks


def required_skills(todo_type_id: str) -> list[RequiredSkill]:
    return [
        RequiredSkill(skill, level)
        for skill, level in ToDoTypeSkill.objects.filter(todo_type_id=todo_type_id)
        .order_by("skill_id")
        .values_list("skill_id", "min_level")
    ]


def assignment_warnings(*, todo_type: ToDoType, assignee: Any) -> list[str]:
    """What the type's assignment algorithm (CI_VAL-SKILL) says about giving an entry to `assignee`."""
    if todo_type.assignment_algorithm_id is None:
        return []
    algorithm = Algorithm.objects.get(pk=todo_type.assignment_algorithm_id)
    levels = dict(UserSkill.objects.filter(user=assignee).values_list("skill_id", "level"))
    warnings = algorithm_instance(algorithm).run(
        required=required_skills(todo_type.pk), user_levels=levels, user_name=assignee.get_username()
    )
    return list(warnings or [])


def _assignee(ref: int | str | None) -> Any:
    """The user named by id (int) or username (str); must be active."""
    User = get_user_model()
    if isinstance(ref, int):
        assignee = User.objects.filter(pk=ref).first()
    else:
        assignee = User.objects.filter(username=ref).first() if ref else None
    if assignee is None or not assignee.is_active:
        raise ValidationFailed("Choose an active user.", {"user": [f"No active user '{ref}'."]})
    return assignee


def _give_to_user(
    entry: ToDoEntry, *, assignee: Any, user: Any, override: bool, action: str, comment: str = ""
) -> ToDoEntry:
    warnings = assignment_warnings(todo_type=entry.todo_type, assignee=assignee)
    if warnings and not override:
        raise AssignmentWarnings(warnings)
    before = audit_snapshot(entry)
    entry.status = Status.BEING_WORKED_ON
    entry.assigned_to = assignee
    entry.assigned_at = timezone.now()
    if assignee.pk != user.pk:
        entry.sent_by = user
    entry.save(update_fields=["status", "assigned_to", "assigned_at", "sent_by"])
    details: dict[str, Any] = {"to_user": assignee.get_username()}
    summary = comment
    if warnings:
        details.update(override=True, warnings=warnings)
        summary = f"override of warnings: {' '.join(warnings)}"
    _record(entry, user=user, action=action, before=before, comment=comment, details=details, summary=summary)
    return entry


def _give_to_role(entry: ToDoEntry, *, role: ToDoRole, user: Any, action: str, comment: str = "") -> ToDoEntry:
    allowed = set(entry.todo_type.allowed_roles.values_list("code", flat=True))
    if allowed and role.code not in allowed and role.code != entry.todo_type.default_role_id:
        raise ValidationFailed(
            f"To Do type {entry.todo_type_id} is not handled by role {role.code}.",
            {"role": [f"Choose one of: {', '.join(sorted(allowed))}."]},
        )
    before = audit_snapshot(entry)
    entry.role = role
    entry.status = Status.OPEN
    entry.assigned_to = None
    entry.assigned_at = None
    entry.sent_by = user
    entry.save(update_fields=["role", "status", "assigned_to", "assigned_at", "sent_by"])
    _record(entry, user=user, action=action, before=before, comment=comment, details={"to_role": role.code})
    return entry


def _role(code: str | None) -> ToDoRole:
    role = ToDoRole.objects.filter(pk=code).first() if code else None
    if role is None:
        raise ValidationFailed("Choose a To Do role.", {"role": [f"No To Do role '{code}'."]})
    return role


# Services


@transaction.atomic
def todo_create(
    *,
    todo_type_code: str,
    user: Any,
    comment: str,
    role_code: str | None = None,
    assign_to: int | str | None = None,
    contact_id: str | None = None,
    person_id: str | None = None,
    account_id: str | None = None,
    priority: int | None = None,
    override: bool = False,
) -> ToDoEntry:
    """A To Do a user creates by hand (a type of manual usage), for a role or a user, linked to what
    it is about. The links must be records the creator may see."""
    from custcare.contacts.selectors import contact_get
    from custcare.customers.selectors import account_get, person_get

    roles.require(user, "contact.write")
    errors: dict[str, list[str]] = {}
    todo_type = ToDoType.objects.filter(pk=todo_type_code).first()
    if todo_type is None:
        errors["todo_type"] = [f"No To Do type '{todo_type_code}'."]
    elif todo_type.usage != ToDoType.Usage.MANUAL:
        errors["todo_type"] = [f"To Do type {todo_type.code} is created by the system, not by hand."]
    if not (comment or "").strip():
        errors["comment"] = ["Say what is to be done."]
    if priority is not None and not 1 <= priority <= 100:
        errors["priority"] = ["Priority runs from 1 (highest) to 100 (lowest)."]
    if errors:
        raise ValidationFailed("The To Do was not created; correct the fields shown.", errors)
    assert todo_type is not None
    contact = contact_get(contact_id=contact_id, user=user) if contact_id else None
    person_id = person_id or (contact.person_id if contact else None)
    account_id = account_id or (contact.account_id if contact else None)
    person = person_get(person_id=person_id, user=user) if person_id else None
    account = account_get(account_id=account_id, user=user) if account_id else None
    role = _role(role_code) if role_code else todo_type.default_role
    allowed = set(todo_type.allowed_roles.values_list("code", flat=True)) | {todo_type.default_role_id}
    if role.code not in allowed:
        raise ValidationFailed(
            f"To Do type {todo_type.code} is not handled by role {role.code}.",
            {"role": [f"Choose one of: {', '.join(sorted(allowed))}."]},
        )
    entry = ToDoEntry(
        todo_type=todo_type,
        role=role,
        priority=priority or todo_type.default_priority,
        message=comment.strip()[:250],
        contact=contact,
        person=person,
        account=account,
        created_by=user,
    )
    entry.save()
    _record(entry, user=user, action="create", before=None, comment=comment.strip(), details={"role": role.code})
    if assign_to is not None:
        _give_to_user(entry, assignee=_assignee(assign_to), user=user, override=override, action="assign")
    return entry


def _eligible(user: Any, role_ids: list[str]) -> QuerySet[ToDoEntry]:
    """Open entries of the user's roles whose type's required skills the user has, best first."""
    levels = dict(UserSkill.objects.filter(user=user).values_list("skill_id", "level"))
    lacking = {
        type_id
        for type_id, skill, min_level in ToDoTypeSkill.objects.values_list("todo_type_id", "skill_id", "min_level")
        if levels.get(skill, 0) < min_level
    }
    qs = visible_entries(user).filter(role_id__in=role_ids, status=Status.OPEN)
    if lacking:
        qs = qs.exclude(todo_type_id__in=lacking)
    return qs.order_by("priority", "created_at", "id")


def todo_take_next(*, user: Any) -> ToDoEntry | None:
    """ "Next assignment": the highest-priority, oldest Open entry of the user's roles that the user has
    the skills for, now Being Worked On by the user. None when there is nothing to take.

    Two users pressing the button at once get different entries: on PostgreSQL the candidate row is
    locked with FOR UPDATE SKIP LOCKED, so the second user skips to the next one; on SQLite (one writer
    at a time) the claim is a conditional UPDATE that succeeds only while the entry is still Open."""
    _active_user(user)
    role_ids = list(role_memberships(user))
    if not role_ids:
        return None
    candidates = _eligible(user, role_ids)
    for _attempt in range(5):
        with transaction.atomic():
            now = timezone.now()
            entry: ToDoEntry | None = None
            if connection.vendor == "postgresql":
                entry = candidates.select_for_update(skip_locked=True, of=("self",)).first()
                if entry is None:
                    return None
                before = audit_snapshot(entry)
                entry.status, entry.assigned_to, entry.assigned_at = Status.BEING_WORKED_ON, user, now
                entry.save(update_fields=["status", "assigned_to", "assigned_at"])
            else:
                ids = list(candidates.values_list("id", flat=True)[:10])
                if not ids:
                    return None
                for entry_id in ids:
                    claimed = ToDoEntry.objects.filter(pk=entry_id, status=Status.OPEN).update(
                        status=Status.BEING_WORKED_ON, assigned_to=user, assigned_at=now
                    )
                    if claimed:
                        entry = ToDoEntry.objects.select_related("todo_type").get(pk=entry_id)
                        break
                if entry is None:
                    continue
                before = {**audit_snapshot(entry), "status": Status.OPEN, "assigned_to_id": None, "assigned_at": None}
            _record(entry, user=user, action="take", before=before, details={"to_user": user.get_username()})
            return entry
    return None


@transaction.atomic
def todo_assign(
    *, entry_id: str, assignee: int | str, user: Any, override: bool = False, comment: str = ""
) -> ToDoEntry:
    """Give the entry to a user (Being Worked On). Warnings of the type's assignment algorithm refuse it
    (AssignmentWarnings) unless override=True; an override is recorded with the warnings."""
    _active_user(user)
    entry = _locked(entry_id, user)
    _workable(entry, user, role_memberships(user))
    return _give_to_user(
        entry, assignee=_assignee(assignee), user=user, override=override, action="assign", comment=comment
    )


@transaction.atomic
def todo_forward(
    *,
    entry_id: str,
    user: Any,
    role_code: str | None = None,
    to_user: int | str | None = None,
    override: bool = False,
    comment: str = "",
) -> ToDoEntry:
    """Forward to a role (Open again, unassigned) or to a user (like assign)."""
    _active_user(user)
    if (role_code is None) == (to_user is None):
        raise ValidationFailed("Forward to a role or to a user.", {"role": ["Name a role or a user, not both."]})
    entry = _locked(entry_id, user)
    _workable(entry, user, role_memberships(user))
    if role_code is not None:
        return _give_to_role(entry, role=_role(role_code), user=user, action="forward", comment=comment)
    assignee = _assignee(to_user)
    return _give_to_user(entry, assignee=assignee, user=user, override=override, action="forward", comment=comment)


@transaction.atomic
def todo_send_back(*, entry_id: str, user: Any, comment: str = "") -> ToDoEntry:
    """Return the entry to whoever forwarded it (when that was someone else) or else to its role."""
    _active_user(user)
    entry = _locked(entry_id, user)
    _workable(entry, user, role_memberships(user))
    sender = entry.sent_by
    if sender is not None and sender.pk != user.pk and sender.is_active and sender.pk != entry.assigned_to_id:
        before = audit_snapshot(entry)
        entry.status = Status.BEING_WORKED_ON
        entry.assigned_to = sender
        entry.assigned_at = timezone.now()
        entry.sent_by = user
        entry.save(update_fields=["status", "assigned_to", "assigned_at", "sent_by"])
        details = {"to_user": sender.get_username()}
        _record(entry, user=user, action="send-back", before=before, comment=comment, details=details)
        return entry
    if entry.status == Status.OPEN and entry.assigned_to_id is None:
        raise Conflict(f"To Do {entry.id} is already open for role {entry.role_id}; there is no one to return it to.")
    before = audit_snapshot(entry)
    entry.status = Status.OPEN
    entry.assigned_to = None
    entry.assigned_at = None
    entry.save(update_fields=["status", "assigned_to", "assigned_at"])
    _record(entry, user=user, action="send-back", before=before, comment=comment, details={"to_role": entry.role_id})
    return entry


@transaction.atomic
def todo_log_add(*, entry_id: str, user: Any, comment: str) -> ToDoLog:
    """A note on the entry's log."""
    _active_user(user)
    if not (comment or "").strip():
        raise ValidationFailed("Write the note.", {"comment": ["The note is empty."]})
    entry = _locked(entry_id, user)
    _workable(entry, user, role_memberships(user))
    log = ToDoLog.objects.create(entry=entry, user=user, action="note", comment=comment.strip())
    audit_record(entity=log, action="todo-note", user=user, summary=f"note on To Do {entry.id}")
    return log


def _complete(entry: ToDoEntry, *, user: Any, comment: str) -> ToDoEntry:
    from custcare.contacts.services import reminder_resolve

    before = audit_snapshot(entry)
    entry.status = Status.COMPLETE
    entry.completed_at = timezone.now()
    entry.completed_by = user
    entry.completion_comment = comment
    entry.save(update_fields=["status", "completed_at", "completed_by", "completion_comment"])
    _record(entry, user=user, action="complete", before=before, comment=comment)
    if entry.reminder_id is not None:
        reminder_resolve(reminder_id=entry.reminder_id, user=user, comment=comment, todo_entry_id=entry.id)
    return entry


def _comment_required(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed("Say how the work was done.", {"comment": ["A completion comment is required."]})
    return comment


@transaction.atomic
def todo_complete(*, entry_id: str, user: Any, comment: str) -> ToDoEntry:
    """Complete with a comment. When the entry came from a reminder, the reminder is resolved and the
    customer contact gets a log entry, in the same transaction."""
    _active_user(user)
    comment = _comment_required(comment)
    entry = _locked(entry_id, user)
    _workable(entry, user, role_memberships(user))
    return _complete(entry, user=user, comment=comment)


@transaction.atomic
def todo_priority_set(*, entry_id: str, user: Any, priority: int, comment: str = "") -> ToDoEntry:
    """A supervisor's priority override (1 highest, 100 lowest)."""
    _active_user(user)
    if not isinstance(priority, int) or not 1 <= priority <= 100:
        raise ValidationFailed("Priority runs from 1 (highest) to 100 (lowest).", {"priority": ["1 to 100."]})
    entry = _locked(entry_id, user)
    memberships = role_memberships(user)
    _workable(entry, user, memberships)
    if not supervises(user, entry.role_id, memberships):
        raise AccessDenied(f"Only supervisors of role {entry.role_id} change priorities.")
    before = audit_snapshot(entry)
    details = {"from": entry.priority, "to": priority}
    entry.priority = priority
    entry.save(update_fields=["priority"])
    _record(entry, user=user, action="priority", before=before, comment=comment, details=details)
    return entry


def _bulk(entry_ids: list[str], user: Any, work: Any) -> BulkResult:
    _active_user(user)
    memberships = role_memberships(user)
    if not (is_global_supervisor(user) or any(memberships.values())):
        raise AccessDenied("Bulk forward and complete are for supervisors.")
    result = BulkResult()
    for entry_id in dict.fromkeys(entry_ids):
        try:
            with transaction.atomic():
                entry = _locked(entry_id, user)
                if not supervises(user, entry.role_id, memberships):
                    raise AccessDenied(f"You do not supervise role {entry.role_id}.")
                _workable(entry, user, memberships)
                work(entry)
        except DomainError as exc:
            result.failed[entry_id] = exc.message
        else:
            result.done.append(entry_id)
    return result


def todo_bulk_forward(
    *,
    entry_ids: list[str],
    user: Any,
    role_code: str | None = None,
    to_user: int | str | None = None,
    override: bool = False,
) -> BulkResult:
    """Supervisors forward many entries; each commits on its own and refusals are reported per entry."""
    if (role_code is None) == (to_user is None):
        raise ValidationFailed("Forward to a role or to a user.", {"role": ["Name a role or a user, not both."]})
    if role_code is not None:
        role = _role(role_code)
        return _bulk(entry_ids, user, lambda e: _give_to_role(e, role=role, user=user, action="forward"))
    assignee = _assignee(to_user)
    return _bulk(
        entry_ids,
        user,
        lambda e: _give_to_user(e, assignee=assignee, user=user, override=override, action="forward"),
    )


def todo_bulk_complete(*, entry_ids: list[str], user: Any, comment: str) -> BulkResult:
    """Supervisors complete many entries with one comment; each commits on its own."""
    comment = _comment_required(comment)
    return _bulk(entry_ids, user, lambda e: _complete(e, user=user, comment=comment))


# Starter configuration

INFO_ALGORITHM: tuple[str, str, dict[str, Any]] = (
    "CI_TDT-INFO",
    "To Do information: message and required skills",
    {"include_skills": True},
)
SKILL_ALGORITHM: tuple[str, str, dict[str, Any]] = ("CI_VAL-SKILL", "Warn when the assignee lacks a required skill", {})
STARTER_TYPES = ("TD-CCCB", "TD-MANUAL")


def todo_reference_load() -> None:
    """The configured algorithms CI_TDT-INFO and CI_VAL-SKILL, plugged into the starter To Do types when
    the algorithms are first created. Safe to run again: an administrator's later choices are kept."""
    code, description, params = INFO_ALGORITHM
    defaults = {"description": description, "algorithm_type": code, "parameters": params}
    info, created_info = Algorithm.objects.get_or_create(code=code, defaults=defaults)
    code, description, params = SKILL_ALGORITHM
    defaults = {"description": description, "algorithm_type": code, "parameters": params}
    skill, created_skill = Algorithm.objects.get_or_create(code=code, defaults=defaults)
    starters = ToDoType.objects.filter(code__in=STARTER_TYPES)
    if created_info:
        starters.filter(info_algorithm__isnull=True).update(info_algorithm=info)
    if created_skill:
        starters.filter(assignment_algorithm__isnull=True).update(assignment_algorithm=skill)
