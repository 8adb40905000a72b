"""Configuration resources: code tables, contact classes and types, algorithms, installation options.

Every role that works with CustCare may read configuration (config.read); only administrators change
it (config.write). Access groups are the data-security setup and are shown to administrators only.
"""

from typing import Any

from django.db.models import Model
from ninja import Field, Router, Schema, Status
from pydantic import create_model

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import algorithm_type_get, algorithm_types
from custcare.algorithms.services import algorithm_save, installation_options, installation_options_update
from custcare.api.errors import ERRORS
from custcare.contacts.models import CharacteristicType, ContactClass, ContactType
from custcare.contacts.selectors import contact_type_config_list, contact_type_config_read
from custcare.contacts.services import characteristic_type_save, contact_class_save, contact_type_save
from custcare.core.errors import Conflict, NotFound, ValidationFailed
from custcare.customers.models import AccessGroup, CustomerClass, IdentifierType, PremiseType, SAType
from custcare.customers.selectors import config_code_get, config_codes_list
from custcare.customers.services import code_table_save
from custcare.security.roles import require

router = Router()


class DescriptionIn(Schema):
    description: str


class CodeOut(Schema):
    code: str
    description: str


class SATypeIn(DescriptionIn):
    service: str = Field("E", description="E (electricity), G (gas), W (water) or O (other).")
    billable: bool = True


class SATypeOut(CodeOut):
    service: str
    billable: bool


class CharacteristicTypeIn(DescriptionIn):
    value_type: str = Field("FREE", description="FREE, LIST, NUM or DATE.")
    allowed_values: list[str] = Field([], description="For LIST: the values allowed.")


class CharacteristicTypeOut(CodeOut):
    value_type: str
    allowed_values: list[str]


def _contact_class_save(*, model: Any, code: str, values: dict[str, Any], user: Any, create: bool) -> Any:
    return contact_class_save(code=code, description=values["description"], user=user, create=create)


def _char_type_save(*, model: Any, code: str, values: dict[str, Any], user: Any, create: bool) -> Any:
    return characteristic_type_save(code=code, values=values, user=user, create=create)


def _code_resource(
    path: str, model: type[Model], values_in: type[Schema], out: type[Schema], save: Any, label: str
) -> None:
    """Register list, read, create and change for one code table."""
    create_in = create_model(f"{values_in.__name__}{model.__name__}Create", __base__=values_in, code=(str, ...))
    slug = path.strip("/").replace("-", "_")

    list_out: Any = list[out]  # type: ignore[valid-type]

    @router.get(path, response={200: list_out, **ERRORS}, operation_id=f"{slug}_list", summary=f"List {label}")
    def list_codes(request):  # type: ignore[no-untyped-def]
        return config_codes_list(model=model, user=request.user)

    @router.get(f"{path}/{{code}}", response={200: out, **ERRORS}, operation_id=f"{slug}_read", summary=f"Read {label}")
    def read_code(request, code: str):  # type: ignore[no-untyped-def]
        return config_code_get(model=model, code=code, user=request.user)

    @router.post(path, response={201: out, **ERRORS}, operation_id=f"{slug}_create", summary=f"Create {label}")
    def create_code(request, payload: create_in):  # type: ignore[no-untyped-def,valid-type]
        values = payload.dict()  # type: ignore[attr-defined]
        code = values.pop("code")
        return Status(201, save(model=model, code=code, values=values, user=request.user, create=True))

    @router.put(
        f"{path}/{{code}}", response={200: out, **ERRORS}, operation_id=f"{slug}_change", summary=f"Change {label}"
    )
    def change_code(request, code: str, payload: values_in):  # type: ignore[no-untyped-def,valid-type]
        values = payload.dict()  # type: ignore[attr-defined]
        return save(model=model, code=code, values=values, user=request.user, create=False)


_code_resource(
    "/customer-contact-classes", ContactClass, DescriptionIn, CodeOut, _contact_class_save, "contact classes"
)
_code_resource(
    "/characteristic-types", CharacteristicType, CharacteristicTypeIn, CharacteristicTypeOut, _char_type_save,
    "characteristic types",
)  # fmt: skip
_code_resource("/customer-classes", CustomerClass, DescriptionIn, CodeOut, code_table_save, "customer classes")
_code_resource("/premise-types", PremiseType, DescriptionIn, CodeOut, code_table_save, "premise types")
_code_resource("/identifier-types", IdentifierType, DescriptionIn, CodeOut, code_table_save, "identifier types")
_code_resource("/sa-types", SAType, SATypeIn, SATypeOut, code_table_save, "SA types")
_code_resource("/access-groups", AccessGroup, DescriptionIn, CodeOut, code_table_save, "access groups")


