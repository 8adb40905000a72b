"""Writes on customer records: establishing persons, accounts, premises and service agreements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from custcare.core.audit import audit_record, audit_snapshot
from custcare.core.errors import Conflict, NotFound, ValidationFailed
from custcare.customers.models import (
    SA_TRANSITIONS,
    AccessGroup,
    Account,
    AccountPerson,
    CustomerClass,
    IdentifierType,
    Person,
    PersonEmail,
    PersonIdentifier,
    PersonName,
    PersonPhone,
    Premise,
    PremiseType,
    SAType,
    ServiceAgreement,
    user_access_group_ids,
)
from custcare.customers.normalize import PhoneError, identifier_key, name_key, phone_e164, street_key
from custcare.security.roles import require


@dataclass
class NameIn:
    name: str
    name_type: str = PersonName.NameType.PRIMARY
    is_primary: bool = True


@dataclass
class PhoneIn:
    number: str
    phone_type: str = PersonPhone.PhoneType.HOME
    extension: str = ""


@dataclass
class IdentifierIn:
    id_type: str
    value: str
    is_primary: bool = False


@dataclass
class AddressIn:
    house_number: str = ""
    street: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"

    def as_fields(self) -> dict[str, str]:
        return {k: (v or "").strip() for k, v in self.__dict__.items()}


@dataclass
class PersonIn:
    names: list[NameIn]
    kind: str = Person.Kind.PERSON
    phones: list[PhoneIn] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    identifiers: list[IdentifierIn] = field(default_factory=list)
    address: AddressIn = field(default_factory=AddressIn)
    preferred_language: str = "en"
    date_of_birth: dt.date | None = None
    override_mail_name: str = ""
    life_support: bool = False
    life_support_description: str = ""


@dataclass
class AccountIn:
    customer_class: str
    access_group: str
    setup_date: dt.date | None = None
    bill_cycle: str = ""
    currency: str = "USD"
    collection_class: str = ""
    cash_only: bool = False
    credit_rating: int = 1000
    division: str | None = None


@dataclass
class PremiseIn:
    address: AddressIn
    premise_type: str
    division: str | None = None
    life_support: bool = False
    life_support_description: str = ""
    mailing_address: str = ""


def _full_clean(instance: Any, prefix: str = "", exclude: list[str] | None = None) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {f"{prefix}{k}": [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {}


def _person_children(person: Person, data: PersonIn) -> tuple[list[Any], dict[str, list[str]]]:
    """Build (unsaved) names, phones, emails and identifiers; collect every error at once."""
    errors: dict[str, list[str]] = {}
    rows: list[Any] = []
    names = [n for n in data.names if n.name.strip()]
    if not names:
        errors["names"] = ["A person needs a name."]
    primaries = [n for n in names if n.is_primary]
    if names and len(primaries) != 1:
        errors["names"] = ["Exactly one name must be the primary name."]
    for i, n in enumerate(names):
        key = name_key(n.name)
        if len(key) < 2:
            errors[f"names.{i}.name"] = ["A name needs at least two letters or digits."]
        rows.append(
            PersonName(
                person=person, name=n.name.strip(), name_type=n.name_type, is_primary=n.is_primary, search_name=key
            )
        )
    for i, p in enumerate(data.phones):
        try:
            number = phone_e164(p.number)
        except PhoneError as exc:
            errors[f"phones.{i}.number"] = [str(exc)]
            continue
        if p.phone_type not in PersonPhone.PhoneType.values:
            errors[f"phones.{i}.phone_type"] = [f"Choose one of {', '.join(PersonPhone.PhoneType.values)}."]
        rows.append(PersonPhone(person=person, number=number, phone_type=p.phone_type, extension=p.extension))
    for i, e in enumerate(data.emails):
        email = PersonEmail(person=person, address=e.strip(), is_primary=(i == 0))
        errors.update(_full_clean(email, f"emails.{i}.", exclude=["person"]))
        rows.append(email)
    known_types = set(IdentifierType.objects.values_list("code", flat=True)) if data.identifiers else set()
    for i, ident in enumerate(data.identifiers):
        if ident.id_type not in known_types:
            errors[f"identifiers.{i}.id_type"] = [f"Unknown identifier type '{ident.id_type}'."]
            continue
        key = identifier_key(ident.value)
        if len(key) < 4:
            errors[f"identifiers.{i}.value"] = ["An identifier needs at least 4 letters or digits."]
        rows.append(
            PersonIdentifier(
                person=person,
                id_type_id=ident.id_type,
                value=ident.value.strip(),
                search_value=key,
                is_primary=ident.is_primary,
            )
        )
    return rows, errors


def _save_children(rows: list[Any]) -> None:
    by_model: dict[Any, list[Any]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, items in by_model.items():
        model.objects.bulk_create(items)


def _person_build(data: PersonIn) -> tuple[Person, list[Any], dict[str, list[str]]]:
    primary = next((n.name.strip() for n in data.names if n.is_primary and n.name.strip()), "")
    person = Person(
        kind=data.kind,
        primary_name=primary,
        preferred_language=data.preferred_language or "en",
        date_of_birth=data.date_of_birth,
        override_mail_name=data.override_mail_name,
        life_support=data.life_support,
        life_support_description=data.life_support_description,
        **data.address.as_fields(),
    )
    errors = _full_clean(person, exclude=["id", "primary_name"])
    if data.life_support and not data.life_support_description.strip():
        errors["life_support_description"] = ["Describe the life-support or sensitive-load equipment."]
    rows, child_errors = _person_children(person, data)
    errors.update(child_errors)
    return person, rows, errors


def _identifier_conflicts(rows: list[Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    idents = [r for r in rows if isinstance(r, PersonIdentifier)]
    for i, ident in enumerate(idents):
        if PersonIdentifier.objects.filter(id_type_id=ident.id_type_id, search_value=ident.search_value).exists():
            errors[f"identifiers.{i}.value"] = [
                f"This {ident.id_type_id} is already recorded for another person; search for it instead."
            ]
    return errors


@transaction.atomic
def person_create(*, data: PersonIn, user: Any) -> Person:
    require(user, "customer.write")
    person, rows, errors = _person_build(data)
    errors.update(_identifier_conflicts(rows))
    if errors:
        raise ValidationFailed("The person could not be saved; correct the fields shown.", errors)
    person.save(force_insert=True)
    _save_children(rows)
    audit_record(entity=person, action="add", user=user, after=_person_audit(person, rows))
    return person


def _person_audit(person: Person, rows: list[Any]) -> dict[str, Any]:
    snap = audit_snapshot(person)
    snap["names"] = [r.name for r in rows if isinstance(r, PersonName)]
    snap["phones"] = [r.number for r in rows if isinstance(r, PersonPhone)]
    snap["emails"] = [r.address for r in rows if isinstance(r, PersonEmail)]
    snap["identifiers"] = [f"{r.id_type_id}:{r.masked}" for r in rows if isinstance(r, PersonIdentifier)]
    return snap


@transaction.atomic
def person_update(*, person: Person, data: PersonIn, user: Any) -> Person:
    """Replace the person's details (names, phones, emails, identifiers, address, flags)."""
    require(user, "customer.write")
    before = _person_audit(
        person,
        [*person.names.all(), *person.phones.all(), *person.emails.all(), *person.identifiers.all()],
    )
    updated, rows, errors = _person_build(data)
    updated.id = person.id
    updated.created_at = person.created_at
    existing_idents = {(i.id_type_id, i.search_value) for i in person.identifiers.all()}
    new_idents = [
        r for r in rows if isinstance(r, PersonIdentifier) and (r.id_type_id, r.search_value) not in existing_idents
    ]
    errors.update(_identifier_conflicts(new_idents))
    if errors:
        raise ValidationFailed("The person could not be saved; correct the fields shown.", errors)
    for row in rows:
        row.person = updated
    for rel in (person.names, person.phones, person.emails, person.identifiers):
        rel.all().delete()
    updated.save(force_update=True)
    _save_children(rows)
    audit_record(entity=updated, action="change", user=user, before=before, after=_person_audit(updated, rows))
    return updated


