"""`custcare demo`: what `make demo` runs; idempotent, with users that can log in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from custcare.contacts.models import CustomerContact
from custcare.core.models import AuditEntry
from custcare.customers.models import Account, Person, PersonName, Premise, ServiceAgreement
from custcare.demo.reference import DEMO_USERS


def _demo() -> str:
    out = StringIO()
    call_command("demo", persons=40, stdout=out, stderr=StringIO())
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "accounts": Account.objects.count(),
        "premises": Premise.objects.count(),
        "contacts": CustomerContact.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.django_db
def test_demo_loads_once_and_a_second_run_keeps_the_data() -> None:
    # when
    first_output = _demo()
    after_first = _counts()
    second_output = _demo()
    # then
    assert after_first["persons"] == 43  # 40 generated + the guides' three customers
    assert _counts() == after_first
    assert "already loaded" in second_output
    for output in (first_output, second_output):
        for user in DEMO_USERS:
            assert f"{user.username} " in output and user.password in output and user.role in output
        assert "http://127.0.0.1:8000/" in output
        assert "/api/v1/docs" in output
        assert "/admin/" in output


@pytest.mark.django_db
def test_demo_creates_the_guides_customers_through_the_audited_services() -> None:
    _demo()
    maria = Person.objects.get(primary_name="Rivera, Maria")
    assert maria.life_support
    premise = (
        Premise.objects.filter(service_agreements__account__account_persons__person=maria, house_number="12")
        .distinct()
        .get()
    )
    assert premise.street == "Elm Street" and premise.life_support
    assert ServiceAgreement.objects.filter(premise=premise, status=ServiceAgreement.Status.ACTIVE).count() == 2
    assert PersonName.objects.filter(name="Müller, Jean-Luc", search_name="muller jean luc").exists()
    acme = Person.objects.get(primary_name="Acme Bakery Ltd")
    assert acme.kind == Person.Kind.BUSINESS
    assert acme.account_persons.get().account.access_group_id == "COM"
    for person in (maria, acme):
        assert AuditEntry.objects.filter(entity_type="customers.person", entity_id=person.id, action="add").exists()
    assert CustomerContact.objects.filter(person=maria, is_open=True, contact_type__type_code="OUTAGE").exists()
    assert AuditEntry.objects.filter(action="seed").count() == 1


@pytest.mark.django_db
def test_demo_users_can_log_in_to_the_ui_and_get_an_api_token() -> None:
    _demo()
    for user in DEMO_USERS:
        assert Client().login(username=user.username, password=user.password), user.username
    response = Client().post(
        "/api/v1/auth/token", {"username": "csr", "password": "csr-demo-2026"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["token"]


@pytest.mark.django_db
def test_demo_does_not_generate_when_customers_already_exist(reference: None, customer: dict) -> None:
    _demo()
    assert Person.objects.count() == 1
    assert not AuditEntry.objects.filter(action="seed").exists()


def test_demo_csr_and_supervisor_work_the_follow_up_role(db):
    from custcare.demo.reference import demo_users_ensure, reference_data_load
    from custcare.todo.models import ToDoRoleUser

    reference_data_load()
    demo_users_ensure()
    members = dict(ToDoRoleUser.objects.filter(role_id="CSR-FOLLOWUP").values_list("user__username", "is_supervisor"))
    assert members == {"csr": False, "supervisor": True}