class TypeCharacteristicIn(Schema):
    char_type: str
    required: bool = False
    default_value: str = ""
    sequence: int | None = None


class TypeCharacteristicOut(Schema):
    char_type: str = Field(..., alias="char_type_id")
    description: str = Field(..., alias="char_type.description")
    value_type: str = Field(..., alias="char_type.value_type")
    required: bool
    default_value: str
    sequence: int


class TypeAlgorithmIn(Schema):
    algorithm: str
    sequence: int | None = None


class TypeAlgorithmOut(Schema):
    algorithm: str = Field(..., alias="algorithm_id")
    algorithm_type: str = Field(..., alias="algorithm.algorithm_type")
    spot: str
    sequence: int


class ContactTypeValues(Schema):
    description: str
    shorthand: str = Field("", description="Entered as the description for one-click entry.")
    division: str | None = None
    person_usage: str = Field("REQ", description="REQ (required), OPT (optional) or NA (not allowed).")
    account_usage: str = "OPT"
    premise_usage: str = "OPT"
    contact_action: str = Field("NONE", description="NONE or LETTER.")
    letter_template: str = ""
    reminder_role: str = ""
    reminder_days: int | None = None
    default_method: str = "PHONE"
    default_open: bool = False
    active: bool = True
    characteristics: list[TypeCharacteristicIn] = []
    algorithms: list[TypeAlgorithmIn] = []


class ContactTypeIn(ContactTypeValues):
    contact_class: str
    type_code: str


class ContactTypeOut(Schema):
    id: int
    contact_class: str = Field(..., alias="contact_class_id")
    type_code: str
    description: str
    shorthand: str
    division: str | None = Field(None, alias="division_id")
    person_usage: str
    account_usage: str
    premise_usage: str
    contact_action: str
    letter_template: str
    reminder_role: str
    reminder_days: int | None
    default_method: str
    default_open: bool
    active: bool
    characteristics: list[TypeCharacteristicOut]
    algorithms: list[TypeAlgorithmOut]

    @staticmethod
    def resolve_characteristics(obj: ContactType) -> list[Any]:
        return list(obj.characteristics.all())

    @staticmethod
    def resolve_algorithms(obj: ContactType) -> list[Any]:
        return list(obj.algorithms.all())


def _contact_type_values(payload: ContactTypeValues) -> tuple[dict[str, Any], list[dict], list[dict]]:
    values = payload.dict()
    chars = values.pop("characteristics")
    algs = values.pop("algorithms")
    values["division_id"] = values.pop("division") or None
    if "contact_class" in values:
        values["contact_class_id"] = values.pop("contact_class")
    return values, chars, algs


@router.get("/customer-contact-types", response={200: list[ContactTypeOut], **ERRORS}, summary="List contact types")
def contact_type_index(request, active: bool | None = None):  # type: ignore[no-untyped-def]
    """Every contact type with its usage rules, characteristics (required, default), validation
    algorithms, reminder defaults and active flag; `active` keeps only active (or inactive) ones."""
    return contact_type_config_list(user=request.user, active=active)


@router.get(
    "/customer-contact-types/{type_id}", response={200: ContactTypeOut, **ERRORS}, summary="Read a contact type"
)
def contact_type_read(request, type_id: int):  # type: ignore[no-untyped-def]
    return contact_type_config_read(contact_type_id=type_id, user=request.user)


@router.post("/customer-contact-types", response={201: ContactTypeOut, **ERRORS}, summary="Create a contact type")
def contact_type_create(request, payload: ContactTypeIn):  # type: ignore[no-untyped-def]
    values, chars, algs = _contact_type_values(payload)
    ctype = contact_type_save(user=request.user, values=values, characteristics=chars, algorithms=algs)
    return Status(201, contact_type_config_read(contact_type_id=ctype.pk, user=request.user))


@router.put(
    "/customer-contact-types/{type_id}", response={200: ContactTypeOut, **ERRORS}, summary="Change a contact type"
)
def contact_type_change(request, type_id: int, payload: ContactTypeValues):  # type: ignore[no-untyped-def]
    """Replaces the type's settings, characteristics and algorithms with what is sent; the class and
    type code (the key contacts are recorded under) do not change."""
    require(request.user, "config.write")
    ctype = contact_type_config_read(contact_type_id=type_id, user=request.user)
    values, chars, algs = _contact_type_values(payload)
    contact_type_save(user=request.user, contact_type=ctype, values=values, characteristics=chars, algorithms=algs)
    return contact_type_config_read(contact_type_id=type_id, user=request.user)


