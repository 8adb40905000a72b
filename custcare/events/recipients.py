"""Who receives a generated contact: the person named, the account's main customer, or everyone on
the account who receives notifications; for a premise without an account, the main customers of the
accounts with an active service agreement there."""

from __future__ import annotations

from custcare.customers.models import AccountPerson, ServiceAgreement
from custcare.events.registry import EventContext

LIVE_SA = [ServiceAgreement.Status.ACTIVE, ServiceAgreement.Status.PENDING_STOP, ServiceAgreement.Status.PENDING_START]


def recipients_resolve(*, context: EventContext, mode: str) -> list[tuple[str | None, str | None]]:
    """(person id, account id) pairs, one per contact to create, in a stable order."""
    if mode == "PERSON":
        if not context.person_id:
            return []
        return [(context.person_id, context.account_id)]
    accounts = [context.account_id] if context.account_id else []
    if not accounts and context.premise_id:
        accounts = sorted(
            set(
                ServiceAgreement.objects.filter(premise_id=context.premise_id, status__in=LIVE_SA).values_list(
                    "account_id", flat=True
                )
            )
        )
    links = AccountPerson.objects.filter(account_id__in=accounts)
    links = links.filter(main_customer=True) if mode == "MAIN" else links.filter(receives_notifications=True)
    return sorted(set(links.values_list("person_id", "account_id")))
