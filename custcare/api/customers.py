"""/persons, /accounts, /premises and /service-agreements: the customer records contacts hang on.

Identifiers (tax id, driver's licence, ...) are only ever returned masked. Every read goes through the
selectors, so a user never sees a record outside their access groups: such a record answers 404.
"""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from custcare.api.errors import ERRORS, ErrorOut
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, AccountPerson, Person
from custcare.customers.selectors import (
    account_detail_get,
    account_get,
    account_list,
    account_premises,
    person_detail_get,
    person_get,
    person_list,
    premise_get,
    premise_list,
    service_agreement_get,
    service_agreement_list,
)
from custcare.customers.services import (
    AccountIn,
    AddressIn,
    DuplicatesFound,
    IdentifierIn,
    NameIn,
    PersonIn,
    PhoneIn,
    PremiseIn,
    account_create,
    account_main_customer_set,
    account_person_add,
    person_account_establish,
    person_create,
    person_update,
    premise_create,
    service_agreement_create,
    service_agreement_transition,
)

router = Router()

ADDRESS_FIELDS = ("house_number", "street", "address2", "city", "state", "postal_code", "country")


class AddressSchema(Schema):
    house_number: str = ""
    street: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"


class NameSchema(Schema):
    name: str
    name_type: str = Field("PRIM", description="PRIM, ALIAS, DBA or MAIDEN.")
    is_primary: bool = True


class PhoneInSchema(Schema):
    number: str = Field(..., description="In any format; stored as E.164.")
    phone_type: str = Field("HOME", description="HOME, MOBILE, BUSN or FAX.")
    extension: str = ""


class IdentifierInSchema(Schema):
    id_type: str = Field(..., description="An identifier type code, e.g. TAXID.")
    value: str
    is_primary: bool = False


class PersonSchema(Schema):
    kind: str = Field("P", description="P (individual) or B (business).")
    names: list[NameSchema]
    phones: list[PhoneInSchema] = []
    emails: list[str] = []
    identifiers: list[IdentifierInSchema] = []
    address: AddressSchema = Field(default_factory=AddressSchema, description="The mailing address.")
    preferred_language: str = "en"
    date_of_birth: dt.date | None = None
    override_mail_name: str = ""
    life_support: bool = False
    life_support_description: str = ""

    def to_data(self) -> PersonIn:
        return PersonIn(
            kind=self.kind,
            names=[NameIn(**n.dict()) for n in self.names],
            phones=[PhoneIn(**p.dict()) for p in self.phones],
            emails=list(self.emails),
            identifiers=[IdentifierIn(**i.dict()) for i in self.identifiers],
            address=AddressIn(**self.address.dict()),
            preferred_language=self.preferred_language,
            date_of_birth=self.date_of_birth,
            override_mail_name=self.override_mail_name,
            life_support=self.life_support,
            life_support_description=self.life_support_description,
        )


class AccountSchema(Schema):
    customer_class: str = Field(..., description="A customer class code, e.g. R.")
    access_group: str = Field(..., description="One of your access groups, e.g. RES.")
    setup_date: dt.date | None = None
    bill_cycle: str = ""
    currency: str = "USD"
    collection_class: str = ""
    cash_only: bool = False
    credit_rating: int = 1000
    division: str | None = None

    def to_data(self) -> AccountIn:
        return AccountIn(**self.dict())


class AccountCreateIn(AccountSchema):
    person_id: str = Field(..., description="The existing person who becomes the main customer.")
    mailing_premise_id: str | None = None


class PremiseSchema(AddressSchema):
    premise_type: str = Field(..., description="A premise type code, e.g. HOUSE.")
    division: str | None = None
    life_support: bool = False
    life_support_description: str = ""
    mailing_address: str = ""

    def to_data(self) -> PremiseIn:
        data = self.dict()
        address = AddressIn(**{k: data.pop(k) for k in ADDRESS_FIELDS})
        return PremiseIn(address=address, **data)


class EstablishIn(Schema):
    person: PersonSchema
    account: AccountSchema
    premise: PremiseSchema | None = Field(None, description="A new service address; or give premise_id.")
    premise_id: str | None = None
    sa_types: list[str] = Field([], description="SA type codes to start at the premise.")
    sa_start_date: dt.date | None = None
    confirm_not_duplicate: bool = Field(
        False, description="Send true after reviewing the likely duplicates a 409 answer listed."
    )


class AccountPersonIn(Schema):
    person_id: str
    relationship_type: str = Field(..., description="SPOUSE, TENANT, LANDLORD, AGENT or OTHER.")
    financially_responsible: bool = False
    receives_copy_of_bill: bool = False
    bill_copies: int = 0
    receives_notifications: bool = True
    third_party: bool = False


class MainCustomerIn(Schema):
    person_id: str


