"""Writes on customer contacts: add (steps 1.1–1.2), log entries and corrections (1.4)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot
from custcare.algorithms.services import algorithm_instance
from custcare.contacts.models import (
    CharacteristicType,
    ContactCharacteristic,
    ContactClass,
    ContactLogEntry,
    ContactMethod,
    ContactType,
    ContactTypeAlgorithm,
    ContactTypeCharacteristic,
    CustomerContact,
    Direction,
    Usage,
)
from custcare.contacts.selectors import (
    ContactContext,
    ContactTypeConfig,
    contact_context_check,
    contact_type_config_get,
)
from custcare.core.audit import audit_record, audit_snapshot
from custcare.core.errors import AccessDenied, ValidationFailed
from custcare.core.ids import new_id, new_ids
from custcare.core.rows import array_cursor, audit_rows_insert, rows_copy, sql_in_set
from custcare.customers.models import Account, AccountPerson, Person, Premise, ServiceAgreement
from custcare.customers.normalize import PhoneError, phone_e164
from custcare.security.roles import require

Errors = dict[str, list[str]]


def _usage_errors(ctype: ContactType, person_id: str | None, account_id: str | None, premise_id: str | None) -> Errors:
    errors: Errors = {}
    for field, usage, value in (
        ("person_id", ctype.person_usage, person_id),
        ("account_id", ctype.account_usage, account_id),
        ("premise_id", ctype.premise_usage, premise_id),
    ):
        label = field.removesuffix("_id")
        if usage == Usage.REQUIRED and not value:
            errors[field] = [f"A {ctype.description} contact needs a {label}."]
        elif usage == Usage.NOT_ALLOWED and value:
            errors[field] = [f"A {ctype.description} contact cannot name a {label}."]
    return errors


def _characteristic_values(config: ContactTypeConfig, given: dict[str, str]) -> tuple[dict[str, str], Errors]:
    """Apply the type's defaults and check required, unknown and badly formed values."""
    errors: Errors = {}
    rules = {c.char_type_id: c for c in config.characteristics}
    values: dict[str, str] = {}
    for code, raw in given.items():
        value = (raw or "").strip()
        if code not in rules:
            errors[f"characteristics.{code}"] = [f"{code} is not a characteristic of this contact type."]
            continue
        if value:
            values[code] = value
    for code, rule in rules.items():
        if code not in values and rule.default_value:
            values[code] = rule.default_value
        if code not in values:
            if rule.required:
                errors[f"characteristics.{code}"] = [f"{rule.char_type.description} is required."]
            continue
        problem = rule.char_type.value_error(values[code])
        if problem:
            errors[f"characteristics.{code}"] = [problem]
    return values, errors


def _normalise_detail(method: str, detail: str) -> tuple[str, Errors]:
    detail = (detail or "").strip()
    if detail and method in (ContactMethod.PHONE, ContactMethod.SMS, ContactMethod.FAX):
        try:
            return phone_e164(detail), {}
        except PhoneError as exc:
            return detail, {"contact_detail": [str(exc)]}
    return detail, {}


@transaction.atomic
def customer_contact_add(
    *,
    user: Any,
    method: str,
    contact_type_id: int | None = None,
    contact_class: str = "",
    type_code: str = "",
    person_id: str | None = None,
    account_id: str | None = None,
    premise_id: str | None = None,
    description: str = "",
    direction: str = Direction.INBOUND,
    is_open: bool | None = None,
    contact_detail: str = "",
    characteristics: dict[str, str] | None = None,
    contact_datetime: dt.datetime | None = None,
    origin: str = CustomerContact.Origin.USER,
    origin_reference: str = "",
) -> CustomerContact:
    """Record a customer contact. Every rule is checked before anything is written; on a refusal
    all problems are reported together and nothing changes."""
    require(user, "contact.write")
    config = contact_type_config_get(contact_type_id=contact_type_id, contact_class=contact_class, type_code=type_code)
    request = NewContact(
        config=config,
        method=method,
        person_id=person_id,
        account_id=account_id,
        premise_id=premise_id,
        description=description,
        direction=direction,
        is_open=is_open,
        contact_detail=contact_detail,
        characteristics=characteristics or {},
        contact_datetime=contact_datetime,
        origin=origin,
        origin_reference=origin_reference,
    )
    detail, values, errors = _contact_precheck(request)
    if errors:
        raise ValidationFailed("The contact was not saved; correct the fields shown.", errors)
    ctx = contact_context_check(
        user=user,
        person_id=person_id,
        account_id=account_id,
        premise_id=premise_id,
        method=method,
        contact_detail=detail,
    )
    contact = _contact_build(request, user=user, detail=detail, values=values, ctx=ctx)
    contact.save(force_insert=True)
    if values:
        ContactCharacteristic.objects.bulk_create(
            [ContactCharacteristic(contact=contact, char_type_id=code, value=v) for code, v in values.items()]
        )
    after = audit_snapshot(contact)
    after["characteristics"] = values
    audit_record(entity=contact, action="add", user=user, after=after)
    return contact