def _check_codes(
    errors: dict[str, list[str]], prefix: str, model: Any, field_name: str, code: str | None, required: bool = True
) -> None:
    if not code:
        if required:
            errors[f"{prefix}{field_name}"] = ["This field is required."]
        return
    if not model.objects.filter(pk=code).exists():
        errors[f"{prefix}{field_name}"] = [f"Unknown {model._meta.verbose_name} '{code}'."]


def _account_build(data: AccountIn, user: Any, prefix: str = "account.") -> tuple[Account, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    _check_codes(errors, prefix, CustomerClass, "customer_class", data.customer_class)
    _check_codes(errors, prefix, AccessGroup, "access_group", data.access_group)
    if (
        data.access_group
        and not getattr(user, "is_superuser", False)
        and data.access_group not in user_access_group_ids(user)
    ):
        errors[f"{prefix}access_group"] = [f"You cannot create accounts in access group '{data.access_group}'."]
    account = Account(
        customer_class_id=data.customer_class,
        access_group_id=data.access_group,
        setup_date=data.setup_date or timezone.localdate(),
        bill_cycle=data.bill_cycle,
        currency=data.currency,
        collection_class=data.collection_class,
        cash_only=data.cash_only,
        credit_rating=data.credit_rating,
        division_id=data.division or None,
    )
    if not errors:
        errors.update(_full_clean(account, prefix, exclude=["id", "mailing_premise"]))
    return account, errors


def _premise_build(data: PremiseIn, prefix: str = "premise.") -> tuple[Premise, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    _check_codes(errors, prefix, PremiseType, "premise_type", data.premise_type)
    addr = data.address.as_fields()
    if not addr["street"]:
        errors[f"{prefix}street"] = ["A service address needs a street."]
    premise = Premise(
        premise_type_id=data.premise_type,
        division_id=data.division or None,
        street_key=street_key(addr["street"]),
        life_support=data.life_support,
        life_support_description=data.life_support_description,
        mailing_address=data.mailing_address,
        **addr,
    )
    if not errors:
        errors.update(_full_clean(premise, prefix, exclude=["id"]))
    return premise, errors


@transaction.atomic
def premise_create(*, data: PremiseIn, user: Any) -> Premise:
    require(user, "customer.write")
    premise, errors = _premise_build(data, prefix="")
    if errors:
        raise ValidationFailed("The premise could not be saved; correct the fields shown.", errors)
    premise.save(force_insert=True)
    audit_record(entity=premise, action="add", user=user)
    return premise


@transaction.atomic
def account_create(
    *,
    data: AccountIn,
    main_person: Person,
    user: Any,
    mailing_premise: Premise | None = None,
    relationship_type: str = AccountPerson.RelationshipType.MAIN,
) -> Account:
    require(user, "customer.write")
    account, errors = _account_build(data, user, prefix="")
    if errors:
        raise ValidationFailed("The account could not be saved; correct the fields shown.", errors)
    account.mailing_premise = mailing_premise
    account.save(force_insert=True)
    link = AccountPerson.objects.create(
        account=account,
        person=main_person,
        relationship_type=relationship_type,
        main_customer=True,
        financially_responsible=True,
        receives_notifications=True,
        bill_address_source=AccountPerson.BillAddressSource.PREMISE
        if mailing_premise
        else AccountPerson.BillAddressSource.PERSON,
    )
    audit_record(entity=account, action="add", user=user)
    audit_record(entity=link, action="add", user=user)
    return account


@transaction.atomic
def account_person_add(
    *,
    account: Account,
    person: Person,
    relationship_type: str,
    user: Any,
    financially_responsible: bool = False,
    receives_copy_of_bill: bool = False,
    bill_copies: int = 0,
    receives_notifications: bool = True,
    third_party: bool = False,
) -> AccountPerson:
    require(user, "customer.write")
    if relationship_type not in AccountPerson.RelationshipType.values or relationship_type == "MAIN":
        raise ValidationFailed(
            "Choose a relationship type other than main customer.", {"relationship_type": ["Invalid choice."]}
        )
    if receives_copy_of_bill and bill_copies < 1:
        bill_copies = 1
    try:
        with transaction.atomic():
            link = AccountPerson.objects.create(
                account=account,
                person=person,
                relationship_type=relationship_type,
                financially_responsible=financially_responsible,
                receives_copy_of_bill=receives_copy_of_bill,
                bill_copies=bill_copies,
                receives_notifications=receives_notifications,
                third_party=third_party,
            )
    except IntegrityError as exc:
        raise Conflict(f"Person {person.id} is already linked to account {account.id}.") from exc
    audit_record(entity=link, action="add", user=user)
    return link


@transaction.atomic
def account_main_customer_set(*, account: Account, person: Person, user: Any) -> AccountPerson:
    """Make `person` the account's main customer (exactly one per account)."""
    require(user, "customer.write")
    link = AccountPerson.objects.filter(account=account, person=person).first()
    if link is None:
        raise NotFound(f"Person {person.id} is not linked to account {account.id}.")
    AccountPerson.objects.filter(account=account, main_customer=True).exclude(pk=link.pk).update(main_customer=False)
    link.main_customer = True
    link.financially_responsible = True
    link.save(update_fields=["main_customer", "financially_responsible"])
    audit_record(entity=link, action="main-customer", user=user, after={"main_customer": True})
    return link


@transaction.atomic
def service_agreement_create(
    *,
    account: Account,
    sa_type: str,
    premise: Premise | None,
    start_date: dt.date,
    user: Any,
    activate: bool = False,
) -> ServiceAgreement:
    require(user, "customer.write")
    errors: dict[str, list[str]] = {}
    _check_codes(errors, "", SAType, "sa_type", sa_type)
    if errors:
        raise ValidationFailed("The service agreement could not be saved.", errors)
    sa = ServiceAgreement.objects.create(
        account=account,
        sa_type_id=sa_type,
        premise=premise,
        start_date=start_date,
        status=ServiceAgreement.Status.ACTIVE if activate else ServiceAgreement.Status.PENDING_START,
    )
    audit_record(entity=sa, action="add", user=user)
    return sa


@transaction.atomic
def service_agreement_transition(
    *, sa: ServiceAgreement, to_status: str, user: Any, on_date: dt.date | None = None, raise_event: bool = True
) -> ServiceAgreement:
    """Move an SA along its lifecycle; stopping records the end date, reactivating clears nothing.
    Activating a pending-start SA raises the service-agreement-activated system event in the same
    transaction (its SA type's activation algorithms run, e.g. SAAT-NB); the event's own processing
    passes raise_event=False."""
    require(user, "customer.write")
    if to_status not in ServiceAgreement.Status.values:
        raise ValidationFailed(f"Unknown status '{to_status}'.", {"status": ["Invalid choice."]})
    allowed = SA_TRANSITIONS[sa.status]
    if to_status not in allowed:
        names = ", ".join(ServiceAgreement.Status(s).label for s in sorted(allowed)) or "none"
        raise Conflict(
            f"A {sa.get_status_display().lower()} service agreement cannot become "
            f"{ServiceAgreement.Status(to_status).label.lower()}; allowed next: {names}."
        )
    before = audit_snapshot(sa)
    sa.status = to_status
    if to_status in (ServiceAgreement.Status.PENDING_STOP, ServiceAgreement.Status.STOPPED):
        sa.end_date = on_date or sa.end_date or timezone.localdate()
        if sa.end_date < sa.start_date:
            raise ValidationFailed("The stop date is before the start date.", {"end_date": ["Too early."]})
    if to_status == ServiceAgreement.Status.ACTIVE and on_date and sa.status != ServiceAgreement.Status.PENDING_START:
        sa.end_date = None
    sa.save(update_fields=["status", "end_date"])
    audit_record(entity=sa, action=f"status-{to_status}", user=user, before=before)
    if (
        raise_event
        and to_status == ServiceAgreement.Status.ACTIVE
        and before["status"] == ServiceAgreement.Status.PENDING_START
    ):
        from custcare.events.services import service_agreement_activated_raise

        service_agreement_activated_raise(sa=sa, user=user)
    return sa


@dataclass
class Established:
    person: Person
    account: Account
    premise: Premise | None
    service_agreements: list[ServiceAgreement]


class DuplicatesFound(ValidationFailed):
    """Raised by the establish flow when likely duplicates exist and the user has not confirmed."""

    status = 409

    def __init__(self, candidates: list[Any]) -> None:
        super().__init__(
            "This person may already exist. Review the likely duplicates, or confirm to create a new person.",
            {"duplicates": [c.reason_text for c in candidates]},
        )
        self.candidates = candidates


@transaction.atomic
def person_account_establish(
    *,
    person: PersonIn,
    account: AccountIn,
    user: Any,
    premise: PremiseIn | None = None,
    premise_id: str | None = None,
    sa_types: list[str] | None = None,
    sa_start_date: dt.date | None = None,
    confirm_not_duplicate: bool = False,
) -> Established:
    """Step 1.3: establish a person and an account (and optionally the premise and service
    agreements) in one transaction, after warning about likely duplicates."""
    from custcare.customers.selectors import person_duplicates_find

    require(user, "customer.write")
    new_person, rows, errors = _person_build(person)
    errors = {f"person.{k}": v for k, v in errors.items()}
    # An identifier already on file is reported after the duplicate check, which names the person
    # holding it (when the user may see them); confirming cannot get past it: identifiers are unique.
    identifier_errors = {f"person.{k}": v for k, v in _identifier_conflicts(rows).items()}
    new_account, acct_errors = _account_build(account, user)
    errors.update(acct_errors)
    new_premise: Premise | None = None
    if premise_id:
        from custcare.customers.selectors import premise_get

        new_premise = premise_get(premise_id=premise_id, user=user)
    elif premise is not None:
        new_premise, prem_errors = _premise_build(premise)
        errors.update(prem_errors)
    for i, code in enumerate(sa_types or []):
        if not SAType.objects.filter(pk=code).exists():
            errors[f"sa_types.{i}"] = [f"Unknown SA type '{code}'."]
    if sa_types and new_premise is None:
        errors["sa_types"] = ["Service agreements need a premise."]
    if errors:
        raise ValidationFailed("Nothing was saved; correct the fields shown.", errors)
    if not confirm_not_duplicate:
        candidates = person_duplicates_find(
            names=[r.search_name for r in rows if isinstance(r, PersonName)],
            phones=[r.number for r in rows if isinstance(r, PersonPhone)],
            identifiers=[(r.id_type_id, r.search_value) for r in rows if isinstance(r, PersonIdentifier)],
            house_number=(premise.address.house_number if premise else person.address.house_number),
            street=(premise.address.street if premise else person.address.street),
            user=user,
        )
        if candidates:
            raise DuplicatesFound(candidates)
    if identifier_errors:
        raise ValidationFailed("Nothing was saved; correct the fields shown.", identifier_errors)
    new_person.save(force_insert=True)
    _save_children(rows)
    audit_record(entity=new_person, action="add", user=user, after=_person_audit(new_person, rows))
    if new_premise is not None and premise_id is None:
        new_premise.save(force_insert=True)
        audit_record(entity=new_premise, action="add", user=user)
    new_account = account_create(data=account, main_person=new_person, user=user, mailing_premise=new_premise)
    sas = [
        service_agreement_create(
            account=new_account,
            sa_type=code,
            premise=new_premise,
            start_date=sa_start_date or timezone.localdate(),
            user=user,
        )
        for code in (sa_types or [])
    ]
    return Established(person=new_person, account=new_account, premise=new_premise, service_agreements=sas)


CODE_TABLES = (AccessGroup, CustomerClass, PremiseType, IdentifierType, SAType)


@transaction.atomic
def code_table_save(*, model: Any, code: str, values: dict[str, Any], user: Any, create: bool) -> Any:
    """Create (create=True) or change a configuration code row: administrators only, validated with
    the model's own rules and audited. Creating an existing code or changing a missing one is refused,
    so an integrator's typo never silently overwrites configuration."""
    require(user, "config.write")
    existing = model.objects.filter(pk=code).first()
    if create and existing is not None:
        raise Conflict(f"{model._meta.verbose_name.capitalize()} '{code}' already exists.", {"code": ["Taken."]})
    if not create and existing is None:
        raise NotFound(f"No {model._meta.verbose_name} '{code}'.")
    before = audit_snapshot(existing) if existing is not None else None
    row = existing or model(pk=code)
    for name, value in values.items():
        setattr(row, name, value)
    try:
        row.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc, f"The {model._meta.verbose_name} was not saved.") from exc
    row.save(force_insert=create)
    audit_record(entity=row, action="add" if create else "change", user=user, before=before)
    return row
