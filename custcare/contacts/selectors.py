"""Reads of customer contacts and their configuration."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from custcare.algorithms.models import Algorithm
from custcare.contacts.models import (
    CharacteristicType,
    ContactClass,
    ContactType,
    ContactTypeCharacteristic,
    CustomerContact,
)
from custcare.core.errors import NotFound, ValidationFailed
from custcare.core.sql import fetch_prepared
from custcare.customers.models import (
    Account,
    AccountPerson,
    Person,
    PersonEmail,
    PersonPhone,
    Premise,
    ServiceAgreement,
    sees_everything,
)
from custcare.security.roles import require


@dataclass
class ContactTypeConfig:
    """A contact type with its characteristic rules and validation algorithms (see contact_type_config_get)."""

    contact_type: ContactType
    characteristics: list[ContactTypeCharacteristic]
    algorithms: list[Algorithm]


_TYPE_FIELDS = [f.attname for f in ContactType._meta.concrete_fields]
_RULE_FIELDS = ["id", "required", "default_value", "sequence"]
_CHAR_FIELDS = ["code", "description", "value_type", "allowed_values"]
_LINK_FIELDS = ["id", "sequence"]
_ALG_FIELDS = ["code", "description", "algorithm_type", "parameters"]


# Each process keeps the configuration rows of the contact types it has read, per database, with the
# configuration version they were read at (see migration contacts 0007: the database sets a new
# version on any write to the tables these rows come from, from any process). A cached type is used
# after one tiny statement that reads the current version: a configuration change is seen by every
# process from the moment it commits, exactly as when each call read the configuration itself.
_config_cache: dict[str, tuple[int, dict[tuple[Any, ...], list[dict[str, Any]]]]] = {}
_VERSION_SQL = "SELECT value FROM contacts_configversion WHERE id = 1"
# (database, version): the version a caller has just read in a statement of its own (see
# config_version_known), used instead of reading it again
_known_version: ContextVar[tuple[str, int | None] | None] = ContextVar("contacts_config_version", default=None)

# the current configuration version as a scalar subquery, for a caller to read in a statement it sends
# anyway and hand to config_version_known
CONFIG_VERSION_SQL = f"({_VERSION_SQL})"


def _database() -> str:
    return f"{connection.alias}:{connection.settings_dict['NAME']}"


@contextlib.contextmanager
def config_version_known(version: int | None) -> Iterator[None]:
    """Within the block, the configuration version is `version` (read by the caller with
    CONFIG_VERSION_SQL in a statement of its own, just before) instead of one more statement per
    contact_type_config_get: event intake reads it with its repeat check. A configuration change that
    commits after the caller's statement is seen by the next call outside the block, as if the block
    had run just before that change."""
    token = _known_version.set((_database(), version))
    try:
        yield
    finally:
        _known_version.reset(token)


def _config_version() -> int | None:
    known = _known_version.get()
    if known is not None and known[0] == _database():
        return known[1]
    rows = fetch_prepared(_VERSION_SQL, [])
    return rows[0][0] if rows else None


def contact_type_config_get(
    *, contact_type_id: int | None = None, contact_class: str = "", type_code: str = "", shared: bool = False
) -> ContactTypeConfig:
    """The type named by id, or by class and type code (the key users know).

    Read in one statement: the type, its class, its characteristic rules and its algorithms are
    LEFT JOINed (a few rows per type at most) and the model instances rebuilt from the rows. Adding
    a contact is the hottest write in CustCare and this saves two round trips on each. A type read
    before by this process is not read again while the configuration version is unchanged (one
    statement that reads the version instead); each call returns new instances, or with `shared` the
    instances the process built for the type at the current version, which the caller must not
    change (event intake: building them is most of what reading a cached type costs)."""
    if contact_type_id is not None:
        key: tuple[Any, ...] = ("id", contact_type_id)
    elif contact_class and type_code:
        key = ("code", contact_class, type_code)
    else:
        raise ValidationFailed(
            "Name the contact type.", {"contact_type": ["Give contact_type_id, or contact_class and contact_type."]}
        )
    database = _database()
    version, cached = _config_cache.get(database, (None, {}))
    rows = cached.get(key)
    if rows is not None and _config_version() == version:
        return _config_shared(rows) if shared else _config_from_rows(rows)
    if contact_type_id is not None:
        qs = ContactType.objects.filter(pk=contact_type_id)
    else:
        qs = ContactType.objects.filter(contact_class_id=contact_class, type_code=type_code)
    # the version in the same statement as the rows: they belong together
    rows = list(
        qs.values(
            *_TYPE_FIELDS,
            "contact_class__description",
            *[f"characteristics__{f}" for f in _RULE_FIELDS],
            *[f"characteristics__char_type__{f}" for f in _CHAR_FIELDS],
            *[f"algorithms__{f}" for f in _LINK_FIELDS],
            *[f"algorithms__algorithm__{f}" for f in _ALG_FIELDS],
            config_version=RawSQL(f"({_VERSION_SQL})", []),
        ).order_by()
    )
    if not rows:
        named = contact_type_id if contact_type_id is not None else f"{contact_class}/{type_code}"
        raise ValidationFailed("Unknown contact type.", {"contact_type": [f"No contact type {named}."]})
    read_at = rows[0]["config_version"]
    if read_at is not None:
        if read_at != version:
            cached = {}
            _config_cache[database] = (read_at, cached)
            _config_built.clear()  # those of the versions before; rebuilt on demand
        cached[("id", rows[0]["id"])] = rows
        cached[("code", rows[0]["contact_class_id"], rows[0]["type_code"])] = rows
        if shared:
            return _config_shared(rows)
    return _config_from_rows(rows)


# The instances built from cached configuration rows for `shared` callers, by the rows' identity.
_config_built: dict[int, tuple[list[dict[str, Any]], ContactTypeConfig]] = {}


def _config_shared(rows: list[dict[str, Any]]) -> ContactTypeConfig:
    built = _config_built.get(id(rows))
    if built is None or built[0] is not rows:
        built = _config_built[id(rows)] = (rows, _config_from_rows(rows))
    return built[1]


def _config_from_rows(rows: list[dict[str, Any]]) -> ContactTypeConfig:
    """New model instances from a type's configuration rows; JSON values are copied, so that a caller
    changing them does not change the cached rows."""
    first = rows[0]
    ctype = ContactType(**{f: _copy(first[f]) for f in _TYPE_FIELDS})
    ctype.contact_class = ContactClass(code=first["contact_class_id"], description=first["contact_class__description"])
    rules: dict[int, ContactTypeCharacteristic] = {}
    links: dict[int, tuple[int, Algorithm]] = {}
    for row in rows:
        rule_id = row["characteristics__id"]
        if rule_id is not None and rule_id not in rules:
            char = CharacteristicType(**{f: _copy(row[f"characteristics__char_type__{f}"]) for f in _CHAR_FIELDS})
            rule = ContactTypeCharacteristic(
                contact_type=ctype, char_type=char, **{f: row[f"characteristics__{f}"] for f in _RULE_FIELDS}
            )
            rules[rule_id] = rule
        link_id = row["algorithms__id"]
        if link_id is not None and link_id not in links:
            alg = Algorithm(**{f: _copy(row[f"algorithms__algorithm__{f}"]) for f in _ALG_FIELDS})
            links[link_id] = (row["algorithms__sequence"], alg)
    chars = sorted(rules.values(), key=lambda r: (r.sequence, r.id))
    algs = [alg for _, alg in sorted(((seq, lid), alg) for lid, (seq, alg) in links.items())]
    return ContactTypeConfig(contact_type=ctype, characteristics=chars, algorithms=algs)


def _copy(value: Any) -> Any:
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def contact_type_find(*, contact_class: str, type_code: str) -> ContactType:
    ctype = ContactType.objects.filter(contact_class_id=contact_class, type_code=type_code).first()
    if ctype is None:
        raise ValidationFailed(
            f"No contact type {contact_class}/{type_code}.", {"contact_type": ["Unknown class and type."]}
        )
    return ctype


def contact_type_list(*, active_only: bool = True) -> QuerySet[ContactType]:
    qs = ContactType.objects.select_related("contact_class")
    return qs.filter(active=True) if active_only else qs


def contact_class_list() -> QuerySet[ContactClass]:
    return ContactClass.objects.all()


def _exists_sql(checks: dict[str, QuerySet[Any]]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for qs in checks.values():
        sql, qparams = qs.values("pk")[:1].query.sql_with_params()
        parts.append(f"EXISTS({sql})")
        params.extend(qparams)
    return "SELECT " + ", ".join(parts), params


def exists_many(checks: dict[str, QuerySet[Any]]) -> dict[str, bool]:
    """Evaluate several EXISTS tests in one SELECT (one database round trip)."""
    if not checks:
        return {}
    sql, params = _exists_sql(checks)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        values = cur.fetchone()
    return {key: bool(v) for key, v in zip(checks, values, strict=True)}


@dataclass
class ContactContext:
    """What one query tells about the records a new contact names, as the user may see them."""

    person_visible: bool
    account_visible: bool
    account_linked: bool
    premise_visible: bool
    premise_linked: bool
    detail_known: bool

    @classmethod
    def from_row(cls, row: dict[str, bool]) -> ContactContext:
        """From the checks' answers by name; a check not made (nothing to check) passes."""
        return cls(
            person_visible=row.get("p", True),
            account_visible=row.get("a", True),
            account_linked=row.get("al", True),
            premise_visible=row.get("pr", True),
            premise_linked=row.get("pl", True),
            detail_known=row.get("d", True),
        )