class ServiceAgreementIn(Schema):
    account_id: str
    sa_type: str
    premise_id: str | None = None
    start_date: dt.date
    activate: bool = Field(False, description="Start active rather than pending start.")


class TransitionIn(Schema):
    status: str = Field(..., description="PS, AC, PX, ST, RE, CL or CN.")
    date: dt.date | None = Field(None, description="The stop date, for pending stop and stopped.")


class PersonSummaryOut(Schema):
    id: str
    kind: str
    primary_name: str
    address_text: str
    life_support: bool


class PremiseOut(Schema):
    id: str
    premise_type: str = Field(..., alias="premise_type_id")
    address: dict[str, str]
    address_text: str
    division: str | None = Field(None, alias="division_id")
    life_support: bool
    life_support_description: str
    mailing_address: str

    @staticmethod
    def resolve_address(obj: Any) -> dict[str, str]:
        return {k: getattr(obj, k) for k in ADDRESS_FIELDS}


class ServiceAgreementOut(Schema):
    id: str
    account_id: str
    sa_type: str = Field(..., alias="sa_type_id")
    sa_type_description: str = Field(..., alias="sa_type.description")
    premise_id: str | None
    start_date: dt.date
    end_date: dt.date | None
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()


class AccountOut(Schema):
    id: str
    customer_class: str = Field(..., alias="customer_class_id")
    access_group: str = Field(..., alias="access_group_id")
    setup_date: dt.date
    bill_cycle: str
    currency: str
    cash_only: bool
    credit_rating: int


class RelationshipOut(Schema):
    relationship_type: str
    main_customer: bool
    financially_responsible: bool
    third_party: bool
    receives_copy_of_bill: bool
    bill_copies: int
    receives_notifications: bool
    bill_address_source: str


class AccountPersonOut(RelationshipOut):
    account_id: str
    person_id: str


class PersonAccountOut(RelationshipOut):
    account_id: str
    customer_class: str
    access_group: str


class AccountPersonDetailOut(RelationshipOut):
    person_id: str
    name: str


class NameOut(Schema):
    name: str
    name_type: str
    is_primary: bool


class PhoneOut(Schema):
    phone_type: str
    number: str = Field(..., description="E.164")
    display: str
    extension: str


class EmailOut(Schema):
    address: str
    is_primary: bool


class IdentifierOut(Schema):
    id_type: str
    masked: str = Field(..., description="All but the last four characters hidden; the value is never returned.")
    is_primary: bool


class PersonDetailOut(Schema):
    id: str
    kind: str
    primary_name: str
    names: list[NameOut]
    phones: list[PhoneOut]
    emails: list[EmailOut]
    identifiers: list[IdentifierOut]
    address: dict[str, str]
    address_text: str
    preferred_language: str
    date_of_birth: dt.date | None
    override_mail_name: str
    life_support: bool
    life_support_description: str
    accounts: list[PersonAccountOut]


class AccessGroupOut(Schema):
    code: str
    description: str


class AccountDetailOut(AccountOut):
    customer_class_description: str
    access_group_detail: AccessGroupOut
    division: str | None
    collection_class: str
    mailing_premise_id: str | None
    persons: list[AccountPersonDetailOut]
    premises: list[PremiseOut]
    service_agreements: list[ServiceAgreementOut]


class EstablishedOut(Schema):
    person: PersonDetailOut
    account: AccountDetailOut
    premise: PremiseOut | None
    service_agreements: list[ServiceAgreementOut]


class DuplicateOut(Schema):
    person_id: str
    name: str
    reasons: list[str]


class DuplicatesErrorOut(ErrorOut):
    duplicates: list[DuplicateOut]


def _relationship(link: AccountPerson) -> dict[str, Any]:
    return {k: getattr(link, k) for k in RelationshipOut.model_fields}


def _person_detail(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "kind": person.kind,
        "primary_name": person.primary_name,
        "names": [{"name": n.name, "name_type": n.name_type, "is_primary": n.is_primary} for n in person.names.all()],
        "phones": [
            {"phone_type": p.phone_type, "number": p.number, "display": p.display, "extension": p.extension}
            for p in person.phones.all()
        ],
        "emails": [{"address": e.address, "is_primary": e.is_primary} for e in person.emails.all()],
        "identifiers": [
            {"id_type": i.id_type_id, "masked": i.masked, "is_primary": i.is_primary} for i in person.identifiers.all()
        ],
        "address": {k: getattr(person, k) for k in ADDRESS_FIELDS},
        "address_text": person.address_text,
        "preferred_language": person.preferred_language,
        "date_of_birth": person.date_of_birth,
        "override_mail_name": person.override_mail_name,
        "life_support": person.life_support,
        "life_support_description": person.life_support_description,
        "accounts": [
            {
                "account_id": link.account_id,
                "customer_class": link.account.customer_class_id,
                "access_group": link.account.access_group_id,
                **_relationship(link),
            }
            for link in person.account_persons.all()
        ],
    }


