"""Every API error is JSON: {"message": <for people>, "fields": {<field>: [<messages>]}}."""

from __future__ import annotations

from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from custcare.core.errors import DomainError


class ErrorOut(Schema):
    message: str
    fields: dict[str, list[str]] = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):  # type: ignore[no-untyped-def]
        return api.create_response(request, {"message": exc.message, "fields": exc.fields}, status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def request_invalid(request, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
            fields.setdefault(".".join(loc) or "request", []).append(err.get("msg", "Invalid value."))
        return api.create_response(
            request, {"message": "The request is not valid; see the fields.", "fields": fields}, status=422
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):  # type: ignore[no-untyped-def]
        return api.create_response(
            request,
            {
                "message": "Sign in first: send 'Authorization: Bearer <token>' from POST /api/v1/auth/token.",
                "fields": {},
            },
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):  # type: ignore[no-untyped-def]
        return api.create_response(request, {"message": str(exc), "fields": {}}, status=exc.status_code)
