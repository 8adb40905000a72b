"""/customer-contacts: record, list, read, log and correct customer contacts."""

import datetime as dt

from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from custcare.api.errors import ERRORS
from custcare.contacts.models import ContactMethod, CustomerContact, Direction
from custcare.contacts.selectors import ContactFilters, contact_get, contact_history
from custcare.contacts.services import contact_correct, contact_log_add, customer_contact_add

router = Router()


class ContactIn(Schema):
    contact_type_id: int | None = Field(
        None, description="The contact type's id; or give contact_class and contact_type."
    )
    contact_class: str = ""
    contact_type: str = ""
    person_id: str | None = None
    account_id: str | None = None
    premise_id: str | None = None
    method: str = Field(ContactMethod.PHONE, description="PHONE, POSTAL, EMAIL, FAX, SMS or NA.")
    contact_detail: str = Field("", description="The phone number or email used; must be one of the person's.")
    direction: str = Field(Direction.INBOUND, description="IN (from the customer) or OUT (to the customer).")
    is_open: bool | None = Field(None, description="The issue is not yet resolved; defaults from the type.")
    description: str = ""
    characteristics: dict[str, str] = {}
    contact_datetime: dt.datetime | None = None


class CharacteristicOut(Schema):
    char_type: str = Field(..., alias="char_type_id")
    value: str


class LogEntryOut(Schema):
    id: int
    at: dt.datetime
    user: str | None = Field(None, alias="user.username")
    kind: str
    comment: str
    changes: dict


class ContactOut(Schema):
    id: str
    contact_datetime: dt.datetime
    user: str | None = Field(None, alias="user.username")
    contact_class: str = Field(..., alias="contact_class_id")
    contact_type_id: int
    contact_type: str = Field(..., alias="contact_type.type_code")
    contact_type_description: str = Field(..., alias="contact_type.description")
    person_id: str | None
    account_id: str | None
    premise_id: str | None
    method: str
    contact_detail: str
    direction: str
    is_open: bool
    description: str
    origin: str
    origin_reference: str
    print_letter: bool
    letter_template: str


class ContactDetailOut(ContactOut):
    characteristics: list[CharacteristicOut]
    log: list[LogEntryOut]


class ContactQuery(FilterSchema):
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


class LogIn(Schema):
    comment: str


class CorrectionIn(Schema):
    reason: str
    description: str | None = None
    method: str | None = None
    contact_detail: str | None = None
    direction: str | None = None
    is_open: bool | None = None
    contact_datetime: dt.datetime | None = None


@router.post("/customer-contacts", response={201: ContactOut, **ERRORS}, summary="Record a customer contact")
def contact_add(request, payload: ContactIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    contact = customer_contact_add(
        user=request.user,
        contact_type_id=data.pop("contact_type_id"),
        contact_class=data.pop("contact_class"),
        type_code=data.pop("contact_type"),
        **data,
    )
    contact.user = request.user
    return Status(201, contact)


@router.get("/customer-contacts", response={200: list[ContactOut], **ERRORS}, summary="Contact history")
@paginate(LimitOffsetPagination)
def contact_list(request, filters: Query[ContactQuery]):  # type: ignore[no-untyped-def]
    """Contacts of a person, account or premise, newest first; filter by date, class, type, method,
    open flag and user."""
    return contact_history(filters=ContactFilters(**filters.dict()), user=request.user)


@router.get("/customer-contacts/{contact_id}", response={200: ContactDetailOut, **ERRORS})
def contact_read(request, contact_id: str):  # type: ignore[no-untyped-def]
    contact = contact_get(contact_id=contact_id, user=request.user)
    return _detail(contact)


def _detail(contact: CustomerContact) -> CustomerContact:
    """The contact itself: ContactDetailOut reads its prefetched characteristics and log."""
    return contact


@router.post("/customer-contacts/{contact_id}/log", response={201: LogEntryOut, **ERRORS}, summary="Add a log entry")
def contact_log(request, contact_id: str, payload: LogIn):  # type: ignore[no-untyped-def]
    contact = contact_get(contact_id=contact_id, user=request.user)
    return Status(201, contact_log_add(contact=contact, comment=payload.comment, user=request.user))


@router.post(
    "/customer-contacts/{contact_id}/corrections",
    response={201: LogEntryOut, **ERRORS},
    summary="Correct a contact (recorded as a log entry)",
)
def contact_correction(request, contact_id: str, payload: CorrectionIn):  # type: ignore[no-untyped-def]
    contact = contact_get(contact_id=contact_id, user=request.user)
    changes = payload.dict(exclude_none=True)
    reason = changes.pop("reason")
    return Status(201, contact_correct(contact=contact, changes=changes, reason=reason, user=request.user))