def _account_detail(account: Account) -> dict[str, Any]:
    return {
        **AccountOut.from_orm(account).dict(by_alias=True),
        "customer_class_description": account.customer_class.description,
        "access_group_detail": {"code": account.access_group.code, "description": account.access_group.description},
        "division": account.division_id,
        "collection_class": account.collection_class,
        "mailing_premise_id": account.mailing_premise_id,
        "persons": [
            {"person_id": link.person_id, "name": link.person.primary_name, **_relationship(link)}
            for link in account.account_persons.all()
        ],
        "premises": account_premises(account),
        "service_agreements": list(account.service_agreements.all()),
    }


def _address_fields(exc: ValidationFailed) -> ValidationFailed:
    """Person errors name mailing-address fields as the request nests them: `address.street`."""
    exc.fields = {
        (f"address.{k}" if k.split(".")[-1] in ADDRESS_FIELDS and "." not in k else k): v for k, v in exc.fields.items()
    }
    return exc


@router.post("/persons", response={201: PersonDetailOut, **ERRORS}, summary="Create a person")
def person_add(request, payload: PersonSchema):  # type: ignore[no-untyped-def]
    try:
        person = person_create(data=payload.to_data(), user=request.user)
    except ValidationFailed as exc:
        raise _address_fields(exc) from None
    return Status(201, _person_detail(person_detail_get(person_id=person.id, user=request.user)))


@router.get("/persons", response={200: list[PersonSummaryOut], **ERRORS}, summary="List persons")
@paginate(LimitOffsetPagination)
def person_index(request, name: str = ""):  # type: ignore[no-untyped-def]
    """Persons you may see, by primary name; `name` keeps those with a name (or alias) starting with it."""
    return person_list(user=request.user, name_prefix=name)


@router.post(
    "/persons/establish",
    response={201: EstablishedOut, 409: DuplicatesErrorOut, **{k: v for k, v in ERRORS.items() if k != 409}},
    summary="Establish a person and an account",
)
def person_establish(request, payload: EstablishIn):  # type: ignore[no-untyped-def]
    """Step 1.3: person, account, optionally a premise and service agreements, in one transaction.
    Likely duplicates (same phone, same identifier, a similar name at the same address) answer 409
    and save nothing; review them, then send again with `confirm_not_duplicate: true`."""
    try:
        done = person_account_establish(
            person=payload.person.to_data(),
            account=payload.account.to_data(),
            premise=payload.premise.to_data() if payload.premise else None,
            premise_id=payload.premise_id,
            sa_types=payload.sa_types,
            sa_start_date=payload.sa_start_date,
            confirm_not_duplicate=payload.confirm_not_duplicate,
            user=request.user,
        )
    except DuplicatesFound as exc:
        duplicates = [
            {"person_id": c.person.id, "name": c.person.primary_name, "reasons": c.reasons} for c in exc.candidates
        ]
        return Status(409, {"message": exc.message, "fields": exc.fields, "duplicates": duplicates})
    except ValidationFailed as exc:
        exc.fields = {
            (f"person.address.{k.split('.', 1)[1]}" if k.startswith("person.") and k[7:] in ADDRESS_FIELDS else k): v
            for k, v in exc.fields.items()
        }
        raise
    person = person_detail_get(person_id=done.person.id, user=request.user)
    account = account_detail_get(account_id=done.account.id, user=request.user)
    return Status(
        201,
        {
            "person": _person_detail(person),
            "account": _account_detail(account),
            "premise": done.premise,
            "service_agreements": done.service_agreements,
        },
    )


