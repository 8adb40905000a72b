"""CustCare's built-in algorithm types for the spots that exist so far."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from custcare.algorithms.registry import AlgorithmType, Spot, register_algorithm_type

ContactErrors = dict[str, list[str]]


@register_algorithm_type("CC-CHARFMT", spot=Spot.CONTACT_VALIDATION)
class CharacteristicFormat(AlgorithmType):
    """Validate the format of a contact characteristic's value with a regular expression."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        char_type: str = Field(description="The characteristic type whose value is checked.")
        pattern: str = Field(description="A regular expression the whole value must match.")
        message: str = Field(default="", description="Shown to the user when the value does not match.")

        @field_validator("pattern")
        @classmethod
        def compiles(cls, value: str) -> str:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from exc
            return value

    @classmethod
    def check_references(cls, params: BaseModel) -> ContactErrors:
        from custcare.contacts.models import CharacteristicType

        assert isinstance(params, cls.Params)
        if not CharacteristicType.objects.filter(code=params.char_type).exists():
            return {"char_type": [f"No characteristic type '{params.char_type}'."]}
        return {}

    def run(self, **context: Any) -> ContactErrors:
        params = self.params
        assert isinstance(params, self.Params)
        value = context["characteristics"].get(params.char_type)
        if value and not re.fullmatch(params.pattern, value):
            msg = params.message or f"'{value}' does not have the expected format."
            return {f"characteristics.{params.char_type}": [msg]}
        return {}


@register_algorithm_type("CC-DESCREQ", spot=Spot.CONTACT_VALIDATION)
class DescriptionRequired(AlgorithmType):
    """Require a description of a minimum length (optionally only for open contacts)."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        min_length: int = Field(default=10, ge=1, le=2000)
        only_when_open: bool = False

    def run(self, **context: Any) -> ContactErrors:
        params = self.params
        assert isinstance(params, self.Params)
        contact = context["contact"]
        if params.only_when_open and not contact.is_open:
            return {}
        if len((contact.description or "").strip()) < params.min_length:
            return {"description": [f"Describe the contact in at least {params.min_length} characters."]}
        return {}
