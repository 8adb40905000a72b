"""CIS records that arrive from other systems (billing, collections, field work, workflow...).

CustCare keeps a minimal copy of the records Control Central's alerts and timeline read: bills, pay
plans, collection processes, declarations... Their owner is another system, so each copy is keyed by
that system's id and is written only through intake: the API (one record or a list) and the bulk
import command. An app describes each kind once with `register_record_kind`: the model, a typed
payload (pydantic) whose field names are the model's attribute names (`account_id`, `status`...),
and the kind's code used in URLs and on the command line. This module gives every kind the same
upsert: validated as a whole, references checked in one query per referenced table, written in one
statement, audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError

from custcare.core.audit import audit_record_many
from custcare.core.errors import NotFound, ValidationFailed
from custcare.security.roles import require

MAX_ROWS = 1000


class RecordPayload(BaseModel):
    """Base of every record kind's payload: unknown fields are refused, so a typo is not lost silently."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class RecordKind:
    code: str  # "bill", "pay-plan": in URLs and on the command line
    model: type[models.Model]
    payload: type[RecordPayload]
    description: str
    # The field that ties a record to an account (for access checks and listing); "" when the kind
    # reaches its account through a parent record, named in `account_path` (e.g. "pay_plan__account").
    account_path: str = "account"
    # Who may read a record, when the account path alone cannot say (a record for a premise or a person
    # with no account): (queryset, user) -> the records the user may see. Default: by the account path.
    visible: Callable[[models.QuerySet[Any], Any], models.QuerySet[Any]] | None = None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


_KINDS: dict[str, RecordKind] = {}


def register_record_kind(kind: RecordKind) -> RecordKind:
    if kind.code in _KINDS and _KINDS[kind.code].model is not kind.model:
        raise ValueError(f"Record kind {kind.code} is registered twice")
    pk = kind.model._meta.pk
    assert pk is not None and pk.name == "id", f"{kind.model.__name__}: a record kind's primary key is `id`"
    attnames = {f.attname for f in kind.model._meta.concrete_fields}
    unknown = set(kind.payload.model_fields) - attnames
    assert not unknown, f"{kind.code}: payload fields {sorted(unknown)} are not attributes of {kind.model.__name__}"
    _KINDS[kind.code] = kind
    return kind


def record_kinds() -> list[RecordKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def record_kind_get(code: str) -> RecordKind:
    try:
        return _KINDS[code]
    except KeyError:
        known = ", ".join(k.code for k in record_kinds())
        raise NotFound(f"No record kind '{code}'. Known kinds: {known}.") from None


@dataclass
class UpsertResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


@dataclass
class RowErrors:
    """Per-row messages: row index -> field -> messages."""

    rows: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, index: int, name: str, message: str) -> None:
        self.rows.setdefault(index, {}).setdefault(name, []).append(message)

    def as_fields(self, *, single: bool) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for index, fields in sorted(self.rows.items()):
            for name, msgs in fields.items():
                out[name if single else f"records.{index}.{name}"] = msgs
        return out


@dataclass
class _Prepared:
    instances: list[models.Model] = field(default_factory=list)
    indexes: list[int] = field(default_factory=list)


def _foreign_keys(model: type[models.Model]) -> dict[str, models.ForeignKey[Any, Any]]:
    return {f.attname: f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)}


def _prepare(kind: RecordKind, rows: list[dict[str, Any]], errors: RowErrors) -> _Prepared:
    """Parse, build and check each row without a query, then check references in one query per table."""
    prepared = _Prepared()
    fks = _foreign_keys(kind.model)
    wanted: dict[str, dict[Any, list[int]]] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            payload = kind.payload.model_validate(row)
        except PydanticError as exc:
            for err in exc.errors():
                errors.add(index, ".".join(str(p) for p in err["loc"]) or "record", err["msg"])
            continue
        values = payload.model_dump()
        record_id = str(values.get("id") or "")
        if record_id in seen:
            errors.add(index, "id", f"{record_id} appears twice in this request (also record {seen[record_id]}).")
            continue
        seen[record_id] = index
        instance = kind.model(**values)
        try:
            instance.clean_fields(exclude=[f.name for f in fks.values()])
            instance.clean()
        except ValidationError as exc:
            failed = ValidationFailed.from_django(exc)
            for name, msgs in (failed.fields or {"record": [failed.message]}).items():
                for msg in msgs:
                    errors.add(index, name, str(msg))
            continue
        for attname in fks:
            value = values.get(attname)
            if value not in (None, ""):
                wanted.setdefault(attname, {}).setdefault(value, []).append(index)
        prepared.instances.append(instance)
        prepared.indexes.append(index)
    _duplicates_within(kind, prepared, errors)
    for attname, refs in wanted.items():
        target = fks[attname].related_model
        assert isinstance(target, type)
        found = set(target._default_manager.filter(pk__in=list(refs)).values_list("pk", flat=True))
        for value, indexes in refs.items():
            if value not in found:
                for index in indexes:
                    errors.add(index, attname, f"No {target._meta.verbose_name} '{value}'.")
    return prepared


