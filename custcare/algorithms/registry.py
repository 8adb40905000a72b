"""Algorithm types: typed plug-ins that administrators configure and plug into spots.

An algorithm type is a Python class registered under a code. Its `Params` (a pydantic model) declare
the parameters an administrator fills in; they are validated when the algorithm is saved, so a bad
configuration is refused at once rather than failing in the middle of a CSR's call or a batch run.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError


class Spot(enum.StrEnum):
    """Where an algorithm can be plugged in. The entity that carries the spot is in the label."""

    CONTACT_VALIDATION = "CC-VAL"
    CENTRAL_ALERT = "CC-ALERT"
    CONTACT_TIMELINE = "CC-TIMELINE"
    TODO_INFO = "TD-INFO"
    TODO_ASSIGNMENT = "TD-ASSIGN"
    FA_REMARK = "FA-REMARK"
    MR_REMARK = "MR-REMARK"
    CAMPAIGN_ORDER = "CAMP-ORDER"
    CUSTCLASS_ORDER = "CCL-ORDER"
    SCM_ACTIVATION = "SCM-ACTIV"
    SCM_CREATION = "SCM-CREATE"
    SA_ACTIVATION = "SA-ACTIV"
    UA_RENEWAL = "UA-RENEW"
    CASE_TRANSITION = "CASE-TRANS"
    AUTOPAY_EXPIRY = "AP-EXPIRY"

    @property
    def label(self) -> str:
        return SPOT_LABELS[self]


SPOT_LABELS = {
    Spot.CONTACT_VALIDATION: "Customer Contact Type – validate a contact before it is saved",
    Spot.CENTRAL_ALERT: "Installation Options – Control Central alert",
    Spot.CONTACT_TIMELINE: "Installation Options – customer contact timeline",
    Spot.TODO_INFO: "To Do Type – build the To Do information text",
    Spot.TODO_ASSIGNMENT: "To Do Type – validate an assignment (warnings)",
    Spot.FA_REMARK: "Field Activity Remark Type – a crew's remark creates a contact",
    Spot.MR_REMARK: "Meter Reader Remark Type – a reader's remark creates a contact",
    Spot.CAMPAIGN_ORDER: "Campaign – an order is completed",
    Spot.CUSTCLASS_ORDER: "Customer Class – an order is completed",
    Spot.SCM_ACTIVATION: "Service Credit Membership Type – a membership is activated",
    Spot.SCM_CREATION: "Service Credit Membership Type – a membership is created",
    Spot.SA_ACTIVATION: "SA Type – a service agreement is activated",
    Spot.UA_RENEWAL: "Umbrella Agreement – the agreement is renewed",
    Spot.CASE_TRANSITION: "Case Type – a case enters a status",
    Spot.AUTOPAY_EXPIRY: "Customer Class – auto-pay credit card expiry notice",
}


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlgorithmType:
    """Base class of every algorithm type. Subclasses set `Params` and implement `run`."""

    code: ClassVar[str]
    spot: ClassVar[Spot]
    description: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, params: BaseModel) -> None:
        self.params = params

    def run(self, **context: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def check_params(cls, values: dict[str, Any]) -> dict[str, list[str]]:
        """Field -> messages for parameter values this type refuses; empty when they are valid."""
        try:
            params = cls.Params.model_validate(values)
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for err in exc.errors():
                key = ".".join(str(p) for p in err["loc"]) or "parameters"
                errors.setdefault(key, []).append(err["msg"])
            return errors
        return cls.check_references(params)

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        """Checks that need the database (codes that must exist); override where needed."""
        return {}

    @classmethod
    def parameter_schema(cls) -> dict[str, Any]:
        return cls.Params.model_json_schema()


_REGISTRY: dict[str, type[AlgorithmType]] = {}


def register_algorithm_type(code: str, *, spot: Spot, description: str = ""):  # type: ignore[no-untyped-def]
    def wrap(cls: type[AlgorithmType]) -> type[AlgorithmType]:
        if code in _REGISTRY and _REGISTRY[code] is not cls:
            raise ValueError(f"Algorithm type {code} is registered twice")
        cls.code = code
        cls.spot = spot
        cls.description = description or (cls.__doc__ or "").strip().splitlines()[0]
        _REGISTRY[code] = cls
        return cls

    return wrap


def algorithm_type_get(code: str) -> type[AlgorithmType]:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise KeyError(f"No algorithm type '{code}' is installed") from None


def algorithm_types(spot: Spot | None = None) -> list[type[AlgorithmType]]:
    return sorted((t for t in _REGISTRY.values() if spot is None or t.spot == spot), key=lambda t: t.code)


def algorithm_type_choices() -> list[tuple[str, str]]:
    return [(t.code, f"{t.code} – {t.description}") for t in algorithm_types()]