@dataclass
class NewContact:
    """A contact to record, with its type's configuration already read (see customer_contact_add)."""

    config: ContactTypeConfig
    method: str
    person_id: str | None = None
    account_id: str | None = None
    premise_id: str | None = None
    description: str = ""
    direction: str = Direction.INBOUND
    is_open: bool | None = None
    contact_detail: str = ""
    characteristics: dict[str, str] = dataclasses.field(default_factory=dict)
    contact_datetime: dt.datetime | None = None
    origin: str = CustomerContact.Origin.USER
    origin_reference: str = ""
    letter_template: str = ""  # overrides the type's and asks for the letter


# the choices once (the enums compute their lists on every read)
_METHODS = tuple(ContactMethod.values)
_DIRECTIONS = tuple(Direction.values)


def _contact_precheck(request: NewContact) -> tuple[str, dict[str, str], Errors]:
    """The rules that need no database read: the normalised detail, the characteristic values, the problems."""
    ctype = request.config.contact_type
    errors: Errors = {}
    if not ctype.active:
        errors["contact_type"] = [f"The contact type {ctype} is no longer in use."]
    if request.method not in _METHODS:
        errors["method"] = [f"Choose one of {', '.join(_METHODS)}."]
    if request.direction not in _DIRECTIONS:
        errors["direction"] = [f"Choose one of {', '.join(_DIRECTIONS)}."]
    if request.contact_datetime and request.contact_datetime > timezone.now() + dt.timedelta(minutes=5):
        errors["contact_datetime"] = ["A contact cannot be dated in the future."]
    errors.update(_usage_errors(ctype, request.person_id, request.account_id, request.premise_id))
    detail, detail_errors = _normalise_detail(request.method, request.contact_detail)
    errors.update(detail_errors)
    values, char_errors = _characteristic_values(request.config, request.characteristics)
    errors.update(char_errors)
    return detail, values, errors


def _contact_build(
    request: NewContact, *, user: Any, detail: str, values: dict[str, str], ctx: ContactContext, pk: str | None = None
) -> CustomerContact:
    """The unsaved contact once the records it names are checked; raises with every problem found.
    `pk` "" leaves the id to the caller (bulk writes draw all ids at once); None draws one now."""
    errors = _context_errors(request, detail=detail, ctx=ctx)
    contact = CustomerContact(
        **({"id": pk} if pk is not None else {}),
        contact_datetime=request.contact_datetime or timezone.now(),
        user=user if getattr(user, "is_authenticated", False) else None,
        contact_type=request.config.contact_type,
        **_contact_values(request, detail=detail),
    )
    _contact_validate(request, contact=contact, values=values, errors=errors)
    return contact


def _context_errors(request: NewContact, *, detail: str, ctx: ContactContext) -> Errors:
    """The problems with the records the contact names; raises AccessDenied for one the user may not see."""
    if not (ctx.person_visible and ctx.account_visible and ctx.premise_visible):
        raise AccessDenied("You may not record contacts for this customer (or it does not exist).")
    errors: Errors = {}
    if not ctx.account_linked:
        errors["account_id"] = [f"Account {request.account_id} does not belong to person {request.person_id}."]
    if not ctx.premise_linked:
        errors["premise_id"] = [f"Premise {request.premise_id} is not a premise of account {request.account_id}."]
    if not ctx.detail_known:
        errors["contact_detail"] = [f"{detail} is not one of this person's contact details."]
    return errors


