"""Step 1.0: one search box for everything a caller might give.

INTERFACE (stable; other modules depend on it):
    customer_search(*, query: str, user) -> SearchResult

This first version is a simple placeholder; the indexed implementation replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from custcare.customers.models import Account, Person, Premise
from custcare.customers.normalize import name_key
from custcare.security.roles import require


@dataclass
class SearchRow:
    person: Person | None
    accounts: list[Account] = field(default_factory=list)
    premises: list[Premise] = field(default_factory=list)
    matched: str = ""  # what matched, for people: "name 'Rivera, Maria'", "phone (555) 201-3344", ...


@dataclass
class SearchResult:
    query: str
    kind: str  # what the query was read as: id, phone, identifier, address, name
    rows: list[SearchRow]
    truncated: bool = False  # more than CUSTCARE_SEARCH_LIMIT matched
    message: str = ""  # for people: "Refine your search: more than 300 customers match." / why nothing matched
    unique_account_id: str | None = None  # set when the search identifies exactly one account


def customer_search(*, query: str, user: Any) -> SearchResult:
    require(user, "customer.read")
    key = name_key(query)
    limit = settings.CUSTCARE_SEARCH_LIMIT
    people = list(Person.objects.visible_to(user).filter(names__search_name__contains=key).distinct()[: limit + 1])
    rows = [SearchRow(person=p, matched=f"name '{p.primary_name}'") for p in people[:limit]]
    return SearchResult(query=query, kind="name", rows=rows, truncated=len(people) > limit)
