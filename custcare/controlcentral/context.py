"""The person, account and premise Control Central shows, resolved from whichever one the CSR picked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Value, When

from custcare.core.errors import NotFound
from custcare.customers.models import Account, AccountPerson, Person, Premise, ServiceAgreement
from custcare.security.roles import require


@dataclass(frozen=True)
class CentralContext:
    """Ids in context; any may be None (a person with no account yet, an account with no premise)."""

    account_id: str | None
    person_id: str | None
    premise_id: str | None


@dataclass
class CentralView:
    """The context with the records the dashboard shows around it and what the CSR can switch to."""

    context: CentralContext
    person: Person | None
    account: Account | None
    premise: Premise | None
    accounts: list[AccountPerson] = field(default_factory=list)  # the person's accounts (switch account)
    premises: list[Premise] = field(default_factory=list)  # the account's premises (switch premise)


_LIVE = [
    ServiceAgreement.Status.ACTIVE,
    ServiceAgreement.Status.PENDING_STOP,
    ServiceAgreement.Status.REACTIVATED,
    ServiceAgreement.Status.PENDING_START,
]
_LIVE_FIRST = Case(When(status__in=_LIVE, then=Value(0)), default=Value(1))


def _account_premises(account: Account) -> list[Premise]:
    """Premises of the account's service agreements (live ones first), then its mailing premise."""
    sas = (
        ServiceAgreement.objects.filter(account=account, premise__isnull=False)
        .select_related("premise")
        .order_by(_LIVE_FIRST, "-start_date")
    )
    premises: dict[str, Premise] = {}
    for sa in sas:
        assert sa.premise is not None
        premises.setdefault(sa.premise.pk, sa.premise)
    if account.mailing_premise_id and account.mailing_premise_id not in premises:
        mailing = Premise.objects.filter(pk=account.mailing_premise_id).first()
        if mailing:
            premises[mailing.pk] = mailing
    return list(premises.values())


def central_context_get(
    *, user: Any, account_id: str | None = None, person_id: str | None = None, premise_id: str | None = None
) -> CentralView:
    """Resolve the context: an account brings its main customer and first premise; a person brings their
    first account (main customer first); a premise brings the account of its latest service agreement.
    Only accounts and persons within the user's access groups are found (NotFound otherwise)."""
    require(user, "customer.read")
    account = person = premise = None
    if account_id:
        account = Account.objects.visible_to(user).filter(pk=account_id).first()
        if account is None:
            raise NotFound(f"No account {account_id} that you may see.")
    if person_id:
        person = Person.objects.visible_to(user).filter(pk=person_id).first()
        if person is None:
            raise NotFound(f"No person {person_id} that you may see.")
    if premise_id:
        premise = Premise.objects.filter(pk=premise_id).first()
        if premise is None:
            raise NotFound(f"No premise {premise_id}.")
        if account is None and person is None:
            sa = (
                ServiceAgreement.objects.filter(premise=premise, account__in=Account.objects.visible_to(user))
                .order_by(_LIVE_FIRST, "-start_date")
                .select_related("account")
                .first()
            )
            account = sa.account if sa else None
    accounts: list[AccountPerson] = []
    if person is not None:
        accounts = list(
            AccountPerson.objects.filter(person=person, account__in=Account.objects.visible_to(user))
            .select_related("account", "account__customer_class")
            .order_by("-main_customer", "account__setup_date", "account_id")
        )
        if account is None and accounts:
            account = accounts[0].account
    if account is not None and person is None:
        main = AccountPerson.objects.filter(account=account).select_related("person").order_by("-main_customer", "id")
        first = main.first()
        person = first.person if first else None
        if person is not None:
            accounts = list(
                AccountPerson.objects.filter(person=person, account__in=Account.objects.visible_to(user))
                .select_related("account", "account__customer_class")
                .order_by("-main_customer", "account__setup_date", "account_id")
            )
    if account is not None and person is not None and not any(ap.account_id == account.pk for ap in accounts):
        raise NotFound(f"Person {person.pk} is not on account {account.pk}.")
    premises = _account_premises(account) if account is not None else []
    if premise is None and premises:
        premise = premises[0]
    elif premise is not None and account is not None and all(p.pk != premise.pk for p in premises):
        raise NotFound(f"Premise {premise.pk} is not a premise of account {account.pk}.")
    ctx = CentralContext(
        account_id=account.pk if account else None,
        person_id=person.pk if person else None,
        premise_id=premise.pk if premise else None,
    )
    return CentralView(
        context=ctx, person=person, account=account, premise=premise, accounts=accounts, premises=premises
    )
