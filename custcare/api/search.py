"""/search: the one search box, over the API."""

from __future__ import annotations

from typing import Any

from ninja import Field, Query, Router, Schema

from custcare.api.errors import ERRORS
from custcare.core.errors import ValidationFailed
from custcare.customers.search import SearchResult, customer_search

router = Router()


class SearchPersonOut(Schema):
    id: str
    name: str
    kind: str
    phone: str | None = None
    address: str


class SearchAccountOut(Schema):
    id: str
    customer_class: str
    customer_class_description: str
    access_group: str
    bill_cycle: str


class SearchPremiseOut(Schema):
    id: str
    address: str


class SearchRowOut(Schema):
    person: SearchPersonOut | None = Field(None, description="Absent for a premise with no customer.")
    accounts: list[SearchAccountOut]
    premises: list[SearchPremiseOut]
    matched: str = Field(..., description='What matched, e.g. "phone (555) 201-3344".')


class SearchOut(Schema):
    query: str
    kind: str = Field(..., description="What the query was read as: id, phone, identifier, address or name.")
    truncated: bool
    message: str
    unique_account_id: str | None = Field(None, description="Set when the search identifies exactly one account.")
    results: list[SearchRowOut]


def _out(result: SearchResult) -> dict[str, Any]:
    rows = []
    for row in result.rows:
        person = row.person
        rows.append(
            {
                "person": None
                if person is None
                else {
                    "id": person.id,
                    "name": person.primary_name,
                    "kind": person.kind,
                    "phone": row.phone or None,
                    "address": person.address_text,
                },
                "accounts": [
                    {
                        "id": a.id,
                        "customer_class": a.customer_class_id,
                        "customer_class_description": a.customer_class.description,
                        "access_group": a.access_group_id,
                        "bill_cycle": a.bill_cycle,
                    }
                    for a in row.accounts
                ],
                "premises": [{"id": p.id, "address": p.address_text} for p in row.premises],
                "matched": row.matched,
            }
        )
    return {
        "query": result.query,
        "kind": result.kind,
        "truncated": result.truncated,
        "message": result.message,
        "unique_account_id": result.unique_account_id,
        "results": rows,
    }


@router.get("/search", response={200: SearchOut, **ERRORS}, summary="Search customers")
def search(request, q: str = Query(..., description="A name, phone, address, id or identifier.")):  # type: ignore[no-untyped-def]
    """One box for everything a caller might give. Results are the persons (with their accounts and
    premises) that the user may see, at most 300; `truncated` says there were more."""
    if not q.strip():
        raise ValidationFailed(
            "Type something to search for.", {"q": ["Type a name, phone, address, id or identifier."]}
        )
    return _out(customer_search(query=q, user=request.user))