def _contact_values(request: NewContact, *, detail: str) -> dict[str, Any]:
    """The contact's field values (by attname) that follow from the request and its type."""
    ctype = request.config.contact_type
    return {
        "contact_class_id": ctype.contact_class_id,
        "person_id": request.person_id or None,
        "account_id": request.account_id or None,
        "premise_id": request.premise_id or None,
        "method": request.method,
        "contact_detail": detail,
        "direction": request.direction,
        "is_open": ctype.default_open if request.is_open is None else request.is_open,
        "description": (request.description or "").strip() or ctype.shorthand,
        "origin": request.origin,
        "origin_reference": request.origin_reference,
        "print_letter": bool(request.letter_template) or ctype.contact_action == ContactType.Action.SEND_LETTER,
        "letter_template": request.letter_template or ctype.letter_template,
    }


def _contact_validate(request: NewContact, *, contact: CustomerContact, values: dict[str, str], errors: Errors) -> None:
    """Run the type's validation algorithms on the contact; raise with every problem found."""
    for algorithm in request.config.algorithms:
        for name, msgs in algorithm_instance(algorithm).run(contact=contact, characteristics=values).items():
            errors.setdefault(name, []).extend(msgs)
    if errors:
        raise ValidationFailed("The contact was not saved; correct the fields shown.", errors)


def _among(qs: Any, column: str, values: set[str]) -> Any:
    """`qs` filtered to rows whose `column` is one of `values`: on PostgreSQL as one array joined as a set
    (see custcare.core.rows.sql_in_set: a set of thousands is one parameter, and is planned as a set,
    not value by value). Run through array_cursor."""
    if connection.vendor != "postgresql":
        return qs.filter(**{f"{column}__in": values})
    quote = connection.ops.quote_name
    where, params = sql_in_set(f"{quote(qs.model._meta.db_table)}.{quote(column)}", sorted(values))
    return qs.extra(where=[where], params=params)


def _contexts_check_many(
    *, user: Any, keys: set[tuple[str | None, str | None, str | None]]
) -> dict[tuple[str | None, str | None, str | None], ContactContext]:
    """contact_context_check for many (person, account, premise) triples without a contact detail: one
    query for a single triple, else one query per kind of record for the whole set."""
    if len(keys) == 1:
        ((p, a, pr),) = keys
        return {
            (p, a, pr): contact_context_check(
                user=user, person_id=p, account_id=a, premise_id=pr, method="NA", contact_detail=""
            )
        }
    persons = {p for p, _, _ in keys if p}
    accounts = {a for _, a, _ in keys if a}
    premises = {pr for _, _, pr in keys if pr}
    reads: list[tuple[str, Any]] = []  # (what, a query of one or two columns)
    if persons:
        reads.append(("P", _among(Person.objects.visible_to(user), "id", persons).values_list("pk")))
    if accounts:
        reads.append(("A", _among(Account.objects.visible_to(user), "id", accounts).values_list("pk")))
    if premises:
        reads.append(("R", _among(Premise.objects.visible_to(user), "id", premises).values_list("pk")))
    if persons and accounts:
        links = _among(_among(AccountPerson.objects.all(), "person_id", persons), "account_id", accounts)
        reads.append(("L", links.values_list("person_id", "account_id")))
    if accounts and premises:
        mailing = _among(_among(Account.objects.all(), "id", accounts), "mailing_premise_id", premises)
        reads.append(("S", mailing.values_list("pk", "mailing_premise_id")))
        sas = _among(_among(ServiceAgreement.objects.all(), "account_id", accounts), "premise_id", premises)
        reads.append(("S", sas.values_list("account_id", "premise_id")))
    found: dict[str, set[Any]] = {"P": set(), "A": set(), "R": set(), "L": set(), "S": set()}
    # the reads as one statement (one round trip), each as the ORM builds it
    parts: list[str] = []
    params: list[Any] = []
    for what, qs in reads:
        sql, qs_params = qs.order_by().query.sql_with_params()
        pad = ", NULL" if len(qs.query.values_select) == 1 else ""
        parts.append(f"SELECT '{what}', t.*{pad} FROM ({sql}) t")
        params.extend(qs_params)
    with array_cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        for what, first, second in cur.fetchall():
            found[what].add(first if what in "PAR" else (first, second))
    seen_p, seen_a, seen_pr, links_found, served = (found[k] for k in "PARLS")
    return {
        (p, a, pr): ContactContext(
            person_visible=not p or p in seen_p,
            account_visible=not a or a in seen_a,
            account_linked=not (p and a) or (p, a) in links_found,
            premise_visible=not pr or pr in seen_pr,
            premise_linked=not (a and pr) or (a, pr) in served,
            detail_known=True,
        )
        for p, a, pr in keys
    }


