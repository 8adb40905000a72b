"""Reading cases, within the user's access groups."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from custcare.cases.models import Case
from custcare.customers.models import Account
from custcare.security.roles import require


def cases_open(*, user: Any, account_id: str | None = None, premise_id: str | None = None) -> QuerySet[Case]:
    """Open cases (their status is flagged open on the case type) of the account and/or premise, on the
    accounts the user may see; e.g. for Control Central's open-case alert."""
    require(user, "customer.read")
    cases = Case.objects.filter(status__is_open=True, account__in=Account.objects.visible_to(user))
    if account_id:
        cases = cases.filter(account_id=account_id)
    if premise_id:
        cases = cases.filter(premise_id=premise_id)
    return cases.select_related("case_type", "status").order_by("-opened_on", "id")
