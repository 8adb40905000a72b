"""contact_context_check for users who see everything (the system users events and batches run as):
compiled once per shape and reused, with the same answers as the checks built for each call."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from custcare.contacts import selectors
from custcare.contacts.selectors import ContactContext, contact_context_check, exists_many
from custcare.customers.models import PersonEmail
from custcare.security.services import system_user_ensure
from tests.factories import account_make, person_make, premise_make


def _built_each_time(
    *, user: object, person_id: str, account_id: str, premise_id: str, method: str, contact_detail: str
) -> ContactContext:
    values = {"person": person_id, "account": account_id, "premise": premise_id, "detail": contact_detail}
    return ContactContext.from_row(exists_many(selectors._context_checks(user=user, values=values, method=method)))


@pytest.fixture
def system_user(reference):  # type: ignore[no-untyped-def]
    return system_user_ensure(username="sys-ctx", first_name="Context", last_name="Check", sees_everything=True)


def test_compiled_checks_answer_as_the_checks_built_for_each_call(csr, customer, system_user):
    other_person = person_make(csr, name="Okafor, Ada", phone="(555) 777-1000")
    other_premise = premise_make(csr, house_number="99")
    other_account = account_make(csr, other_person, premise=other_premise)
    PersonEmail.objects.create(person=customer["person"], address="maria.rivera@example.com")
    persons = [customer["person"].id, other_person.id, "NOPE", "%", None]
    accounts = [customer["account"].id, other_account.id, "NOPE", None]
    premises = [customer["premise"].id, other_premise.id, "_", None]
    details = [
        ("NA", ""),
        ("PHONE", "+15552013344"),
        ("SMS", "+15557771000"),
        ("EMAIL", "Maria.Rivera@Example.com"),
        ("EMAIL", "maria%rivera@example.com"),
    ]
    answers = set()
    for person, account, premise, (method, detail) in itertools.product(persons, accounts, premises, details):
        kwargs = dict(
            user=system_user,
            person_id=person,
            account_id=account,
            premise_id=premise,
            method=method,
            contact_detail=detail,
        )
        expected = _built_each_time(**kwargs)
        assert contact_context_check(**kwargs) == expected, kwargs  # type: ignore[arg-type]
        answers.add(tuple(expected.__dict__.values()))
    assert len(answers) > 10  # the combinations cover many different answers, not all True


def test_a_shape_checked_before_is_not_built_again(customer, system_user, monkeypatch):
    kwargs = dict(
        user=system_user,
        person_id=customer["person"].id,
        account_id=customer["account"].id,
        premise_id=customer["premise"].id,
        method="PHONE",
        contact_detail="+15552013344",
    )
    first = contact_context_check(**kwargs)  # type: ignore[arg-type]

    def not_again(**_: object) -> None:
        raise AssertionError("the checks were built again")

    monkeypatch.setattr(selectors, "_context_checks", not_again)
    with CaptureQueriesContext(connection) as queries:
        again = contact_context_check(**kwargs)  # type: ignore[arg-type]
    assert len(queries) == 1
    assert again == first == ContactContext(True, True, True, True, True, True)
    # other values, same shape: the same compiled statement, with these values
    kwargs["contact_detail"] = "+15550000000"
    assert contact_context_check(**kwargs).detail_known is False  # type: ignore[arg-type]


def test_a_user_limited_to_access_groups_gets_checks_built_for_them(csr, customer, supervisor):
    vip_person = person_make(supervisor, name="Stone, Vera")
    account_make(supervisor, vip_person, access_group="VIP")
    kwargs = dict(person_id=vip_person.id, account_id=None, premise_id=None, method="NA", contact_detail="")
    assert contact_context_check(user=csr, **kwargs).person_visible is False  # type: ignore[arg-type]
    assert contact_context_check(user=supervisor, **kwargs).person_visible is True  # type: ignore[arg-type]