class AlgorithmTypeOut(Schema):
    code: str
    spot: str
    spot_label: str
    description: str
    parameter_schema: dict[str, Any]


@router.get("/algorithm-types", response={200: list[AlgorithmTypeOut], **ERRORS}, summary="Installed algorithm types")
def algorithm_type_index(request):  # type: ignore[no-untyped-def]
    """The algorithm types this installation ships, with the JSON schema of their parameters."""
    require(request.user, "config.read")
    return [
        {
            "code": t.code,
            "spot": t.spot.value,
            "spot_label": t.spot.label,
            "description": t.description,
            "parameter_schema": t.parameter_schema(),
        }
        for t in algorithm_types()
    ]


class AlgorithmValues(Schema):
    algorithm_type: str
    description: str
    parameters: dict[str, Any] = {}


class AlgorithmIn(AlgorithmValues):
    code: str


class AlgorithmOut(Schema):
    code: str
    description: str
    algorithm_type: str
    spot: str
    parameters: dict[str, Any]

    @staticmethod
    def resolve_spot(obj: Algorithm) -> str:
        return obj.spot.value


def _algorithm_save(code: str, payload: AlgorithmValues, user: Any) -> Algorithm:
    """Save through the service; a refusal also names each bad parameter (`parameters.<name>`)."""
    try:
        return algorithm_save(code=code, user=user, **payload.dict())
    except ValidationFailed as exc:
        if "parameters" in exc.fields and isinstance(payload.parameters, dict):
            try:
                checks = algorithm_type_get(payload.algorithm_type).check_params(payload.parameters)
            except KeyError:
                checks = {}
            exc.fields.update({f"parameters.{name}": msgs for name, msgs in checks.items()})
        raise


@router.get("/algorithms", response={200: list[AlgorithmOut], **ERRORS}, summary="Configured algorithms")
def algorithm_index(request):  # type: ignore[no-untyped-def]
    require(request.user, "config.read")
    return list(Algorithm.objects.order_by("code"))


@router.post("/algorithms", response={201: AlgorithmOut, **ERRORS}, summary="Configure an algorithm")
def algorithm_create(request, payload: AlgorithmIn):  # type: ignore[no-untyped-def]
    """Parameters are checked against the type's schema when saved; bad ones answer 422."""
    require(request.user, "config.write")
    if Algorithm.objects.filter(code=payload.code).exists():
        raise Conflict(f"Algorithm '{payload.code}' already exists; change it with PUT.", {"code": ["Taken."]})
    values = AlgorithmValues(**payload.dict(exclude={"code"}))
    return Status(201, _algorithm_save(payload.code, values, request.user))


@router.put("/algorithms/{code}", response={200: AlgorithmOut, **ERRORS}, summary="Change an algorithm")
def algorithm_change(request, code: str, payload: AlgorithmValues):  # type: ignore[no-untyped-def]
    require(request.user, "config.write")
    if not Algorithm.objects.filter(code=code).exists():
        raise NotFound(f"No algorithm '{code}'.")
    return _algorithm_save(code, payload, request.user)


class InstallationAlgorithmIn(Schema):
    spot: str = Field(..., description="CC-ALERT or CC-TIMELINE.")
    algorithm: str
    sequence: int | None = None
    enabled: bool = True


class InstallationAlgorithmOut(Schema):
    spot: str
    sequence: int
    algorithm: str = Field(..., alias="algorithm_id")
    enabled: bool


class InstallationOptionsIn(Schema):
    company_name: str
    default_country: str
    default_currency: str
    contact_history_page_size: int
    todo_type_for_reminders: str = ""
    algorithms: list[InstallationAlgorithmIn] | None = Field(
        None, description="When given, replaces the algorithms plugged into the installation spots."
    )


class InstallationOptionsOut(Schema):
    company_name: str
    default_country: str
    default_currency: str
    contact_history_page_size: int
    todo_type_for_reminders: str
    algorithms: list[InstallationAlgorithmOut]

    @staticmethod
    def resolve_algorithms(obj: Any) -> list[Any]:
        return list(obj.algorithms.all())


@router.get("/installation-options", response={200: InstallationOptionsOut, **ERRORS}, summary="Installation options")
def options_read(request):  # type: ignore[no-untyped-def]
    require(request.user, "config.read")
    return installation_options()


@router.put(
    "/installation-options", response={200: InstallationOptionsOut, **ERRORS}, summary="Change installation options"
)
def options_change(request, payload: InstallationOptionsIn):  # type: ignore[no-untyped-def]
    values = payload.dict()
    algorithms = values.pop("algorithms")
    return installation_options_update(values=values, algorithms=algorithms, user=request.user)
