"""Reads of customer records, always through the user's access groups."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from custcare.core.errors import NotFound
from custcare.customers.models import (
    Account,
    AccountPerson,
    Person,
    PersonIdentifier,
    PersonName,
    PersonPhone,
    Premise,
    ServiceAgreement,
)
from custcare.customers.normalize import name_key, street_key
from custcare.security.roles import require


def person_get(*, person_id: str, user: Any) -> Person:
    require(user, "customer.read")
    person = Person.objects.visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No person {person_id} that you may see.")
    return person


def person_detail_get(*, person_id: str, user: Any) -> Person:
    """A person with names, phones, emails, identifiers and visible accounts prefetched."""
    require(user, "customer.read")
    visible_accounts = Account.objects.visible_to(user)
    person = (
        Person.objects.visible_to(user)
        .filter(pk=person_id)
        .prefetch_related(
            "names",
            "phones",
            "emails",
            "identifiers__id_type",
            Prefetch(
                "account_persons",
                queryset=AccountPerson.objects.filter(account__in=visible_accounts).select_related(
                    "account__customer_class", "account__mailing_premise"
                ),
            ),
        )
        .first()
    )
    if person is None:
        raise NotFound(f"No person {person_id} that you may see.")
    return person


def account_get(*, account_id: str, user: Any) -> Account:
    require(user, "customer.read")
    account = Account.objects.visible_to(user).filter(pk=account_id).select_related("customer_class").first()
    if account is None:
        raise NotFound(f"No account {account_id} that you may see.")
    return account


def account_detail_get(*, account_id: str, user: Any) -> Account:
    require(user, "customer.read")
    account = (
        Account.objects.visible_to(user)
        .filter(pk=account_id)
        .select_related("customer_class", "access_group", "mailing_premise")
        .prefetch_related(
            Prefetch(
                "account_persons",
                queryset=AccountPerson.objects.select_related("person").order_by("-main_customer", "id"),
            ),
            Prefetch("service_agreements", queryset=ServiceAgreement.objects.select_related("sa_type", "premise")),
        )
        .first()
    )
    if account is None:
        raise NotFound(f"No account {account_id} that you may see.")
    return account


def premise_get(*, premise_id: str, user: Any) -> Premise:
    require(user, "customer.read")
    premise = Premise.objects.visible_to(user).filter(pk=premise_id).select_related("premise_type").first()
    if premise is None:
        raise NotFound(f"No premise {premise_id} that you may see.")
    return premise


def service_agreement_get(*, sa_id: str, user: Any) -> ServiceAgreement:
    require(user, "customer.read")
    sa = (
        ServiceAgreement.objects.filter(pk=sa_id, account__in=Account.objects.visible_to(user))
        .select_related("sa_type", "premise", "account")
        .first()
    )
    if sa is None:
        raise NotFound(f"No service agreement {sa_id} that you may see.")
    return sa


def person_list(*, user: Any, name_prefix: str = "") -> QuerySet[Person]:
    require(user, "customer.read")
    qs = Person.objects.visible_to(user)
    key = name_key(name_prefix)
    if key:
        # Any of the person's names (aliases too), compared as search reads them: accents and case folded.
        qs = qs.filter(Exists(PersonName.objects.filter(person=OuterRef("pk"), search_name__startswith=key)))
    return qs.order_by("primary_name", "id")


def account_list(*, user: Any, person_id: str | None = None) -> QuerySet[Account]:
    require(user, "customer.read")
    qs = Account.objects.visible_to(user).select_related("customer_class")
    if person_id:
        qs = qs.filter(account_persons__person_id=person_id)
    return qs.order_by("id")


def premise_list(*, user: Any, account_id: str | None = None) -> QuerySet[Premise]:
    require(user, "customer.read")
    qs = Premise.objects.visible_to(user).select_related("premise_type")
    if account_id:
        qs = qs.filter(Q(service_agreements__account_id=account_id) | Q(mailing_accounts__id=account_id)).distinct()
    return qs.order_by("street_key", "house_number", "id")


def service_agreement_list(
    *, user: Any, account_id: str | None = None, premise_id: str | None = None, include_canceled: bool = False
) -> QuerySet[ServiceAgreement]:
    require(user, "customer.read")
    qs = ServiceAgreement.objects.filter(account__in=Account.objects.visible_to(user)).select_related(
        "sa_type", "premise"
    )
    if account_id:
        qs = qs.filter(account_id=account_id)
    if premise_id:
        qs = qs.filter(premise_id=premise_id)
    if not include_canceled:
        qs = qs.exclude(status=ServiceAgreement.Status.CANCELED)
    return qs.order_by("account_id", "start_date", "id")


def account_premises(account: Account) -> list[Premise]:
    """The premises an account is served at (through its SAs), plus its mailing premise."""
    seen: dict[str, Premise] = {}
    for sa in account.service_agreements.all():
        if sa.premise is not None and sa.status != ServiceAgreement.Status.CANCELED:
            seen.setdefault(sa.premise.id, sa.premise)
    if account.mailing_premise is not None:
        seen.setdefault(account.mailing_premise.id, account.mailing_premise)
    return list(seen.values())


@dataclass
class DuplicateCandidate:
    person: Person
    reasons: list[str]

    @property
    def reason_text(self) -> str:
        return f"{self.person.primary_name} ({self.person.id}): {', '.join(self.reasons)}"


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    sorted_a, sorted_b = " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    return SequenceMatcher(None, sorted_a, sorted_b).ratio() >= 0.85


def person_duplicates_find(
    *,
    names: list[str],
    phones: list[str],
    identifiers: list[tuple[str, str]],
    house_number: str,
    street: str,
    user: Any,
) -> list[DuplicateCandidate]:
    """Likely existing records of a person about to be created: same normalised phone, same
    identifier, or a very similar name at the same address (mailing or service)."""
    found: dict[str, DuplicateCandidate] = {}

    def add(person: Person, reason: str) -> None:
        cand = found.setdefault(person.id, DuplicateCandidate(person=person, reasons=[]))
        if reason not in cand.reasons:
            cand.reasons.append(reason)

    visible = Person.objects.visible_to(user)
    if phones:
        for row in PersonPhone.objects.filter(number__in=phones, person__in=visible).select_related("person")[:20]:
            add(row.person, f"same phone {row.display}")
    for id_type, value in identifiers:
        same = PersonIdentifier.objects.filter(id_type_id=id_type, search_value=value, person__in=visible)
        for ident in same.select_related("person")[:5]:
            add(ident.person, f"same {id_type}")
    if names and street:
        skey = street_key(street)
        at_address = visible.filter(
            Q(house_number=house_number, street__iexact=street.strip())
            | Q(
                account_persons__account__service_agreements__premise__house_number=house_number,
                account_persons__account__service_agreements__premise__street_key=skey,
            )
            | Q(
                account_persons__account__mailing_premise__house_number=house_number,
                account_persons__account__mailing_premise__street_key=skey,
            )
        ).distinct()[:200]
        for name_row in PersonName.objects.filter(person__in=at_address).select_related("person"):
            if any(_similar(name_row.search_name, n) for n in names):
                add(name_row.person, f"similar name '{name_row.name}' at the same address")
    return list(found.values())


def config_codes_list(*, model: Any, user: Any) -> QuerySet[Any]:
    """A configuration code table. Access groups are listed to administrators only: they are the
    data-security setup, not working configuration."""
    from custcare.customers.models import AccessGroup

    require(user, "config.write" if model is AccessGroup else "config.read")
    return model.objects.order_by("pk")


def config_code_get(*, model: Any, code: str, user: Any) -> Any:
    from custcare.customers.models import AccessGroup

    require(user, "config.write" if model is AccessGroup else "config.read")
    row = model.objects.filter(pk=code).first()
    if row is None:
        raise NotFound(f"No {model._meta.verbose_name} '{code}'.")
    return row
