"""The person, account and premise Control Central shows, resolved from whichever one the CSR picked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Q, Value, When

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
    mailing = account.mailing_premise if account.mailing_premise_id else None
    if mailing is not None and mailing.pk not in premises:
        premises[mailing.pk] = mailing
    return list(premises.values())


def _first_premise(account: Account) -> Premise | None:
    """The premise of the account's first live service agreement, else its mailing premise (one query)."""
    sa = (
        ServiceAgreement.objects.filter(account=account, premise__isnull=False)
        .select_related("premise")
        .order_by(_LIVE_FIRST, "-start_date")
        .first()
    )
    if sa is not None:
        return sa.premise
    return account.mailing_premise if account.mailing_premise_id else None


def _person_accounts(person: Person, visible: Any) -> list[AccountPerson]:
    return list(
        AccountPerson.objects.filter(person=person, account__in=visible)
        .select_related("account", "account__customer_class")
        .order_by("-main_customer", "account__setup_date", "account__created_at", "account_id")
    )


def central_context_get(
    *,
    user: Any,
    account_id: str | None = None,
    person_id: str | None = None,
    premise_id: str | None = None,
    lists: bool = True,
) -> CentralView:
    """Resolve the context: an account brings its main customer and first premise; a person brings their
    first account (main customer first); a premise brings the account of its latest service agreement.
    Only accounts and persons within the user's access groups are found (NotFound otherwise), and the
    ids given must belong together (a premise of the account, a person on the account). `lists=False`
    skips what only the dashboard's switchers need: a zone resolves its context in two queries."""
    require(user, "customer.read")
    visible = Account.objects.visible_to(user)
    account: Account | None = None
    person: Person | None = None
    premise: Premise | None = None
    accounts: list[AccountPerson] | None = None
    if account_id:
        links = AccountPerson.objects.filter(account_id=account_id, account__in=visible).select_related(
            "account", "account__customer_class", "account__mailing_premise", "person"
        )
        if person_id:
            link = links.filter(person_id=person_id).first()
            if link is None:
                raise NotFound(f"No account {account_id} of person {person_id} that you may see.")
        else:
            link = links.order_by("-main_customer", "id").first()
        if link is not None:
            account, person = link.account, link.person
        else:
            account = visible.select_related("customer_class", "mailing_premise").filter(pk=account_id).first()
            if account is None:
                raise NotFound(f"No account {account_id} that you may see.")
    elif person_id:
        person = Person.objects.visible_to(user).filter(pk=person_id).first()
        if person is None:
            raise NotFound(f"No person {person_id} that you may see.")
    if premise_id:
        candidates = Premise.objects.filter(pk=premise_id)
        if account is not None:
            candidates = candidates.filter(Q(service_agreements__account=account) | Q(mailing_accounts=account))
        premise = candidates.distinct().first()
        if premise is None:
            where = f" of account {account.pk}" if account is not None else ""
            raise NotFound(f"No premise {premise_id}{where}.")
        if account is None:
            sas = ServiceAgreement.objects.filter(premise=premise, account__in=visible)
            if person is not None:
                sas = sas.filter(account__account_persons__person=person)
            sa = sas.order_by(_LIVE_FIRST, "-start_date").select_related("account", "account__customer_class").first()
            account = sa.account if sa else None
            if account is not None and person is None:
                holders = AccountPerson.objects.filter(account=account).select_related("person")
                main = holders.order_by("-main_customer", "id").first()
                person = main.person if main else None
    if person is not None and account is None:
        accounts = _person_accounts(person, visible)
        account = accounts[0].account if accounts else None
    if lists and person is not None and accounts is None:
        accounts = _person_accounts(person, visible)
    premises: list[Premise] = []
    if account is not None and lists:
        premises = _account_premises(account)
        if premise is None and premises:
            premise = premises[0]
    elif account is not None and premise is None:
        premise = _first_premise(account)
    ctx = CentralContext(
        account_id=account.pk if account else None,
        person_id=person.pk if person else None,
        premise_id=premise.pk if premise else None,
    )
    return CentralView(
        context=ctx, person=person, account=account, premise=premise, accounts=accounts or [], premises=premises
    )