def generated_contacts_check(
    *, user: Any, requests: list[NewContact]
) -> list[tuple[dict[str, Any], dict[str, str]] | ValidationFailed | AccessDenied]:
    """Check contacts a CustCare process generates (event algorithms, batches) by the same rules and
    with the same messages as customer_contact_add, the records they name read set-based (one query
    per kind of record for the whole list, instead of one round trip per contact). Each request gives
    its contact as a row (every field by attname, the id left "" for generated_contacts_save) with its
    characteristic values, or its refusal; nothing is written. No model instance is built unless the
    contact type has validation algorithms (they are given one). Generated contacts carry no contact
    detail; they are dated now (one time for the whole list)."""
    require(user, "contact.write")
    results: list[Any] = [None] * len(requests)
    prechecked: dict[int, tuple[str, dict[str, str]]] = {}
    for i, request in enumerate(requests):
        detail, values, errors = _contact_precheck(request)
        if errors:
            results[i] = ValidationFailed("The contact was not saved; correct the fields shown.", errors)
        else:
            prechecked[i] = (detail, values)
    keys = {
        (requests[i].person_id or None, requests[i].account_id or None, requests[i].premise_id or None)
        for i in prechecked
    }
    contexts = _contexts_check_many(user=user, keys=keys) if keys else {}
    now = timezone.now()
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    for i, (detail, values) in prechecked.items():
        r = requests[i]
        try:
            errors = _context_errors(
                r, detail=detail, ctx=contexts[(r.person_id or None, r.account_id or None, r.premise_id or None)]
            )
            row = {
                **_ROW_DEFAULTS,
                "id": "",
                "contact_datetime": r.contact_datetime or now,
                "user_id": user_id,
                "contact_type_id": r.config.contact_type.pk,
                **_contact_values(r, detail=detail),
                "created_at": now,
            }
            if errors or r.config.algorithms:
                _contact_validate(r, contact=CustomerContact(**row), values=values, errors=errors)
        except (ValidationFailed, AccessDenied) as exc:
            results[i] = exc
            continue
        results[i] = (row, values)
    return results


# the fields of a generated contact that generated_contacts_check does not set (a callable default, like
# the id's counter, is never called: those fields are set)
_ROW_DEFAULTS = {
    f.attname: None if callable(f.default) else f.get_default() for f in CustomerContact._meta.concrete_fields
}


def generated_contacts_save(
    *, contacts: list[tuple[dict[str, Any], dict[str, str]]], user: Any
) -> list[dict[str, Any]]:
    """Write checked contacts (the rows of generated_contacts_check, whose ids are set here), their
    "add" audit entries (the contact's values and its characteristics, as customer_contact_add records
    them) and their characteristics, ids from one counter round trip. On PostgreSQL the contacts and
    their audit entries are one statement and the characteristics one more (see
    custcare.core.rows.audit_rows_insert); elsewhere the audit entries are returned, as rows, for the
    caller to write with its own in one INSERT. Call inside the caller's transaction."""
    if not contacts:
        return []
    # a few ids come from the process's cached block (no round trip on PostgreSQL), many in one call
    ids = [new_id() for _ in contacts] if len(contacts) <= 5 else new_ids(len(contacts))
    for (row, _), pk in zip(contacts, ids, strict=True):
        row["id"] = pk
    entries = audit_rows_insert(
        CustomerContact,
        [row for row, _ in contacts],
        action="add",
        user=user,
        extra=[{"characteristics": values} for _, values in contacts],
    )
    rows_copy(
        ContactCharacteristic,
        [
            {"contact_id": row["id"], "char_type_id": code, "value": v}
            for row, values in contacts
            for code, v in values.items()
        ],
    )
    return entries


