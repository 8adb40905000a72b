"""Errors that services raise and that the API and web adapters turn into messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A request that the business rules refuse. `message` is for people; `fields` says where."""

    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    status = 422

    @classmethod
    def from_django(cls, exc: ValidationError, message: str = "The data is not valid.") -> ValidationFailed:
        if hasattr(exc, "error_dict"):
            fields = {name: [str(m) for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
            general = fields.pop("__all__", [])
            if general:
                message = " ".join(general)
            return cls(message, fields)
        return cls(" ".join(exc.messages))


class NotFound(DomainError):
    status = 404


class AccessDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