def _context_checks(*, user: Any, values: dict[str, Any], method: str) -> dict[str, QuerySet[Any]]:
    """The checks as queries; `values`: person, account, premise (ids or None) and detail."""
    person_id, account_id, premise_id, contact_detail = (values[k] for k in ("person", "account", "premise", "detail"))
    accounts = Account.objects.visible_to(user)
    checks: dict[str, QuerySet[Any]] = {}
    if person_id:
        checks["p"] = Person.objects.visible_to(user).filter(pk=person_id)
    if account_id:
        checks["a"] = accounts.filter(pk=account_id)
        if person_id:
            checks["al"] = AccountPerson.objects.filter(account_id=account_id, person_id=person_id)
    if premise_id:
        checks["pr"] = Premise.objects.visible_to(user).filter(pk=premise_id)
        if account_id:
            checks["pl"] = Account.objects.filter(pk=account_id).filter(
                Q(mailing_premise_id=premise_id)
                | Exists(ServiceAgreement.objects.filter(account_id=OuterRef("pk"), premise_id=premise_id))
            )
    if person_id and contact_detail and method in ("PHONE", "SMS", "FAX"):
        checks["d"] = PersonPhone.objects.filter(person_id=person_id, number=contact_detail)
    elif person_id and contact_detail and method == "EMAIL":
        checks["d"] = PersonEmail.objects.filter(person_id=person_id, address__iexact=contact_detail)
    return checks