@router.get("/persons/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="Read a person")
def person_read(request, person_id: str):  # type: ignore[no-untyped-def]
    """Names, phones (E.164 and formatted), emails, identifiers (masked), the mailing address, the
    life-support flag, and the accounts you may see with the person's relationship to each."""
    return _person_detail(person_detail_get(person_id=person_id, user=request.user))


@router.put("/persons/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="Replace a person's details")
def person_change(request, person_id: str, payload: PersonSchema):  # type: ignore[no-untyped-def]
    """Replaces names, phones, emails, identifiers, the address and flags with what is sent."""
    person = person_get(person_id=person_id, user=request.user)
    try:
        person_update(person=person, data=payload.to_data(), user=request.user)
    except ValidationFailed as exc:
        raise _address_fields(exc) from None
    return _person_detail(person_detail_get(person_id=person_id, user=request.user))


@router.post("/accounts", response={201: AccountDetailOut, **ERRORS}, summary="Create an account")
def account_add(request, payload: AccountCreateIn):  # type: ignore[no-untyped-def]
    """An account for an existing person, who becomes its main customer."""
    data = payload.dict()
    person = person_get(person_id=data.pop("person_id"), user=request.user)
    premise_id = data.pop("mailing_premise_id")
    premise = premise_get(premise_id=premise_id, user=request.user) if premise_id else None
    account = account_create(data=AccountIn(**data), main_person=person, mailing_premise=premise, user=request.user)
    return Status(201, _account_detail(account_detail_get(account_id=account.id, user=request.user)))


@router.get("/accounts", response={200: list[AccountOut], **ERRORS}, summary="List accounts")
@paginate(LimitOffsetPagination)
def account_index(request, person_id: str = ""):  # type: ignore[no-untyped-def]
    return account_list(user=request.user, person_id=person_id or None)


@router.get("/accounts/{account_id}", response={200: AccountDetailOut, **ERRORS}, summary="Read an account")
def account_read(request, account_id: str):  # type: ignore[no-untyped-def]
    """Persons with their relationship flags, premises, service agreements with status, the access
    group, credit rating and cash-only flag."""
    return _account_detail(account_detail_get(account_id=account_id, user=request.user))


@router.post(
    "/accounts/{account_id}/persons", response={201: AccountPersonOut, **ERRORS}, summary="Link a person to an account"
)
def account_person_link(request, account_id: str, payload: AccountPersonIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    account = account_get(account_id=account_id, user=request.user)
    person = person_get(person_id=data.pop("person_id"), user=request.user)
    return Status(201, account_person_add(account=account, person=person, user=request.user, **data))


@router.post(
    "/accounts/{account_id}/main-customer",
    response={200: AccountPersonOut, **ERRORS},
    summary="Make a linked person the main customer",
)
def account_main_customer(request, account_id: str, payload: MainCustomerIn):  # type: ignore[no-untyped-def]
    account = account_get(account_id=account_id, user=request.user)
    person = person_get(person_id=payload.person_id, user=request.user)
    return account_main_customer_set(account=account, person=person, user=request.user)


@router.post("/premises", response={201: PremiseOut, **ERRORS}, summary="Create a premise")
def premise_add(request, payload: PremiseSchema):  # type: ignore[no-untyped-def]
    return Status(201, premise_create(data=payload.to_data(), user=request.user))


@router.get("/premises", response={200: list[PremiseOut], **ERRORS}, summary="List premises")
@paginate(LimitOffsetPagination)
def premise_index(request, account_id: str = ""):  # type: ignore[no-untyped-def]
    """Premises you may see; `account_id` keeps those the account is served at or mailed to."""
    return premise_list(user=request.user, account_id=account_id or None)


@router.get("/premises/{premise_id}", response={200: PremiseOut, **ERRORS}, summary="Read a premise")
def premise_read(request, premise_id: str):  # type: ignore[no-untyped-def]
    return premise_get(premise_id=premise_id, user=request.user)


@router.post("/service-agreements", response={201: ServiceAgreementOut, **ERRORS}, summary="Create a service agreement")
def sa_add(request, payload: ServiceAgreementIn):  # type: ignore[no-untyped-def]
    account = account_get(account_id=payload.account_id, user=request.user)
    premise = premise_get(premise_id=payload.premise_id, user=request.user) if payload.premise_id else None
    sa = service_agreement_create(
        account=account,
        sa_type=payload.sa_type,
        premise=premise,
        start_date=payload.start_date,
        activate=payload.activate,
        user=request.user,
    )
    return Status(201, service_agreement_get(sa_id=sa.id, user=request.user))


@router.get("/service-agreements", response={200: list[ServiceAgreementOut], **ERRORS}, summary="List SAs")
@paginate(LimitOffsetPagination)
def sa_index(request, account_id: str = "", premise_id: str = ""):  # type: ignore[no-untyped-def]
    """Service agreements you may see (canceled ones left out), by account and start date."""
    return service_agreement_list(user=request.user, account_id=account_id or None, premise_id=premise_id or None)


@router.get("/service-agreements/{sa_id}", response={200: ServiceAgreementOut, **ERRORS}, summary="Read an SA")
def sa_read(request, sa_id: str):  # type: ignore[no-untyped-def]
    return service_agreement_get(sa_id=sa_id, user=request.user)


@router.post(
    "/service-agreements/{sa_id}/transitions",
    response={200: ServiceAgreementOut, **ERRORS},
    summary="Move an SA along its lifecycle",
)
def sa_transition(request, sa_id: str, payload: TransitionIn):  # type: ignore[no-untyped-def]
    """Pending start → active → pending stop → stopped → closed, with canceled and reactivation.
    A move the lifecycle does not allow answers 409 and names the allowed next statuses."""
    sa = service_agreement_get(sa_id=sa_id, user=request.user)
    return service_agreement_transition(sa=sa, to_status=payload.status, on_date=payload.date, user=request.user)