def _duplicates_within(kind: RecordKind, prepared: _Prepared, errors: RowErrors) -> None:
    """Two records of one request that break a uniqueness rule of the model (e.g. one characteristic
    type twice for a process) are refused by name rather than by the database."""
    for constraint in kind.model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition is not None:
            continue
        if not constraint.fields:
            continue
        attnames = [getattr(kind.model._meta.get_field(f), "attname", f) for f in constraint.fields]
        first: dict[tuple[Any, ...], int] = {}
        for instance, index in zip(prepared.instances, prepared.indexes, strict=True):
            key = tuple(getattr(instance, a) for a in attnames)
            if key in first:
                errors.add(index, attnames[-1], f"Same {', '.join(attnames)} as record {first[key]} of this request.")
            else:
                first[key] = index


def _write(model: type[models.Model], instances: list[models.Model], kind: str) -> None:
    update_fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    try:
        with transaction.atomic():
            model._default_manager.bulk_create(
                instances, update_conflicts=True, unique_fields=["id"], update_fields=update_fields, batch_size=500
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            f"The {kind} records conflict with records already stored (a uniqueness rule); nothing was saved. "
            f"Database says: {str(exc).splitlines()[0]}"
        ) from exc


@transaction.atomic
def records_upsert(
    *, kind: str, rows: list[dict[str, Any]], user: Any, partial: bool = False
) -> tuple[UpsertResult, RowErrors]:
    """Add or replace records of one kind, keyed by the sender's id. With `partial=False` (the API) any
    refused row refuses the whole request and nothing is written (ValidationFailed names each row and
    field). With `partial=True` (bulk import) the valid rows are written and the refused ones returned."""
    require(user, "records.write")
    record_kind = record_kind_get(kind)
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"Send at most {MAX_ROWS} records per request; split the list.")
    errors = RowErrors()
    prepared = _prepare(record_kind, rows, errors)
    if errors.rows and not partial:
        single = len(rows) == 1
        raise ValidationFailed(
            f"{len(errors.rows)} of {len(rows)} {record_kind.label} records refused; nothing was saved.",
            errors.as_fields(single=single),
        )
    bad = set(errors.rows)
    instances = [inst for inst, index in zip(prepared.instances, prepared.indexes, strict=True) if index not in bad]
    result = UpsertResult()
    if not instances:
        return result, errors
    model = record_kind.model
    ids = [str(inst.pk) for inst in instances]
    existing = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
    _write(model, instances, record_kind.code)
    added = [inst for inst in instances if inst.pk not in existing]
    changed = [inst for inst in instances if inst.pk in existing]
    if added:
        audit_record_many(entities=added, action="add", user=user, summary=f"{record_kind.code} intake")
    if changed:
        audit_record_many(entities=changed, action="change", user=user, summary=f"{record_kind.code} intake")
    result.added = [str(i.pk) for i in added]
    result.changed = [str(i.pk) for i in changed]
    return result, errors


def _visible(kind: RecordKind, user: Any) -> models.QuerySet[Any]:
    from custcare.customers.models import user_access_group_ids

    require(user, "customer.read")
    qs = kind.model._default_manager.all()
    if user.is_superuser:
        return qs
    if kind.visible is not None:
        return kind.visible(qs, user)
    return qs.filter(**{f"{kind.account_path}__access_group_id__in": user_access_group_ids(user)})


def record_get(*, kind: str, record_id: str, user: Any) -> models.Model:
    record_kind = record_kind_get(kind)
    found = _visible(record_kind, user).filter(pk=record_id).first()
    if found is None:
        raise NotFound(f"No {record_kind.label} '{record_id}' that you may see.")
    return found


def record_list(*, kind: str, user: Any, account_id: str = "") -> models.QuerySet[Any]:
    record_kind = record_kind_get(kind)
    qs = _visible(record_kind, user)
    if account_id:
        qs = qs.filter(**{f"{record_kind.account_path}_id": account_id})
    return qs.order_by("pk")


def record_values(kind: RecordKind, instance: models.Model) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in kind.payload.model_fields}


class RecordValues(Sequence[dict[str, Any]]):
    """A page-able view of a record queryset as payload values: its length is a COUNT and a slice reads
    only those rows, so a paginated list never loads every record of the kind."""

    def __init__(self, kind: RecordKind, rows: models.QuerySet[Any]) -> None:
        self.kind = kind
        self.rows = rows

    def __len__(self) -> int:
        return self.rows.count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [record_values(self.kind, r) for r in self.rows[index]]
        return record_values(self.kind, self.rows[index])