class _Slot(str):
    """Where a compiled context check takes one of the call's values."""


# The checks' SQL for users who see every access group (the events and batch system users: the
# checks do not depend on who they are), compiled once per database and shape (which records are
# named, and the kind of contact detail) with a stand-in for each value, and reused with the values.
# Building and compiling the ORM queries is most of a check's cost.
_context_sql: dict[tuple[Any, ...], tuple[str, list[Any], list[str]] | None] = {}
_STAND_INS = {name: _Slot(f"\x00{name}%_\\\x00") for name in ("person", "account", "premise", "detail")}


def _context_template(key: tuple[Any, ...], user: Any, method: str) -> tuple[str, list[Any], list[str]] | None:
    if key not in _context_sql:
        present = dict(zip(("person", "account", "premise", "detail"), key[2:6], strict=True))
        stand_ins = {name: stand_in if present[name] else None for name, stand_in in _STAND_INS.items()}
        checks = _context_checks(user=user, values={**stand_ins, "detail": stand_ins["detail"] or ""}, method=method)
        sql, params = _exists_sql(checks) if checks else ("", [])
        slots: list[Any] = []
        for param in params:
            slot = next((name for name, stand_in in _STAND_INS.items() if param == stand_in), None)
            if slot is None and isinstance(param, str) and "\x00" in param:
                # the ORM changed a value on its way into the SQL (an escaped LIKE pattern, say): not
                # a value that can be put in later as it is
                _context_sql[key] = None
                return None
            slots.append(_Slot(slot) if slot is not None else param)
        _context_sql[key] = (sql, slots, list(checks))
    return _context_sql[key]


def contact_context_check(
    *,
    user: Any,
    person_id: str | None,
    account_id: str | None,
    premise_id: str | None,
    method: str,
    contact_detail: str,
) -> ContactContext:
    """Check visibility and relationships of person, account and premise, and that the contact detail
    is one of the person's, in a single round trip."""
    values = {"person": person_id, "account": account_id, "premise": premise_id, "detail": contact_detail}
    row: dict[str, bool] | None = None
    if sees_everything(user):
        detail = "phone" if method in ("PHONE", "SMS", "FAX") else "email" if method == "EMAIL" else ""
        shape = (bool(person_id), bool(account_id), bool(premise_id), bool(person_id and contact_detail and detail))
        key = (connection.alias, connection.settings_dict["NAME"], *shape, detail)
        template = _context_template(key, user, method)
        if template is not None:
            sql, slots, names = template
            row = {}
            if names:  # a key lookup per check: prepared on PostgreSQL, planned once per connection
                (answers,) = fetch_prepared(sql, [values[p] if isinstance(p, _Slot) else p for p in slots])
                row = dict(zip(names, map(bool, answers), strict=True))
    if row is None:
        row = exists_many(_context_checks(user=user, values=values, method=method))
    return ContactContext.from_row(row)