@transaction.atomic
def contact_log_add(*, contact: CustomerContact, comment: str, user: Any) -> ContactLogEntry:
    require(user, "contact.write")
    if not (comment or "").strip():
        raise ValidationFailed("A log entry needs a comment.", {"comment": ["This field is required."]})
    entry = ContactLogEntry.objects.create(
        contact=contact, user=user, kind=ContactLogEntry.Kind.NOTE, comment=comment.strip()
    )
    audit_record(entity=entry, action="add", user=user, summary=f"log on contact {contact.id}")
    return entry


CORRECTABLE = {"description", "method", "contact_detail", "direction", "is_open", "contact_datetime"}


@transaction.atomic
def contact_correct(*, contact: CustomerContact, changes: dict[str, Any], reason: str, user: Any) -> ContactLogEntry:
    """Correct a contact. The contact itself is never deleted: the correction is a log entry that
    records the reason and the values before and after, and it is audited."""
    require(user, "contact.write")
    errors: Errors = {}
    unknown = set(changes) - CORRECTABLE
    if unknown:
        errors["changes"] = [f"These cannot be corrected: {', '.join(sorted(unknown))}."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the contact is corrected."]
    if "method" in changes and changes["method"] not in ContactMethod.values:
        errors["method"] = [f"Choose one of {', '.join(ContactMethod.values)}."]
    if "direction" in changes and changes["direction"] not in Direction.values:
        errors["direction"] = [f"Choose one of {', '.join(Direction.values)}."]
    if "contact_detail" in changes:
        detail, detail_errors = _normalise_detail(changes.get("method", contact.method), changes["contact_detail"])
        changes = {**changes, "contact_detail": detail}
        errors.update(detail_errors)
    if errors:
        raise ValidationFailed("The correction was not saved.", errors)
    before = audit_snapshot(contact)
    diff = {k: v for k, v in changes.items() if getattr(contact, k) != v}
    if not diff:
        raise ValidationFailed("Nothing to correct: the values are the same.", {"changes": ["No change."]})
    for k, v in diff.items():
        setattr(contact, k, v)
    contact.save(update_fields=list(diff))
    after = audit_snapshot(contact)
    kind = ContactLogEntry.Kind.CORRECTION
    if set(diff) == {"is_open"}:
        kind = ContactLogEntry.Kind.REOPENED if diff["is_open"] else ContactLogEntry.Kind.CLOSED
    entry = ContactLogEntry.objects.create(
        contact=contact,
        user=user,
        kind=kind,
        comment=reason.strip(),
        changes={"before": {k: before[k] for k in diff}, "after": {k: after[k] for k in diff}},
    )
    audit_record(entity=contact, action="correct", user=user, before=before, after=after, summary=reason)
    return entry


@transaction.atomic
def contact_class_save(*, code: str, description: str, user: Any, create: bool) -> ContactClass:
    """Create or change a Customer Contact Class (administrators only, audited)."""
    from custcare.customers.services import code_table_save

    return code_table_save(model=ContactClass, code=code, values={"description": description}, user=user, create=create)


@transaction.atomic
def characteristic_type_save(*, code: str, values: dict[str, Any], user: Any, create: bool) -> CharacteristicType:
    """Create or change a characteristic type (administrators only, audited)."""
    from custcare.customers.services import code_table_save

    return code_table_save(model=CharacteristicType, code=code, values=values, user=user, create=create)


def _contact_type_audit(ctype: ContactType) -> dict[str, Any]:
    snap = audit_snapshot(ctype)
    snap["characteristics"] = [
        {"char_type": c.char_type_id, "required": c.required, "default_value": c.default_value, "sequence": c.sequence}
        for c in ctype.characteristics.all()
    ]
    snap["algorithms"] = [{"algorithm": a.algorithm_id, "sequence": a.sequence} for a in ctype.algorithms.all()]
    return snap


@transaction.atomic
def contact_type_save(
    *,
    user: Any,
    values: dict[str, Any],
    characteristics: list[dict[str, Any]],
    algorithms: list[dict[str, Any]],
    contact_type: ContactType | None = None,
) -> ContactType:
    """Create (contact_type=None) or change a Customer Contact Type with its characteristic rules and
    validation algorithms, which are replaced as a whole. Every problem is reported at once and
    nothing changes on a refusal; administrators only; audited with the values before and after."""
    require(user, "config.write")
    before = _contact_type_audit(contact_type) if contact_type is not None else None
    ctype = contact_type or ContactType()
    for name, value in values.items():
        setattr(ctype, name, value)
    errors: Errors = {}
    try:
        ctype.full_clean()
    except ValidationError as exc:
        failed = ValidationFailed.from_django(exc)
        errors.update(failed.fields)
        if not failed.fields:
            errors["contact_type"] = [failed.message]
    char_rows: list[ContactTypeCharacteristic] = []
    known_chars = {
        c.code: c for c in CharacteristicType.objects.filter(code__in=[c["char_type"] for c in characteristics])
    }
    seen: set[str] = set()
    for i, item in enumerate(characteristics):
        char = known_chars.get(item["char_type"])
        if char is None:
            errors[f"characteristics.{i}.char_type"] = [f"No characteristic type '{item['char_type']}'."]
            continue
        if char.code in seen:
            errors[f"characteristics.{i}.char_type"] = [f"{char.code} is listed twice."]
        seen.add(char.code)
        default = (item.get("default_value") or "").strip()
        problem = char.value_error(default) if default else None
        if problem:
            errors[f"characteristics.{i}.default_value"] = [problem]
        char_rows.append(
            ContactTypeCharacteristic(
                char_type=char,
                required=bool(item.get("required", False)),
                default_value=default,
                sequence=item.get("sequence") or (i + 1) * 10,
            )
        )
    alg_rows: list[ContactTypeAlgorithm] = []
    known_algs = {a.code: a for a in Algorithm.objects.filter(code__in=[a["algorithm"] for a in algorithms])}
    for i, item in enumerate(algorithms):
        alg = known_algs.get(item["algorithm"])
        if alg is None:
            errors[f"algorithms.{i}.algorithm"] = [f"No algorithm '{item['algorithm']}'."]
            continue
        if alg.spot != Spot.CONTACT_VALIDATION:
            errors[f"algorithms.{i}.algorithm"] = [f"{alg.code} does not validate contacts (its spot is {alg.spot})."]
        alg_rows.append(ContactTypeAlgorithm(algorithm=alg, sequence=item.get("sequence") or (i + 1) * 10))
    if errors:
        raise ValidationFailed("The contact type was not saved; correct the fields shown.", errors)
    ctype.save()
    ctype.characteristics.all().delete()
    ctype.algorithms.all().delete()
    for char_row in char_rows:
        char_row.contact_type = ctype
    for alg_row in alg_rows:
        alg_row.contact_type = ctype
    ContactTypeCharacteristic.objects.bulk_create(char_rows)
    ContactTypeAlgorithm.objects.bulk_create(alg_rows)
    audit_record(
        entity=ctype, action="change" if before else "add", user=user, before=before, after=_contact_type_audit(ctype)
    )
    return ctype


@transaction.atomic
def reminder_resolve(*, reminder_id: int, user: Any, comment: str = "", todo_entry_id: str | None = None) -> None:
    """Step 1.9: the follow-up is done. Marks the reminder resolved and writes a log entry on its
    contact naming the To Do entry and the comment. Called when the reminder's To Do is completed."""
    from custcare.contacts.models import Reminder

    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    if reminder is None or reminder.state in (Reminder.State.RESOLVED, Reminder.State.CANCELED):
        return
    before = audit_snapshot(reminder)
    reminder.state = Reminder.State.RESOLVED
    reminder.save(update_fields=["state"])
    text = f"Reminder resolved (To Do {todo_entry_id} completed)" if todo_entry_id else "Reminder resolved"
    ContactLogEntry.objects.create(
        contact_id=reminder.contact_id,
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=ContactLogEntry.Kind.SYSTEM,
        comment=f"{text}: {comment}" if comment else text,
        changes={"reminder": reminder.pk, "todo_entry": todo_entry_id},
    )
    audit_record(entity=reminder, action="resolve", user=user, before=before)


def _reminder_recipient(send_to_user: Any, send_to_role: Any, errors: Errors) -> tuple[Any, Any]:
    """Resolve a recipient given as a user (or username) and/or a To Do role (or role code) to
    instances, recording why it cannot be used. Exactly one of the two must be named."""
    from django.contrib.auth import get_user_model

    from custcare.todo.models import ToDoRole

    if bool(send_to_user) == bool(send_to_role):
        errors["recipient"] = ["Send the reminder to a user or to a To Do role (one of the two)."]
        return None, None
    if send_to_user:
        users = get_user_model().objects
        found = (
            users.filter(pk=send_to_user.pk).first()
            if hasattr(send_to_user, "pk")
            else users.filter(username=str(send_to_user).strip()).first()
        )
        if found is None:
            errors["send_to_user"] = [f"There is no user '{send_to_user}'."]
        elif not found.is_active:
            errors["send_to_user"] = [f"User '{found.get_username()}' is no longer active; choose another recipient."]
        return found, None
    code = send_to_role.pk if hasattr(send_to_role, "pk") else str(send_to_role).strip()
    role = ToDoRole.objects.filter(pk=code).first()
    if role is None:
        errors["send_to_role"] = [f"There is no To Do role '{code}'."]
    return None, role


def _reminder_check_visible(*, contact_id: str, user: Any) -> None:
    from custcare.contacts.selectors import contact_list_visible

    require(user, "contact.write")
    if not contact_list_visible(user=user).filter(pk=contact_id).exists():
        raise AccessDenied("You may not add reminders to this contact (or it does not exist).")


def _reminder_text(reminder: Any) -> str:
    to = (
        f"user {reminder.send_to_user.get_username()}"
        if reminder.send_to_user_id
        else f"role {reminder.send_to_role_id}"
    )
    return f"Reminder for {to} on {reminder.trigger_date:%Y-%m-%d}: {reminder.comment}"


@transaction.atomic
def reminder_log(
    *,
    contact: CustomerContact,
    comment: str,
    user: Any,
    send_to_user: Any = None,
    send_to_role: Any = None,
    trigger_date: dt.date | None = None,
) -> Any:
    """Step 1.5–1.6: log a follow-up on a contact. Without a recipient the contact type's reminder
    role is used; without a date, today plus the type's days until reminder (tomorrow when the type
    has none). The log entry and the reminder are written together; on a refusal nothing is."""
    from custcare.contacts.models import Reminder

    _reminder_check_visible(contact_id=contact.pk, user=user)
    ctype = ContactType.objects.get(pk=contact.contact_type_id)
    if not send_to_user and not send_to_role and ctype.reminder_role:
        send_to_role = ctype.reminder_role
    if trigger_date is None:
        trigger_date = timezone.localdate() + dt.timedelta(days=ctype.reminder_days or 1)
    errors: Errors = {}
    to_user, to_role = _reminder_recipient(send_to_user, send_to_role, errors)
    if trigger_date < timezone.localdate():
        errors["trigger_date"] = ["The trigger date cannot be in the past."]
    comment = (comment or "").strip()
    if not comment:
        errors["comment"] = ["Say what the follow-up is about."]
    if errors:
        raise ValidationFailed("The reminder was not saved; correct the fields shown.", errors)
    reminder = Reminder(
        contact=contact,
        send_to_user=to_user,
        send_to_role=to_role,
        trigger_date=trigger_date,
        comment=comment,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    reminder.log_entry = ContactLogEntry.objects.create(
        contact=contact,
        user=reminder.created_by,
        kind=ContactLogEntry.Kind.NOTE,
        comment=_reminder_text(reminder),
    )
    reminder.save(force_insert=True)
    audit_record(entity=reminder, action="add", user=user, summary=f"reminder on contact {contact.pk}")
    return reminder


def _reminder_lock_pending(*, reminder_id: int, user: Any) -> Any:
    """The reminder, locked against TD-CCCB for the rest of the transaction, if it may still change."""
    from custcare.contacts.models import Reminder
    from custcare.core.errors import Conflict, NotFound

    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    if reminder is None:
        raise NotFound(f"No reminder {reminder_id}.")
    try:
        _reminder_check_visible(contact_id=reminder.contact_id, user=user)
    except AccessDenied as exc:
        raise NotFound(f"No reminder {reminder_id} that you may see.") from exc
    if reminder.state != Reminder.State.PENDING:
        done = {
            "SENT": "its To Do entry has been created; work the To Do instead",
            "RESOLVED": "it has been resolved",
            "CANCELED": "it has been canceled",
        }[str(reminder.state)]
        raise Conflict(f"Reminder {reminder_id} can no longer be changed: {done}.")
    return reminder


@transaction.atomic
def reminder_update(
    *,
    reminder_id: int,
    user: Any,
    trigger_date: dt.date | None = None,
    send_to_user: Any = None,
    send_to_role: Any = None,
    comment: str | None = None,
) -> Any:
    """Change a pending reminder's date, recipient (naming a user or a role replaces both) or comment.
    Once TD-CCCB has created its To Do the reminder is fixed. Logged on the contact and audited."""
    reminder = _reminder_lock_pending(reminder_id=reminder_id, user=user)
    before = audit_snapshot(reminder)
    old_text = _reminder_text(reminder)
    errors: Errors = {}
    if send_to_user or send_to_role:
        reminder.send_to_user, reminder.send_to_role = _reminder_recipient(send_to_user, send_to_role, errors)
    if trigger_date is not None:
        if trigger_date < timezone.localdate():
            errors["trigger_date"] = ["The trigger date cannot be in the past."]
        reminder.trigger_date = trigger_date
    if comment is not None:
        if not comment.strip():
            errors["comment"] = ["Say what the follow-up is about."]
        reminder.comment = comment.strip()
    if errors:
        raise ValidationFailed("The reminder was not changed; correct the fields shown.", errors)
    after = audit_snapshot(reminder)
    if after == before:
        raise ValidationFailed("Nothing to change: the values are the same.", {"reminder": ["No change."]})
    reminder.save(update_fields=["send_to_user", "send_to_role", "trigger_date", "comment"])
    changed = [k for k in after if after[k] != before[k]]
    ContactLogEntry.objects.create(
        contact_id=reminder.contact_id,
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=ContactLogEntry.Kind.NOTE,
        comment=f"Reminder {reminder.pk} changed. Was: {old_text}. Now: {_reminder_text(reminder)}",
        changes={
            "reminder": reminder.pk,
            "before": {k: before[k] for k in changed},
            "after": {k: after[k] for k in changed},
        },
    )
    audit_record(entity=reminder, action="change", user=user, before=before, after=after)
    return reminder


@transaction.atomic
def reminder_cancel(*, reminder_id: int, user: Any, comment: str = "") -> Any:
    """Cancel a pending reminder: TD-CCCB will not create its To Do. Logged on the contact, audited."""
    from custcare.contacts.models import Reminder

    reminder = _reminder_lock_pending(reminder_id=reminder_id, user=user)
    before = audit_snapshot(reminder)
    reminder.state = Reminder.State.CANCELED
    reminder.save(update_fields=["state"])
    text = f"Reminder {reminder.pk} canceled ({_reminder_text(reminder)})"
    ContactLogEntry.objects.create(
        contact_id=reminder.contact_id,
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=ContactLogEntry.Kind.NOTE,
        comment=f"{text}: {comment.strip()}" if comment.strip() else text,
        changes={"reminder": reminder.pk},
    )
    audit_record(entity=reminder, action="cancel", user=user, before=before)
    return reminder
