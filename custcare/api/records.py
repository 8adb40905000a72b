"""/records: intake and reading of the CIS records other systems own (bills, pay plans, processes...).

Built from the record kind registry when the API is mounted: every kind gets
- PUT  /records/<kind>/<id>  add or replace one record (Integrators, Administrators);
- POST /records/<kind>       add or replace up to 1,000 records at once: all or nothing;
- GET  /records/<kind>/<id>  and  GET /records/<kind>?account_id=...  read them (within access groups).
A refused request answers 422 with a message per field (`records.3.account_id` in a list) and writes
nothing.
"""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations, and the body
# models are built per kind inside `_routes`, so the annotations must be the classes, not their names.
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel, create_model

from custcare.api.errors import ERRORS
from custcare.core.records import (
    MAX_ROWS,
    RecordKind,
    RecordValues,
    record_get,
    record_kinds,
    record_list,
    record_values,
    records_upsert,
)


class UpsertOut(Schema):
    added: list[str] = Field(..., description="Ids of the records that were new.")
    changed: list[str] = Field(..., description="Ids of the records that replaced an existing copy.")


class ListQuery(Schema):
    account_id: str = Field("", description="Only the records of this account.")


class KindOut(Schema):
    code: str
    description: str
    fields: list[str]


def _name(kind: RecordKind, suffix: str) -> str:
    return "".join(part.capitalize() for part in kind.code.split("-")) + suffix


def _routes(router: Router, kind: RecordKind) -> None:
    code = kind.code
    op = code.replace("-", "_")
    one_model = kind.payload
    body_fields = {name: (f.annotation, f) for name, f in one_model.model_fields.items() if name != "id"}
    put_model: type[BaseModel] = create_model(_name(kind, "Body"), __base__=BaseModel, **body_fields)  # type: ignore[call-overload]
    many_model: type[BaseModel] = create_model(
        _name(kind, "List"),
        records=(list[one_model], Field(..., max_length=MAX_ROWS)),  # type: ignore[valid-type]
    )

    def put_one(request, record_id: str, payload: put_model):  # type: ignore[no-untyped-def,valid-type]
        row = {"id": record_id, **payload.model_dump(exclude_unset=True)}  # type: ignore[attr-defined]
        result, _ = records_upsert(kind=code, rows=[row], user=request.user)
        return Status(200, result)

    def post_many(request, payload: many_model):  # type: ignore[no-untyped-def,valid-type]
        rows = [r.model_dump(exclude_unset=True) for r in payload.records]  # type: ignore[attr-defined]
        result, _ = records_upsert(kind=code, rows=rows, user=request.user)
        return Status(200, result)

    def get_one(request, record_id: str):  # type: ignore[no-untyped-def]
        return Status(200, record_values(kind, record_get(kind=code, record_id=record_id, user=request.user)))

    @paginate(LimitOffsetPagination)
    def list_all(request, filters: Query[ListQuery]):  # type: ignore[no-untyped-def]
        return RecordValues(kind, record_list(kind=code, user=request.user, account_id=filters.account_id))

    for fn, name in ((put_one, "put"), (post_many, "post"), (get_one, "get"), (list_all, "list")):
        fn.__name__ = f"{name}_{op}"
    label = kind.label
    router.add_api_operation(
        f"/{code}/{{record_id}}",
        ["PUT"],
        put_one,
        response={200: UpsertOut, **ERRORS},
        summary=f"Add or replace a {label}",
        description=f"{kind.description}. The id is the sending system's. 422: refused, nothing saved.",
        operation_id=f"record_put_{op}",
    )
    router.add_api_operation(
        f"/{code}",
        ["POST"],
        post_many,
        response={200: UpsertOut, **ERRORS},
        summary=f"Add or replace up to {MAX_ROWS} {label} records",
        description="All or nothing: one refused record refuses the request (422, per-record messages).",
        operation_id=f"record_post_{op}",
    )
    router.add_api_operation(
        f"/{code}/{{record_id}}",
        ["GET"],
        get_one,
        response={200: one_model, **ERRORS},
        summary=f"A {label}",
        operation_id=f"record_get_{op}",
    )
    router.add_api_operation(
        f"/{code}",
        ["GET"],
        list_all,
        response={200: list[one_model], **ERRORS},  # type: ignore[valid-type]
        summary=f"{label.capitalize()} records, by id",
        operation_id=f"record_list_{op}",
    )


def records_router() -> Router:
    router = Router()

    @router.get("", response={200: list[KindOut], **ERRORS}, summary="The record kinds CustCare takes in")
    def kinds(request) -> Any:  # type: ignore[no-untyped-def]
        return [
            {"code": k.code, "description": k.description, "fields": list(k.payload.model_fields)}
            for k in record_kinds()
        ]

    for kind in record_kinds():
        _routes(router, kind)
    return router