def contact_get(*, contact_id: str, user: Any) -> CustomerContact:
    require(user, "contact.read")
    contact = (
        contact_list_visible(user=user)
        .filter(pk=contact_id)
        .select_related("contact_type", "contact_class", "person", "account", "premise", "user")
        .prefetch_related("characteristics__char_type", "log__user")
        .first()
    )
    if contact is None:
        raise NotFound(f"No customer contact {contact_id} that you may see.")
    return contact


def contact_list_visible(*, user: Any) -> QuerySet[CustomerContact]:
    """Contacts whose person, account and premise the user may all see (where set)."""
    qs = CustomerContact.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(
        (Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(user)))
        & (Q(person__isnull=True) | Q(person__in=Person.objects.visible_to(user)))
        & (Q(premise__isnull=True) | Q(premise__in=Premise.objects.visible_to(user)))
    )


@dataclass
class ContactFilters:
    person_id: str | None = None
    account_id: str | None = None
    premise_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    contact_class: str | None = None
    contact_type_id: int | None = None
    method: str | None = None
    is_open: bool | None = None
    user_id: int | None = None


def contact_history(*, filters: ContactFilters, user: Any) -> QuerySet[CustomerContact]:
    """Contacts for a person, account or premise, newest first, filtered (step 1.4)."""
    require(user, "contact.read")
    if not (filters.person_id or filters.account_id or filters.premise_id):
        raise ValidationFailed("Name a person, an account or a premise.", {"person_id": ["Required."]})
    qs = contact_list_visible(user=user)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.account_id:
        qs = qs.filter(account_id=filters.account_id)
    if filters.premise_id:
        qs = qs.filter(premise_id=filters.premise_id)
    if filters.date_from:
        qs = qs.filter(contact_datetime__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(contact_datetime__date__lte=filters.date_to)
    if filters.contact_class:
        qs = qs.filter(contact_class_id=filters.contact_class)
    if filters.contact_type_id:
        qs = qs.filter(contact_type_id=filters.contact_type_id)
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.is_open is not None:
        qs = qs.filter(is_open=filters.is_open)
    if filters.user_id:
        qs = qs.filter(user_id=filters.user_id)
    return qs.select_related("contact_type", "user").order_by("-contact_datetime", "-id")


def contact_type_config_list(*, user: Any, active: bool | None = None) -> QuerySet[ContactType]:
    """Contact types with their characteristic rules and algorithms, for configuration screens and the API."""
    require(user, "config.read")
    qs = ContactType.objects.select_related("contact_class").prefetch_related(
        "characteristics__char_type", "algorithms__algorithm"
    )
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("contact_class_id", "type_code")


def contact_type_config_read(*, contact_type_id: int, user: Any) -> ContactType:
    ctype = contact_type_config_list(user=user).filter(pk=contact_type_id).first()
    if ctype is None:
        raise NotFound(f"No contact type {contact_type_id}.")
    return ctype


def reminder_list_for_contact(*, contact_id: str, user: Any) -> list[Any]:
    """The contact's reminders, oldest trigger date first, each with its recipient and (once TD-CCCB
    has created it) its To Do entry, in one query. Raises NotFound for a contact the user may not see."""
    from custcare.contacts.models import Reminder

    require(user, "contact.read")
    if not contact_list_visible(user=user).filter(pk=contact_id).exists():
        raise NotFound(f"No customer contact {contact_id} that you may see.")
    return list(
        Reminder.objects.filter(contact_id=contact_id)
        .select_related("send_to_user", "send_to_role", "created_by", "todo_entry")
        .order_by("trigger_date", "id")
    )


def reminder_get(*, reminder_id: int, user: Any) -> Any:
    """One reminder with its To Do entry, if the user may see its contact."""
    from custcare.contacts.models import Reminder

    require(user, "contact.read")
    reminder = (
        Reminder.objects.filter(pk=reminder_id, contact__in=contact_list_visible(user=user))
        .select_related("send_to_user", "send_to_role", "created_by", "todo_entry")
        .first()
    )
    if reminder is None:
        raise NotFound(f"No reminder {reminder_id} that you may see.")
    return reminder


def reminder_defaults(*, contact: CustomerContact) -> tuple[str, dt.date]:
    """What a new reminder on this contact gets when the user names no role or date: the contact
    type's reminder role (may be empty) and today plus its days until reminder (tomorrow without)."""
    from django.utils import timezone

    ctype = ContactType.objects.only("reminder_role", "reminder_days").get(pk=contact.contact_type_id)
    return ctype.reminder_role, timezone.localdate() + dt.timedelta(days=ctype.reminder_days or 1)


def todo_role_choices() -> list[tuple[str, str]]:
    """To Do roles a reminder can be sent to, as (code, description)."""
    from custcare.todo.models import ToDoRole

    return list(ToDoRole.objects.order_by("code").values_list("code", "description"))
